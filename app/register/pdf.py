"""The 日計表 (daily close report) as a PDF with an embedded Japanese font (DESIGN "Documents")."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app import ROOT
from app.core.dates import wareki
from app.core.pdf import text
from app.core.services import get_municipality
from app.register.models import DailyClose, Payment
from app.register.reopening import day_history, superseded
from app.register.services import DayTotals, day_payments, totals_of

FONT_DIR = ROOT / "static" / "vendor" / "fonts"
GOTHIC, GOTHIC_BOLD = "BIZUDGothic", "BIZUDGothic-Bold"
TAX_NOTE = "行政手数料は消費税非課税。本表の金額はすべて円単位の整数です。"


def _register_fonts() -> None:
    if GOTHIC in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in ((GOTHIC, "BIZUDGothic-Regular.ttf"), (GOTHIC_BOLD, "BIZUDGothic-Bold.ttf")):
        path = Path(FONT_DIR / file)
        if not path.exists():
            raise FileNotFoundError(f"{path} がありません。`make assets` でフォントを用意してください。")
        pdfmetrics.registerFont(TTFont(name, str(path)))


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _table(rows: list[list[str]], widths: list[float], numeric_from: int = 1, total_row: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), GOTHIC, 9.5),
        ("FONT", (0, 0), (-1, 0), GOTHIC_BOLD, 9.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eef6")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a96a3")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if numeric_from < len(rows[0]):
        style.append(("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"))
    if total_row:
        style += [("FONT", (0, -1), (-1, -1), GOTHIC_BOLD, 9.5), ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black)]
    table.setStyle(TableStyle(style))
    return table


def _fee_rows(totals: DayTotals) -> list[list[str]]:
    rows = [["手数料", "区分", "数量", "金額"]]
    for fee in totals.by_fee:
        rows.append([fee.label, "公用（無料）" if fee.official else "", f"{fee.quantity:,}", _yen(fee.amount)])
    rows.append(["合計", "", f"{sum(f.quantity for f in totals.by_fee):,}", _yen(totals.total)])
    return rows


def _method_rows(totals: DayTotals) -> list[list[str]]:
    rows = [["支払方法", "件数（取消は減算）", "金額"]]
    for method in totals.by_method:
        rows.append([method.label, f"{method.count:,}", _yen(method.amount)])
    rows.append(["合計", f"{sum(m.count for m in totals.by_method):,}", _yen(totals.total)])
    return rows


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle


def _styles() -> _Styles:
    return _Styles(title=ParagraphStyle("title", fontName=GOTHIC_BOLD, fontSize=18, leading=24, alignment=1),
                   heading=ParagraphStyle("heading", fontName=GOTHIC_BOLD, fontSize=11.5, leading=16,
                                          spaceBefore=8, spaceAfter=3),
                   body=ParagraphStyle("body", fontName=GOTHIC, fontSize=9.5, leading=14))


def _header(city_name: str, width: float, style: ParagraphStyle) -> Table:
    """The title with the three stamp boxes (担当者・確認者・市職員) beside it."""
    stamps = Table([["担当者", "確認者", "市職員"], ["", "", ""]],
                   colWidths=[20 * mm] * 3, rowHeights=[6 * mm, 16 * mm])
    stamps.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), GOTHIC, 8.5), ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                                ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    header = Table([[Paragraph(f"{text(city_name)}　日計表", style), stamps]],
                   colWidths=[width - 62 * mm, 62 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("RIGHTPADDING", (-1, 0), (-1, 0), 0)]))
    return header


def _summary(close: DailyClose, totals: DayTotals, width: float) -> Table:
    """営業日, register, who closed it, the receipt numbers and the voids."""
    day = close.day
    receipts = (f"{totals.first_receipt} 〜 {totals.last_receipt}（{totals.payments}件）"
                if totals.first_receipt else "なし")
    return _table([
        ["営業日", f"{wareki(day.business_date)}（{day.business_date:%Y-%m-%d}）", "レジ", day.terminal.name],
        ["締め日時", f"{close.closed_at:%Y-%m-%d %H:%M}", "締め担当", close.closed_by.display_name],
        ["領収番号", receipts, "取消", f"{totals.voids}件 {_yen(totals.void_amount)}"],
    ], [22 * mm, width / 2 - 22 * mm, 22 * mm, width / 2 - 22 * mm], numeric_from=99)


def _voids(payments: list[Payment], width: float, body: ParagraphStyle) -> Table | None:
    voids = [p for p in payments if p.is_void]
    if not voids:
        return None
    rows: list[list[Any]] = [["取消記録", "対象領収番号", "金額", "理由", "承認者"]]
    for p in voids:
        rows.append([f"{p.paid_at:%H:%M}", p.reverses.receipt_no if p.reverses else "", _yen(p.total),
                     Paragraph(text(p.reason), body), p.approved_by.display_name if p.approved_by else ""])
    return _table(rows, [width * 0.1, width * 0.2, width * 0.15, width * 0.37, width * 0.18], numeric_from=2)


def _history(close: DailyClose, width: float, body: ParagraphStyle) -> list[Any]:
    """日計の経過: each close and each reopening (who, when, why), when the day was reopened."""
    events = day_history(close.day)
    if len(events) < 2:
        return []
    rows: list[list[Any]] = [["日時", "事項", "担当", "内容"]]
    for e in events:
        mark = "（本表）" if e.close_id == close.id else ""
        rows.append([f"{e.at:%Y-%m-%d %H:%M}", e.what + mark, e.by, Paragraph(text(e.detail), body)])
    story: list[Any] = [Paragraph("日計の経過（締め・再開）", _styles().heading),
                        _table(rows, [width * 0.2, width * 0.14, width * 0.18, width * 0.48], numeric_from=99)]
    if superseded(close):
        story.append(Paragraph("この日計は再開により取り消されています。最後の日計が有効です。", body))
    return story


def _cash(close: DailyClose, totals: DayTotals, width: float) -> Table:
    """The cash count by denomination beside the balance against the expected cash."""
    count_rows = [["金種", "枚数", "金額"]]
    for count in close.counts:
        count_rows.append([_yen(count.denomination), f"{count.quantity:,}", _yen(count.amount)])
    count_rows.append(["実査有高", "", _yen(close.counted_cash)])
    balance = [
        ["項目", "金額"],
        ["開始時釣銭準備金", _yen(close.day.opening_float)],
        ["現金収納額（取消を減算）", _yen(totals.cash_net)],
        ["現金予定有高", _yen(close.expected_cash)],
        ["定額小為替（ドロワー外、実査に含めない）", _yen(totals.money_orders_net)],
        ["現金実査有高", _yen(close.counted_cash)],
        ["過不足", f"{close.difference:+,}円" if close.difference else "0円（一致）"],
        ["翌日釣銭準備金", _yen(close.next_float)],
        ["納付額（実査有高−翌日釣銭準備金）", _yen(close.counted_cash - close.next_float)],
    ]
    side = Table([[_table(count_rows, [width * 0.16, width * 0.12, width * 0.18], total_row=True),
                   _table(balance, [width * 0.32, width * 0.18])]], colWidths=[width * 0.48, width * 0.52])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return side


def close_pdf(close: DailyClose) -> bytes:
    """The 日計表 of one register's day: totals by fee and by method, voids, the cash count by
    denomination against the expected amount, the difference and its reason, the next float."""
    _register_fonts()
    day = close.day
    payments = day_payments(day)
    totals = totals_of(payments, day.opening_float)
    city = get_municipality()
    city_name = city.name if city else ""
    style = _styles()
    width = A4[0] - 36 * mm
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"日計表 {day.business_date:%Y-%m-%d} {day.terminal.name}",
                            author=city_name)
    story: list[Any] = [
        _header(city_name, width, style.title),
        Spacer(1, 3 * mm),
        _summary(close, totals, width),
        *_history(close, width, style.body),
        Paragraph("1. 手数料別集計", style.heading),
        _table(_fee_rows(totals), [width * 0.46, width * 0.18, width * 0.14, width * 0.22], numeric_from=2,
               total_row=True),
        Paragraph("2. 支払方法別集計", style.heading),
        _table(_method_rows(totals), [width * 0.46, width * 0.28, width * 0.26], total_row=True),
    ]
    voids = _voids(payments, width, style.body)
    if voids is not None:
        story += [Paragraph("3. 取消（返金）", style.heading), voids]
    story += [Paragraph(f"{4 if voids is not None else 3}. 現金有高（金種別）と照合", style.heading),
              _cash(close, totals, width)]
    if close.difference:
        story += [Spacer(1, 2 * mm), Paragraph(f"過不足の理由：{text(close.difference_reason)}", style.body)]
    story += [Spacer(1, 3 * mm), Paragraph(TAX_NOTE, style.body)]
    doc.build(story)
    return buffer.getvalue()
