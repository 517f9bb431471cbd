"""The 業務計画書 as the city files it (000 §10): the plan's sections in the template's order,
each with its table as made and the contractor's text, the previous plan's results beside what
it expected, and the plan's history (submitted, approved or returned)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from app.core import pdf
from app.core import services as core_services
from app.reports.models import WorkPlan
from app.reports.roster_document import grid
from app.reports.work_plan import SECTIONS, Results

WIDTH = 174.0  # mm of the A4 page's text width the tables share


def _table(section: dict, st: dict) -> list[Flowable]:  # type: ignore[type-arg]
    headers = section.get("headers") or []
    if not headers:
        return []
    widths = [WIDTH / len(headers)] * len(headers)
    shown: list[Flowable] = [grid([headers, *section.get("rows", [])], widths, st)]
    if section.get("source"):
        shown.append(Paragraph(f"出典：{pdf.text(section['source'])}", st["small"]))
    return shown


def _text(value: str, st: dict) -> Flowable:  # type: ignore[type-arg]
    lines = [pdf.text(line) for line in (value or "（記入なし）").splitlines()] or ["（記入なし）"]
    return Paragraph("<br/>".join(lines), st["body"])


def work_plan_pdf(plan: WorkPlan, results: Results) -> bytes:
    st = pdf.styles()
    municipality = core_services.get_municipality()
    city = municipality.name if municipality else ""
    contractor = municipality.contractor_name if municipality else ""
    title = f"業務計画書（{plan.label}）"
    target = plan.expected.get("target_wait")
    story: list[Flowable] = [
        Paragraph(pdf.text(title), st["title"]),
        Paragraph(f"{pdf.text(city)} 様　受託者 {pdf.text(contractor)}", st["right"]),
        Paragraph(f"提出期限：{pdf.document_date(plan.due_on)}（仕様書 10：２カ月ごと。期日の定めはなく、"
                  f"期間の前月25日・週休日の場合は翌開庁日としています）　状態：{plan.state.label}", st["body"]),
        Paragraph(f"来庁見込み（期間計）：{plan.expected.get('tickets', 0):,.1f}枚　目標平均待ち時間："
                  f"{'—' if target is None else f'{target:.1f}分'}", st["body"]),
    ]
    for n, (key, heading) in enumerate(SECTIONS, start=1):
        section = plan.sections.get(key, {})
        story += [Spacer(1, 3 * mm), Paragraph(f"{n}　{heading}", st["heading"]), *_table(section, st),
                  Spacer(1, 1.5 * mm), _text(section.get("text", ""), st)]
    story += [Spacer(1, 3 * mm), Paragraph(f"{len(SECTIONS) + 1}　前期計画の実績（{pdf.text(results.label)}）",
                                           st["heading"]),
              grid([["指標", "前期計画", "実績"], *results.rows], [70, 52, 52], st),
              Spacer(1, 1.5 * mm), grid([["手続", "案件数"], *results.procedures], [120, 54], st),
              Spacer(1, 3 * mm), Paragraph("経過", st["heading"]),
              grid([["日時", "内容", "担当", "所見"]] + [
                  [f"{e.at:%Y-%m-%d %H:%M}", e.action, e.by.display_name, e.note] for e in plan.events],
                  [34, 40, 40, 60], st)]
    return pdf.build(story, title, contractor or "Yakuba", on_page=pdf.page_decorator(city, title))
