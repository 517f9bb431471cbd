"""保存期間と廃棄 (004 §8; 特記事項 §12).

- The city sets a retention period per kind of record, 5 to 7 years (issue 19 §5; 5 years until
  it does). A record's period is counted from its own date (申込日, 受付日): it has passed when
  that date is more than the period before today.
- A daily periodic sweep lists, per kind, how many records passed their period (RetentionSweep).
- Disposal is applied for in writing beforehand with the items, medium, count, method and
  planned date (特記事項 §12(2)), approved by the city's staff (承諾), then carried out by the
  supervisor as background work in one transaction, and recorded: when, by whom, how, how many
  (§12(5)), with a PDF record for the city. Nothing is disposed of without the approval, and
  the task checks the state again first. The audit log keeps the fact (kind, count, period),
  never the personal data.

The pieces are those of the contract-end erasure (app/staff/erasure.py): the city's decision is
staff.leads.record_decision, the file removal tasks.files.remove_of, the list web.paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from huey import crontab
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core import pdf
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.core.services import get_municipality
from app.extensions import db
from app.furusato.retention.kinds import KINDS, due_count
from app.furusato.retention.models import DisposalRequest, DisposalState, RecordKind, RetentionPeriod, RetentionSweep
from app.staff.leads import record_decision
from app.tasks import services as tasks
from app.tasks.engine import periodic
from app.tasks.models import Task
from app.web.paging import Page, paged

KIND = "furusato.disposal"
SUBJECT = "furusato_disposal"
MIN_YEARS, MAX_YEARS, DEFAULT_YEARS = 5, 7, 5


class RetentionRefused(Refusal):
    pass


def years_of(kind: RecordKind) -> int:
    period = db.session.get(RetentionPeriod, kind)
    return period.years if period else DEFAULT_YEARS


def cutoff(kind: RecordKind, day: date) -> date:
    """Records dated before this day have passed their period on `day`."""
    years = years_of(kind)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def set_period(kind: str, years: int | None, *, by: User) -> RetentionPeriod:
    """The city sets a kind's period (5 to 7 years)."""
    if by.role != Role.city_staff:
        raise RetentionRefused("保存期間を定めるのは市職員です。")
    problems = []
    if not RecordKind.has(kind):
        problems.append(Problem("kind", "記録の種類を一覧から選んでください。"))
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        problems.append(Problem("years", f"保存期間は{MIN_YEARS}年から{MAX_YEARS}年の間で入力してください。"))
    if problems:
        raise RetentionRefused.of(problems)
    assert years is not None
    period = db.session.get(RetentionPeriod, kind) or RetentionPeriod(kind=kind, years=years)
    before = period.years if period in db.session else None
    period.years, period.updated_at, period.updated_by_id = years, now(), by.id
    db.session.add(period)
    db.session.flush()
    audit.record("update", "furusato_retention", kind,
                 f"{RecordKind(kind).label}の保存期間：{before or DEFAULT_YEARS}年→{years}年", by=by)
    return period


@dataclass(frozen=True)
class KindLine:
    kind: RecordKind
    years: int
    before: date
    due: int
    oldest: date | None
    last_sweep: RetentionSweep | None


def overview(day: date) -> list[KindLine]:
    """Each kind with its period, what passed it today, and the last sweep."""
    lines = []
    for kind in RecordKind:
        before = cutoff(kind, day)
        count, oldest = due_count(kind, before)
        last = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind)
                                 .order_by(RetentionSweep.swept_on.desc(), RetentionSweep.id.desc()).limit(1))
        lines.append(KindLine(kind, years_of(kind), before, count, oldest, last))
    return lines


@periodic(crontab(hour="2", minute="40"), "furusato.retention_sweep", at_start=True)
def sweep(day: date | None = None) -> list[RetentionSweep]:
    """The daily list of what passed its period, per kind (one row per kind and day)."""
    day = day or today()
    rows = []
    for kind in RecordKind:
        before = cutoff(kind, day)
        count, oldest = due_count(kind, before)
        row = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind,
                                                             RetentionSweep.swept_on == day))
        if row is None:
            row = RetentionSweep(kind=kind, swept_on=day, before=before, count=count, oldest=oldest)
            db.session.add(row)
        row.before, row.count, row.oldest = before, count, oldest
        rows.append(row)
    db.session.flush()
    return rows


