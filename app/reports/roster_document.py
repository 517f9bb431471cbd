"""The stored roster as the city files it (000 §10 業務従事者名簿・翌月勤務割当表): the register's
people with their pledge and training, the month's office days with who works which counter
when, and the hours where fewer are planned than the demand needs."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from app.core import pdf
from app.core import services as core_services
from app.core.calendar import WEEKDAYS_JA
from app.reports.documents import GRID, HEAD
from app.reports.models import RosterPlan
from app.reports.roster import Roster

POSTS = {"lead": "作業責任者", "worker": "作業従事者"}


def grid(rows: list[list[str]], widths: list[float], st: dict) -> Flowable:  # type: ignore[type-arg]
    body = [[Paragraph(pdf.text(v), st["label"] if n == 0 else st["small"]) for v in row]
            for n, row in enumerate(rows)]
    if len(body) == 1:
        body.append([Paragraph("（該当なし）", st["small"])] + [""] * (len(rows[0]) - 1))
    grid = PdfTable(body, colWidths=[w * mm for w in widths], repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return grid


def roster_pdf(plan: RosterPlan, shown: Roster) -> bytes:
    st = pdf.styles()
    municipality = core_services.get_municipality()
    city = municipality.name if municipality else ""
    contractor = municipality.contractor_name if municipality else ""
    title = f"業務従事者名簿・翌月勤務割当表（{plan.month.year}年{plan.month.month}月）"
    state = plan.state.label + (f"（{pdf.document_date(plan.submitted_at.date())}提出）" if plan.submitted_at else "")
    people = [["氏名", "区分", "誓約書", "研修", "備考"]] + [
        [p.name, POSTS.get(p.post, p.post), "提出済" if p.pledged else "未提出", "受講済" if p.trained else "未受講",
         p.lacks] for p in shown.people]
    days = [["日付", "開庁時間", "窓口・従事者・時間"]] + [
        [f"{d.day.month}/{d.day.day}（{WEEKDAYS_JA[d.day.weekday()]}）", d.hours.label(),
         "／".join(f"{s.counter} {s.name} {s.starts:%H:%M}〜{s.ends:%H:%M}" for s in d.shifts) or "配置なし（不足）"]
        for d in shown.days]
    gaps = [["曜日", "時間帯", "来庁見込み（枚/時）", "必要人数", "配置人数", "不足"]] + [
        [WEEKDAYS_JA[c.weekday], f"{c.hour}:00〜{c.hour + 1}:00", f"{c.expected:.1f}", str(c.needed),
         str(c.planned), str(-c.gap)] for c in shown.gaps]
    story: list[Flowable] = [
        Paragraph(pdf.text(title), st["title"]),
        Paragraph(f"{pdf.text(city)} 様　受託者 {pdf.text(contractor)}", st["right"]),
        Paragraph(f"提出期限：{pdf.document_date(plan.due_on)}（仕様書 10：毎月25日、週休日の場合は翌開庁日）　"
                  f"状態：{pdf.text(state)}", st["body"]),
        Spacer(1, 3 * mm), Paragraph("業務従事者名簿", st["heading"]), grid(people, [40, 28, 22, 22, 62], st),
        Spacer(1, 3 * mm), Paragraph("勤務割当表", st["heading"]), grid(days, [28, 40, 106], st),
        Spacer(1, 3 * mm), Paragraph("需要に対して配置が不足する時間帯", st["heading"]),
        grid(gaps, [20, 30, 38, 28, 28, 30], st),
    ]
    return pdf.build(story, title, contractor or "Yakuba", on_page=pdf.page_decorator(city, title))
