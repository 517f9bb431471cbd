"""The papers the clauses ask for in writing (書面により), as PDFs for the city: the register
(004 特記事項 §3(1)), the application to change the 作業責任者 (§3(3)), the handling areas
(§4(1)), an incident report (§15(1), 000 別紙 §14(1)) and the disposal request and record
(§12(2)・(5)).
Every one is audited as the print of personal data it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.core.pdf import GOTHIC, build, document_date, page_decorator, styles, text
from app.core.services import get_municipality
from app.staff import register, training
from app.staff.disposal import spec_of
from app.staff.models import (
    DisposalRequest,
    DisposalState,
    HandlingArea,
    Incident,
    LeadChange,
    Post,
    StaffEntry,
    WorkerChange,
)
from app.staff.programmes import Programme


def parties() -> tuple[str, str]:
    """The city and the contractor as the municipality settings name them."""
    city = get_municipality()
    return (city.name if city else "委託者"), (city.contractor_name if city and city.contractor_name else "受託者")


def grid(rows: Sequence[Sequence[object]], widths: Sequence[float], *, header: bool = True) -> Table:
    """A ruled table of Paragraphs; the first row (when `header`) or the first column shaded."""
    cell = styles()["cell"]
    body = [[c if isinstance(c, Flowable) else Paragraph(text(c), cell) for c in row] for row in rows]
    table = Table(body, colWidths=list(widths), repeatRows=1 if header else 0)
    shade = (0, 0), (-1, 0) if header else (0, -1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", *shade, colors.Color(0.93, 0.93, 0.93)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),
    ]))
    return table


def _paper(title: str, programme: str, story: list[Flowable], *, addressed: bool = True) -> bytes:
    s = styles()
    city, contractor = parties()
    head: list[Flowable] = [Paragraph(document_date(today()), s["right"])]
    if addressed:
        head += [Paragraph(f"{text(city)}長　様", s["body"]), Paragraph(f"{text(contractor)}", s["right"])]
    head += [Spacer(1, 4 * mm), Paragraph(text(title), s["title"])]
    decorate = page_decorator(city, Programme(programme).label, title)
    return build(head + story, title, contractor, on_page=decorate)


def _day(day: date | None) -> str:
    return document_date(day) if day else "—"


def _by_at(user: User | None, at: datetime | None) -> str:
    return f"（{user.display_name}、{at:%Y-%m-%d %H:%M}）" if user is not None and at is not None else ""


def roster_pdf(programme: str, *, by: User) -> bytes:
    """作業責任者・作業従事者名簿: every current entry with its pledge and training status."""
    s = styles()
    lead_label, worker_label = (register.post_label(p, programme) for p in (Post.lead, Post.worker))
    rows: list[list[object]] = [["区分", "氏名", "担当業務", "従事期間", "誓約書", "研修（受講回数・直近）"]]
    everyone = register.roster(programme)
    for entry in everyone:
        rows.append(_roster_row(entry, programme))
    story: list[Flowable] = [
        Paragraph(f"特記事項の定めにより、{text(lead_label)}及び{text(worker_label)}を次のとおり報告します。",
                  s["body"]),
        Spacer(1, 3 * mm),
        grid(rows, [22 * mm, 30 * mm, 34 * mm, 36 * mm, 26 * mm, 26 * mm]),
        Spacer(1, 2 * mm),
        Paragraph(f"計 {len(everyone)}名（{document_date(today())}現在）", s["small"]),
    ]
    audit.record("print", "staff_register", programme, f"従事者名簿 {len(everyone)}名", by=by, programme=programme)
    return _paper(f"{lead_label}・{worker_label}名簿", programme, story)


def _roster_row(entry: StaffEntry, programme: str) -> list[object]:
    attended = training.attended(entry)
    pledge = f"提出 {entry.pledge_signed_on:%Y-%m-%d}" if entry.pledged and entry.pledge_signed_on else "未提出"
    trained = f"{len(attended)}回・{attended[0].held_on:%Y-%m-%d}" if attended else "未受講"
    period = f"{entry.start_on:%Y-%m-%d}〜{entry.end_on:%Y-%m-%d}" if entry.end_on else f"{entry.start_on:%Y-%m-%d}〜"
    return [register.post_label(entry.post, programme), entry.name, entry.duty or "—", period, pledge, trained]


def lead_change_pdf(change: LeadChange, *, by: User) -> bytes:
    """作業責任者変更承認申請書 (004 特記事項 §3(3)), with the city's decision once made."""
    s = styles()
    label = register.post_label(Post.lead, change.programme)
    present = change.current_entry
    rows = [
        ["現在の" + label, f"{present.name}（{present.start_on:%Y-%m-%d}から）"],
        ["新しい" + label, change.name],
        ["担当業務", change.duty or "—"],
        ["交代予定日", _day(change.start_on)],
        ["変更の理由", change.reason],
        ["申請者", f"{change.requested_by.display_name}（{change.requested_at:%Y-%m-%d %H:%M}）"],
        ["市の決定", change.state.label + _by_at(change.decided_by, change.decided_at)],
        ["市の意見", change.decision_note or "—"],
    ]
    story: list[Flowable] = [
        Paragraph(f"特記事項の定めにより、{text(label)}の変更について次のとおり申請します。", s["body"]),
        Spacer(1, 3 * mm), grid(rows, [40 * mm, 134 * mm], header=False)]
    audit.record("print", "staff_lead_change", change.id, f"{label}変更承認申請書", by=by, programme=change.programme)
    return _paper(f"{label}変更承認申請書", change.programme, story)