def due_total() -> int:
    """What the last sweep found past its period and no disposal has been applied for yet
    (the supervisor's work list)."""
    total = 0
    for kind in RecordKind:
        last = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind)
                                 .order_by(RetentionSweep.swept_on.desc()).limit(1))
        pending = db.session.scalar(select(DisposalRequest.id).where(
            DisposalRequest.kind == kind, DisposalRequest.state.in_(
                (DisposalState.requested, DisposalState.approved, DisposalState.running))).limit(1))
        total += last.count if last is not None and pending is None else 0
    return total


# --- disposal: applied for, approved, carried out -----------------------------------------------

@dataclass
class DisposalInput:
    kind: str
    items: str
    medium: str
    method: str
    planned_on: date | None


def default_input(kind: RecordKind) -> DisposalInput:
    spec = KINDS[kind]
    return DisposalInput(kind, f"保存期間（{years_of(kind)}年）を過ぎた{kind.label}", spec.medium, spec.method, today())


def apply(data: DisposalInput, *, by: User) -> DisposalRequest:
    """廃棄申請 by the supervisor: refused with every problem at once, or with nothing to dispose of."""
    if by.role != Role.supervisor:
        raise RetentionRefused("廃棄を申請するのは統括責任者です。")
    problems = [Problem(name, f"{label}を入力してください。") for name, value, label in (
        ("items", data.items, "廃棄する項目"), ("medium", data.medium, "媒体"), ("method", data.method, "廃棄の方法"))
        if not value.strip()]
    if not RecordKind.has(data.kind):
        problems.append(Problem("kind", "記録の種類を一覧から選んでください。"))
    if data.planned_on is None:
        problems.append(Problem("planned_on", "廃棄の予定日を入力してください。"))
    if problems:
        raise RetentionRefused.of(problems)
    assert data.planned_on is not None
    kind = RecordKind(data.kind)
    before = cutoff(kind, today())
    count, _ = due_count(kind, before)
    if not count:
        raise RetentionRefused(f"保存期間を過ぎた{kind.label}はありません。", "kind")
    request = DisposalRequest(kind=kind, before=before, items=data.items.strip(), medium=data.medium.strip(),
                              count=count, method=data.method.strip(), planned_on=data.planned_on,
                              requested_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    audit.record("create", SUBJECT, request.id, f"廃棄申請：{kind.label} {count}件（{before}より前）", by=by)
    return request


def get(request_id: int) -> DisposalRequest | None:
    return db.session.get(DisposalRequest, request_id)


def requests(page: int = 1) -> Page[DisposalRequest]:
    return paged(select(DisposalRequest).order_by(DisposalRequest.requested_at.desc(), DisposalRequest.id.desc()), page)


def may_decide(user: User, request: DisposalRequest) -> bool:
    return request.state is DisposalState.requested and user.role == Role.city_staff


def decide(request: DisposalRequest, approve: bool, note: str, *, by: User) -> None:
    """The city's approval (承諾, 特記事項 §12(2)) or refusal, in writing."""
    if not may_decide(by, request):
        raise RetentionRefused("廃棄の申請を承認できるのは市職員です（承認待ちの申請に限ります）。")
    if not approve and not note.strip():
        raise RetentionRefused("不承認の理由を入力してください。", "note")
    state = DisposalState.approved if approve else DisposalState.rejected
    record_decision(request, state, note, by=by)  # type: ignore[arg-type]
    audit.record("approve" if approve else "return", SUBJECT, request.id,
                 "廃棄を承認" if approve else f"廃棄を不承認：{note.strip()}", by=by)


def may_run(user: User, request: DisposalRequest) -> bool:
    task = db.session.get(Task, request.task_id) if request.task_id else None
    failed = request.state is DisposalState.running and task is not None and task.finished and not task.succeeded
    return (request.state is DisposalState.approved or failed) and user.role == Role.supervisor


def start(request: DisposalRequest, *, by: User) -> Task:
    """Carry out the approved disposal (background work); not before the planned day."""
    if not may_run(by, request):
        raise RetentionRefused("廃棄を実施できるのは、市の承認を受けた申請について、統括責任者です。")
    if request.planned_on > today():
        raise RetentionRefused(f"廃棄の予定日（{request.planned_on}）より前には実施できません。")
    request.state, request.executed_by_id = DisposalState.running, by.id
    task = tasks.submit(KIND, {"request_id": request.id}, by=by, subject_type=SUBJECT, subject_id=request.id,
                        title=f"廃棄（{request.kind.label}）")
    request.task_id = task.id
    audit.record("update", SUBJECT, request.id, f"廃棄を開始（背景処理{task.id}）", by=by)
    return task


def carry_out(request_id: int) -> DisposalRequest | None:
    """Dispose of the request's records in one transaction; run again after it finished, it
    does nothing (the state is checked first)."""
    request = db.session.get(DisposalRequest, request_id)
    if request is None or request.state is not DisposalState.running:
        return None
    done = KINDS[request.kind].dispose(request.before)
    request.state, request.finished_at = DisposalState.done, now()
    request.disposed_records, request.deleted_files = done.records, done.files
    audit.record("update", SUBJECT, request.id, f"廃棄を実施：{request.kind.label} {done.records}件、"
                 f"ファイル{done.files}件（{request.before}より前の記録）", by=None)
    return request


@tasks.kind(KIND, title="保存期間を過ぎた記録の廃棄", programme="furusato")
def disposal_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    ctx.progress(0, 1, phase="廃棄しています", unit="件")
    request = carry_out(int(ctx.params["request_id"]))
    if request is None:
        db.session.rollback()
        return {"summary": "この廃棄はすでに実施済みか、実施できる状態ではありません。"}
    summary = (f"{request.kind.label} {request.disposed_records:,}件とファイル{request.deleted_files:,}件を"
               "廃棄しました。")
    link = f"/furusato/retention/disposals/{request.id}"
    db.session.commit()
    ctx.progress(1, 1, phase="完了")
    return {"summary": summary, "link": link, "link_label": "廃棄の記録を開く"}


def record_pdf(request: DisposalRequest) -> bytes:
    """廃棄記録 for the city (特記事項 §12(5)): what, how, when, by whom, approved by whom."""
    style = pdf.styles()
    municipality = get_municipality()
    rows = [("記録の種類", request.kind.label), ("廃棄する項目", request.items), ("媒体", request.medium),
            ("対象", f"{request.before:%Y-%m-%d}より前の記録 {request.count:,}件（申請時）"), ("方法", request.method),
            ("予定日", f"{request.planned_on:%Y-%m-%d}"),
            ("申請", f"{request.requested_at:%Y-%m-%d %H:%M} {request.requested_by.display_name}"),
            ("承認", f"{request.decided_at:%Y-%m-%d %H:%M} {request.decided_by.display_name}"
             if request.decided_at and request.decided_by else ""),
            ("実施", f"{request.finished_at:%Y-%m-%d %H:%M} {request.executed_by.display_name}"
             if request.finished_at and request.executed_by else "未実施"),
            ("結果", f"記録{request.disposed_records or 0:,}件、ファイル{request.deleted_files or 0:,}件を廃棄")]
    table = Table([[Paragraph(pdf.text(k), style["label"]), Paragraph(pdf.text(v), style["cell"])] for k, v in rows],
                  colWidths=[40 * mm, 130 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    city = municipality.name if municipality else ""
    story = [Paragraph("廃棄記録", style["title"]),
             Paragraph(pdf.text(f"{city} 様　（ふるさと納税業務 特記事項第12条による報告）"), style["body"]),
             Spacer(1, 6 * mm), table]
    author = municipality.contractor_name if municipality else ""
    return pdf.build(story, title=f"廃棄記録 #{request.id}", author=author,
                     on_page=pdf.page_decorator(city, "ふるさと納税業務", f"廃棄記録 #{request.id}"))


def task_of(request: DisposalRequest) -> Task | None:
    return db.session.get(Task, request.task_id) if request.task_id else None


def waiting_decision() -> int:
    """Disposal requests waiting for the city's approval (the city's work list)."""
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count(DisposalRequest.id)).where(
        DisposalRequest.state == DisposalState.requested)) or 0)
