"""The report documents: the monthly 業務報告書 as a PDF with its charts drawn on the server
(app/core/charts.py) and its CSV annex, and the one-page day sheet (日報).

Both are the same sections (app/reports/sections.py); the day sheet shows their tables only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from app.core import charts, pdf, spreadsheet
from app.core.calendar import day_label
from app.core.models import Municipality
from app.reports.sections import Chart, Section, Table

GRID = colors.Color(0.55, 0.55, 0.55)
HEAD = colors.Color(0.9, 0.92, 0.95)
DAY_SHEET_ROWS = 5  # rows of each table on the one-page day sheet


@dataclass(frozen=True)
class Built:
    data: bytes
    pages: int


def _table(table: Table, st: dict[str, Any], *, small: bool = False, max_rows: int | None = None) -> Flowable:
    cell = st["small"] if small else st["cell"]
    rows = table.rows if max_rows is None else table.rows[:max_rows]
    body = [[Paragraph(pdf.text(h), st["label"]) for h in table.headers]]
    body += [[Paragraph(pdf.text(v), cell) for v in row] for row in rows]
    if table.total is not None:
        body.append([Paragraph(f"<b>{pdf.text(v)}</b>", cell) for v in table.total])
    if len(body) == 1:
        body.append([Paragraph("（該当なし）", cell)] + [""] * (len(table.headers) - 1))
    widths = None
    if len(table.headers) > 1:
        first = 0.3 if len(table.headers) <= 4 else 0.2
        rest = (1 - first) / (len(table.headers) - 1)
        widths = [174 * mm * first] + [174 * mm * rest] * (len(table.headers) - 1)
    grid = PdfTable(body, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
    ]))
    parts: list[Flowable] = [Paragraph(pdf.text(table.title), st["label"]), grid]
    if max_rows is not None and len(table.rows) > max_rows:
        parts.append(Paragraph(f"ほか{len(table.rows) - max_rows}行（月報・CSVを参照）", st["small"]))
    return KeepTogether(parts) if len(body) < 25 else _Flat(parts)


class _Flat(list):  # type: ignore[type-arg]
    """Flowables added one by one to the story (a long table splits across pages)."""


def _short(label: str, room: int) -> str:
    """A category label cut to the room under its bar (the tables give the full name)."""
    return label if len(label) <= room else label[:room - 1] + "…"


def _chart(chart: Chart) -> Flowable:
    if chart.kind == "pie":
        return charts.pie_chart(chart.title, [_short(c, 16) for c in chart.categories], list(chart.series[0][1]))
    draw = charts.line_chart if chart.kind == "line" else charts.bar_chart
    series = [charts.Series(name, list(values)) for name, values in chart.series]
    room = max(3, 60 // max(1, len(chart.categories)))
    return draw(chart.title, [_short(c, room) for c in chart.categories], series, unit=chart.unit)


def _add(story: list[Flowable], part: Flowable) -> None:
    if isinstance(part, _Flat):
        story.extend(part)
    else:
        story.append(part)


def _counting(decorate: Callable[[Any, Any], None], pages: list[int]) -> Callable[[Any, Any], None]:
    def on_page(canvas: Any, doc: Any) -> None:
        decorate(canvas, doc)
        pages.append(doc.page)

    return on_page


def _city(municipality: Municipality | None) -> tuple[str, str]:
    if municipality is None:
        return "", ""
    return municipality.name, municipality.contractor_name


def monthly_pdf(month: date, sections: list[Section], *, municipality: Municipality | None, due_on: date,
                remarks: str = "", state_label: str = "作成中") -> Built:
    """The 業務報告書 of a month: a cover with the headline figures, then each section with its
    charts and tables, then 改善を要する事項 (000 §10)."""
    st = pdf.styles()
    city, contractor = _city(municipality)
    title = f"業務報告書（{pdf.document_date(month).rsplit('月', 1)[0]}月分）"
    story: list[Flowable] = [
        Paragraph(pdf.text(title), st["title"]),
        Paragraph(f"{pdf.text(city)}長　様", st["body"]),
        Paragraph(f"受託者　{pdf.text(contractor)}", st["right"]),
        Spacer(1, 4 * mm),
        Paragraph(f"対象期間：{pdf.text(day_label(month))}から{pdf.text(_last_day_label(month))}まで", st["body"]),
        Paragraph(f"提出期限：{pdf.text(day_label(due_on))}（仕様書 10：毎月7日、週休日の場合は翌開庁日）", st["body"]),
        Paragraph(f"状態：{pdf.text(state_label)}", st["body"]),
        Spacer(1, 4 * mm),
        Paragraph("概要", st["heading"]),
    ]
    story.append(_table(Table("主な件数", ("項目", "件数等"), _headline(sections)), st))
    for section in sections:
        story.append(PageBreak() if section.charts else CondPageBreak(60 * mm))
        story.append(Paragraph(pdf.text(section.title), st["heading"]))
        for note in section.notes:
            story.append(Paragraph(pdf.text(note), st["body"]))
        for chart in section.charts:
            story.append(CondPageBreak(75 * mm))
            story.append(_chart(chart))
            story.append(Spacer(1, 2 * mm))
        for table in section.tables:
            _add(story, _table(table, st))
            story.append(Spacer(1, 3 * mm))
    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph("改善を要する事項", st["heading"]))
    story.append(Paragraph(pdf.text(remarks).replace("\n", "<br/>") or "特になし", st["body"]))
    pages: list[int] = []
    decorate = pdf.page_decorator(city, "窓口業務 業務報告書", f"{month.year}年{month.month}月分")
    data = pdf.build(story, title, contractor or "Yakuba", on_page=_counting(decorate, pages))
    return Built(data, max(pages, default=0))


def _last_day_label(month: date) -> str:
    from app.reports.due import next_month

    return day_label(date.fromordinal(next_month(month).toordinal() - 1))


def _headline(sections: list[Section]) -> list[list[str | int]]:
    by_key = {s.key: s.figures for s in sections}
    rows: list[list[str | int]] = []
    if (q := by_key.get("queue")) is not None:
        rows += [["発券数", f"{q['tickets']:,}枚"], ["来庁者（受付）", f"{q['visits']:,}人"],
                 ["平均待ち時間", "" if q["avg_wait"] is None else f"{q['avg_wait']:.1f}分"]]
    if (c := by_key.get("cases")) is not None:
        rows.append(["受付した案件", f"{c['cases']:,}件（完了{c['完了']:,}件）"])
    if (r := by_key.get("returns")) is not None:
        rows.append(["差戻し", f"{r['returns']:,}件"])
    if (c := by_key.get("certificates")) is not None:
        rows.append(["証明書の交付", f"{c['copies']:,}通"])
    if (f := by_key.get("fees")) is not None:
        bad = sum(n for state, n in f["reconciliation"].items() if state != "一致")
        rows.append(["手数料等の収納額", f"{f['total']:,}円（日計{f['days']}日、不一致・未了{bad}日）"])
    if (i := by_key.get("incidents")) is not None:
        rows.append(["事故", f"{i['incidents']}件"])
    for section in sections:  # the sections added later name their own headline
        if "headline" in section.figures:
            rows.append([section.title, str(section.figures["headline"])])
    return rows


def annex_csv(month: date, sections: list[Section]) -> str:
    """The CSV annex: every table of every section, one row per line, with the section and the
    table it belongs to (a BOM for Excel on the office PCs)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(["対象月", "区分", "表", "列1", "列2", "列3", "列4", "列5", "列6", "列7", "列8", "列9"])
    label = f"{month:%Y-%m}"
    for section in sections:
        for table in section.tables:
            writer.writerow([label, section.title, table.title, *table.headers])
            for row in table.rows:
                writer.writerow([label, section.title, table.title, *row])
            if table.total is not None:
                writer.writerow([label, section.title, table.title, *table.total])
    return out.getvalue()


def day_sheet_pdf(day: date, sections: list[Section], *, municipality: Municipality | None) -> Built:
    """日報: one page of the day's figures (tables only, long ones cut with a pointer to the CSV)."""
    st = pdf.styles()
    city, contractor = _city(municipality)
    title = "業務日報"
    story: list[Flowable] = [Paragraph(title, st["heading"]),
                             Paragraph(f"{pdf.text(day_label(day))}　{pdf.text(contractor)}", st["small"])]
    story.append(Paragraph(pdf.text("　".join(f"{k}：{v}" for k, v in _headline(sections))), st["small"]))
    for section in sections:
        table = section.tables[0] if section.tables else None
        if table is not None and table.rows:
            story.append(Spacer(1, 1.5 * mm))
            _add(story, _table(table, st, small=True, max_rows=DAY_SHEET_ROWS))
    pages: list[int] = []
    decorate = pdf.page_decorator(city, "窓口業務 業務日報", day.isoformat())
    data = pdf.build(story, f"{title} {day.isoformat()}", contractor or "Yakuba", on_page=_counting(decorate, pages))
    return Built(data, max(pages, default=0))
