"""The monthly report as a PDF (charts drawn on the server: app/core/charts.py Drawings in the
story) and its CSV annex (every section's table, one after another)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.core import pdf
from app.core.services import get_municipality
from app.furusato.reports.sections import Section

CSV_ENCODING = "utf-8-sig"  # Excel reads it


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _table(section: Section, style: dict) -> Table:
    data = [[Paragraph(pdf.text(h), style["label"]) for h in section.header]]
    data += [[Paragraph(pdf.text(_cell(v)), style["cell"]) for v in row] for row in section.rows]
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def render(title: str, period: str, sections: list[Section],
           progress: Callable[[int], None] | None = None) -> tuple[bytes, int]:
    """The PDF's bytes and its page count: a cover with the summary, then a section a part."""
    style = pdf.styles()
    municipality = get_municipality()
    city = municipality.name if municipality else ""
    contractor = municipality.contractor_name if municipality else ""
    story: list[Flowable] = [Spacer(1, 20 * mm), Paragraph(pdf.text(title), style["title"]),
                             Paragraph(pdf.text(f"対象期間：{period}"), style["body"]),
                             Paragraph(pdf.text(f"{city}　受託者：{contractor}"), style["body"]), Spacer(1, 8 * mm)]
    for number, section in enumerate(sections, start=1):
        if number == 2:
            story.append(PageBreak())
        heading = Paragraph(pdf.text(f"{number}. {section.title}"), style["heading"])
        charts = [[chart, Spacer(1, 3 * mm)] for chart in section.charts]
        # the heading stays with its first chart: no heading alone at the foot of a page
        story += [CondPageBreak(30 * mm), KeepTogether([heading, *(charts[0] if charts else [])])]
        for chart in charts[1:]:
            story += chart
        if section.rows:
            story.append(_table(section, style))
        if section.note:
            story.append(Paragraph(pdf.text(section.note), style["small"]))
        story.append(Spacer(1, 4 * mm))
        if progress is not None:
            progress(number)
    pages: list[int] = []

    def decorate(canvas: object, doc: object) -> None:
        pdf.page_decorator(city, "ふるさと納税業務", title)(canvas, doc)
        pages.append(doc.page)  # type: ignore[attr-defined]

    data = pdf.build(story, title=title, author=contractor or "Yakuba", on_page=decorate)
    return data, max(pages, default=0)


def annex(sections: list[Section]) -> bytes:
    """The CSV annex: for each section its title, its header and its rows, then a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for section in sections:
        writer.writerow([section.title])
        writer.writerow(section.header)
        writer.writerows(section.rows)
        writer.writerow([])
    return out.getvalue().encode(CSV_ENCODING)
