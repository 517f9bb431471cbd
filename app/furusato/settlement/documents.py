"""The settlement's PDFs (reportlab, as the other documents): a supplier's monthly statement
(004 §7(7)ア・イ) and the month's invoice to the city with the statement it must carry
(§7(7)イ: 返礼品提供事業者名・返礼品名称・発送数量の内訳; §13(1)-(6))."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.core import pdf
from app.core.services import get_municipality
from app.furusato.settlement import costs
from app.furusato.settlement.models import CityInvoice
from app.furusato.settlement.services import SupplierStatement

DEPARTMENT = "ふるさと納税"


def _yen(value: int) -> str:
    return f"{value:,}"


def _table(header: list[str], rows: list[list[str]], style: dict) -> Table:
    data = [[Paragraph(pdf.text(h), style["label"]) for h in header]]
    data += [[Paragraph(pdf.text(v), style["cell"]) for v in row] for row in rows]
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _names() -> tuple[str, str]:
    municipality = get_municipality()
    return (municipality.name if municipality else "", municipality.contractor_name if municipality else "")


def _lines(lines: list[costs.StatementLine], style: dict, with_supplier: bool = False) -> Table:
    header = ["出荷日", *(["返礼品提供事業者"] if with_supplier else []), "返礼品", "個口", "数量", "単価（円）",
              "調達費（円）", "配送料（円）"]
    rows = [[f"{r.shipped_on:%Y-%m-%d}", *([r.supplier] if with_supplier else []), f"{r.gift_code} {r.gift_name}",
             str(r.parcels), str(r.count), _yen(r.unit_cost), _yen(r.procurement), _yen(r.shipping)] for r in lines]
    rows.append(["合計", *([""] if with_supplier else []), "", str(sum(r.parcels for r in lines)),
                 str(sum(r.count for r in lines)), "", _yen(sum(r.procurement for r in lines)),
                 _yen(sum(r.shipping for r in lines))])
    return _table(header, rows, style)


def statement_pdf(found: SupplierStatement) -> bytes:
    style = pdf.styles()
    city, contractor = _names()
    title = f"返礼品出荷明細書（{found.month:%Y年%-m月}分）"
    story: list[Flowable] = [
        Paragraph(pdf.text(title), style["title"]),
        Paragraph(pdf.text(f"{found.supplier.name}　様"), style["body"]),
        Paragraph(pdf.text(f"作成：{contractor}（{city} ふるさと納税業務受託者）"), style["body"]),
        Paragraph(pdf.text(f"状態：{found.state.label}"), style["body"]), Spacer(1, 4 * mm),
        _lines(found.lines, style), Spacer(1, 4 * mm),
        Paragraph(pdf.text(f"お支払予定額：{_yen(found.total)}円（調達費 {_yen(found.procurement)}円・配送料 "
                           f"{_yen(found.shipping)}円、消費税等込み）"), style["body"]),
        Paragraph(pdf.text("仕様書 7(7)ア：出荷日・件数を相互に確認します。相違がある場合はお申し出ください。"),
                  style["small"]),
    ]
    return pdf.build(story, title, contractor, pdf.page_decorator(city, DEPARTMENT, found.supplier.name))


def invoice_pdf(invoice: CityInvoice, lines: list[costs.StatementLine], onestop_count: int,
                issued_on: date | None = None) -> bytes:
    style = pdf.styles()
    city, contractor = _names()
    title = f"請求書（{invoice.month:%Y年%-m月}分 ふるさと納税業務委託料）"
    rows = [["基本委託料（13(1)）", _yen(invoice.commission)], ["返礼品調達費（13(2)）", _yen(invoice.procurement)],
            ["返礼品配送料（13(3)）", _yen(invoice.shipping)],
            ["受領証明書等発送費（13(4)）", _yen(invoice.certificates)],
            [f"ワンストップ特例申請処理費（13(5)、{onestop_count}件）", _yen(invoice.onestop)],
            ["広告・PR費（13(6)、市の事前承認分）", _yen(invoice.advertising)], ["合計", _yen(invoice.total)]]
    story: list[Flowable] = [
        Paragraph(pdf.text(title), style["title"]),
        Paragraph(pdf.text(f"{city}長　様"), style["body"]),
        Paragraph(pdf.text(f"請求日：{pdf.document_date(issued_on or invoice.issued_on)}　受託者：{contractor}"),
                  style["body"]),
        Paragraph(pdf.text(f"提出期限：{pdf.document_date(invoice.due_on)}（翌月10日、閉庁日は翌開庁日）"),
                  style["small"]),
        Spacer(1, 4 * mm), _table(["項目", "金額（円、消費税等込み）"], rows, style), Spacer(1, 6 * mm),
        Paragraph(pdf.text("明細書（仕様書 7(7)イ：返礼品提供事業者名・返礼品名称・発送数量の内訳）"),
                  style["heading"]),
        _lines(lines, style, with_supplier=True),
    ]
    return pdf.build(story, title, contractor, pdf.page_decorator(city, DEPARTMENT, f"{invoice.month:%Y-%m}"))