def areas_pdf(programme: str, areas: list[HandlingArea], *, by: User) -> bytes:
    """取扱区域の報告 (004 特記事項 §4(1); 作業場所, 000 別紙 §4)."""
    s = styles()
    rows: list[list[object]] = [["名称", "場所", "安全管理措置"]]
    rows += [[a.name, a.place, a.measures] for a in areas]
    story: list[Flowable] = [
        Paragraph("特記事項の定めにより、個人情報を取り扱う区域を次のとおり報告します。", s["body"]),
        Spacer(1, 3 * mm), grid(rows, [40 * mm, 50 * mm, 84 * mm]),
        Paragraph(f"計 {len(areas)}区域", s["small"])]
    audit.record("print", "staff_handling_area", programme, f"取扱区域の報告 {len(areas)}区域", by=by,
                 programme=programme)
    return _paper("取扱区域報告書", programme, story)


def incident_pdf(incident: Incident, *, by: User) -> bytes:
    """事故報告書: what the clause asks to be reported (004 特記事項 §15(1), 000 別紙 §14(1))."""
    s = styles()
    rows = [
        ["種別", incident.kind.label], ["発生日時", f"{incident.occurred_at:%Y-%m-%d %H:%M}"],
        ["発生場所", incident.place], ["発生状況", incident.what_happened],
        ["関わる個人情報の内容", incident.data_involved], ["件数（人数）", f"{incident.people_count}名"],
        ["講じた措置", incident.actions_taken], ["再発防止策", incident.prevention or "（未記録）"],
        ["報告", f"{incident.reported_by.display_name}（{incident.reported_at:%Y-%m-%d %H:%M}）"],
        ["市の確認・指示", (f"{incident.acknowledged_by.display_name}（{incident.acknowledged_at:%Y-%m-%d %H:%M}）："
                        f"{incident.city_instruction or '—'}") if incident.acknowledged_by and incident.acknowledged_at
         else "未確認"],
        ["状態", incident.state.label],
    ]
    story: list[Flowable] = [
        Paragraph("特記事項の定めにより、個人情報の取扱いに関する事故について次のとおり報告します。", s["body"]),
        Spacer(1, 3 * mm), grid(rows, [44 * mm, 130 * mm], header=False)]
    audit.record("print", "staff_incident", incident.id, "事故報告書", by=by, programme=incident.programme)
    return _paper(f"事故報告書（第{incident.id}号）", incident.programme, story)


def disposal_pdf(request: DisposalRequest, *, by: User) -> bytes:
    """The written application for a disposal or erasure (004 特記事項 §12(2)) and, once done, its
    record: when, by whom, how and how much (§12(5))."""
    s = styles()
    verb = spec_of(request).verb
    done = request.state is DisposalState.done
    target = (f"{request.before:%Y-%m-%d}より前の記録 {request.count or 0:,}件（申請時）" if request.before
              else request.quantity)
    rows = [
        ["記録の種類", request.kind.label], [f"{verb}する項目", request.items], ["媒体", request.medium],
        ["数量", target], [f"{verb}の方法", request.method], ["処理予定日", _day(request.planned_on)],
        ["申請者", f"{request.requested_by.display_name}（{request.requested_at:%Y-%m-%d %H:%M}）"],
        ["市の承諾", request.state.label + _by_at(request.decided_by, request.decided_at)],
    ]
    if done and request.finished_at and request.executed_by:
        amount = f"記録{request.disposed_records or 0:,}件、ファイル{request.deleted_files or 0:,}件"
        rows += [[f"{verb}の日時", f"{request.finished_at:%Y-%m-%d %H:%M}"],
                 ["担当者", request.executed_by.display_name], [f"{verb}した件数", amount]]
    intro = (f"特記事項の定めにより、個人情報の{verb}を次のとおり実施したので報告します。" if done
             else f"特記事項の定めにより、個人情報の{verb}について次のとおり申請します。")
    story: list[Flowable] = [Paragraph(intro, s["body"]), Spacer(1, 3 * mm),
                             grid(rows, [40 * mm, 134 * mm], header=False)]
    title = f"個人情報{verb}記録" if done else f"個人情報{verb}申請書"
    audit.record("print", "disposal", request.id, title, by=by, programme=request.programme)
    return _paper(title, request.programme, story)


def worker_changes_pdf(programme: str, changes: list[WorkerChange], *, by: User) -> bytes:
    """作業従事者変更報告書: the workers who started or ended (004 特記事項 §3(4), 000 別紙 §3(4))."""
    s = styles()
    label = register.post_label(Post.worker, programme)
    rows: list[list[object]] = [["報告日", "氏名", "担当業務", "変更", "日付"]]
    rows += [[f"{c.reported_at:%Y-%m-%d}", c.entry.name, c.entry.duty or "—", c.kind.label,
              f"{c.effective_on:%Y-%m-%d}"] for c in changes]
    story: list[Flowable] = [
        Paragraph(f"特記事項の定めにより、{text(label)}の変更を次のとおり報告します。", s["body"]),
        Spacer(1, 3 * mm), grid(rows, [26 * mm, 36 * mm, 50 * mm, 28 * mm, 34 * mm]),
        Paragraph(f"計 {len(changes)}件", s["small"])]
    audit.record("print", "staff_worker_change", programme, f"{label}変更報告書 {len(changes)}件", by=by,
                 programme=programme)
    return _paper(f"{label}変更報告書", programme, story)
