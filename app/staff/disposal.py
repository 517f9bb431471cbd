"""廃棄・消去 of personal data, one mechanism for both programmes (004 特記事項 §12; 000 別紙 §11).

1. The programme's supervisor applies in writing beforehand, stating the items, medium,
   quantity, method and planned date (§12(2)).
2. The city's staff of the programme approve it (承諾) or refuse it with a reason.
3. The supervisor starts it (not before the planned day): it runs as background work in one
   transaction, and the request keeps when, by whom and how much was disposed of (§12(5));
   its paper is documents.disposal_pdf.

Nothing is disposed of without an approved request; the task checks the state again before it
deletes anything, and a request runs once. What differs is the kind of records, and each kind
is data (`Kind`, registered with `kind()`): which programme has it, how many records it covers,
how they are disposed of, who approves, whether the supervisor types a confirmation phrase.
The contract-end erasure is app/staff/erasure.py's kind, the donation office's records past
their retention period app/furusato/retention/kinds.py's. The audit log keeps the fact (kind,
count, period), never the personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.staff import register
from app.staff.leads import record_decision
from app.staff.models import DisposalKind, DisposalRequest, DisposalState
from app.staff.programmes import Programme, reaches
from app.staff.refusals import StaffError
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.paging import Page, paged

TASK = "disposal"
SUBJECT = "disposal"
PENDING = (DisposalState.requested, DisposalState.approved, DisposalState.running)


class DisposalRefused(StaffError):
    pass


@dataclass(frozen=True)
class Disposed:
    records: int
    files: int


@dataclass(frozen=True)
class Kind:
    """The rules of one kind of disposal (the data that differs between the programmes)."""

    programmes: tuple[Programme, ...]
    count: Callable[[str, date | None], int]  # how many records a request covers now
    dispose: Callable[[DisposalRequest, tasks.TaskContext], Disposed]  # in the task's transaction
    medium: str
    method: str
    page: str  # the request's page, "{id}" for its id (the task's link)
    before: Callable[[date], date] | None = None  # a retention period: the records older than this day
    verb: str = "廃棄"  # 廃棄 or 消去, as the papers and messages say it
    approver: Role = Role.city_staff
    confirm: bool = False  # the supervisor types the phrase (an erasure of everything)
    stated_quantity: bool = False  # the supervisor states the quantity (else it is the count)


KINDS: dict[DisposalKind, Kind] = {}


def kind(name: DisposalKind, spec: Kind) -> Kind:
    KINDS[name] = spec
    return spec


def spec_of(request: DisposalRequest) -> Kind:
    return KINDS[request.kind]


@dataclass
class DisposalInput:
    kind: str
    items: str
    medium: str
    method: str
    planned_on: date | None
    quantity: str = ""


# --- applying -------------------------------------------------------------------------------

def apply(programme: str, data: DisposalInput, *, by: User) -> DisposalRequest:
    """廃棄申請 by the programme's supervisor: refused with every problem at once, or when a
    kind with a retention period has nothing past it."""
    spec = KINDS.get(DisposalKind(data.kind)) if DisposalKind.has(data.kind) else None
    verb = spec.verb if spec else "廃棄"
    if not register.may_edit(by, programme):
        raise DisposalRefused(f"{verb}を申請するのは、この業務の統括責任者です。")
    fields = [("items", data.items, f"{verb}する項目"), ("medium", data.medium, "媒体"),
              ("method", data.method, f"{verb}の方法")]
    if spec is not None and spec.stated_quantity:
        fields.insert(2, ("quantity", data.quantity, "数量"))
    problems = [Problem(name, f"{label}を入力してください。") for name, value, label in fields if not value.strip()]
    if spec is None or programme not in spec.programmes:
        problems.append(Problem("kind", "記録の種類を一覧から選んでください。"))
    if data.planned_on is None:
        problems.append(Problem("planned_on", "処理予定日を入力してください。"))
    if problems:
        raise DisposalRefused.of(problems)
    assert spec is not None and data.planned_on is not None
    name = DisposalKind(data.kind)
    before = spec.before(today()) if spec.before else None
    count = spec.count(programme, before)
    if spec.before and not count:
        raise DisposalRefused(f"保存期間を過ぎた{name.label}はありません。", "kind")
    request = DisposalRequest(programme=programme, kind=name, before=before, items=data.items.strip(),
                              medium=data.medium.strip(), quantity=data.quantity.strip() or f"{count:,}件",
                              count=count, method=data.method.strip(), planned_on=data.planned_on,
                              requested_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    period = f"{before}より前" if before else f"{data.planned_on}予定"
    audit.record("create", SUBJECT, request.id, f"{verb}申請：{name.label} {count}件（{period}）", by=by,
                 programme=programme)
    return request


# --- reading --------------------------------------------------------------------------------

def get(request_id: int) -> DisposalRequest | None:
    return db.session.get(DisposalRequest, request_id)


def requests(programme: str, kinds: Collection[DisposalKind], page: int = 1) -> Page[DisposalRequest]:
    """A programme's requests of these kinds, newest first."""
    return paged(select(DisposalRequest).where(DisposalRequest.programme == programme,
                                               DisposalRequest.kind.in_(kinds))
                 .order_by(DisposalRequest.requested_at.desc(), DisposalRequest.id.desc()), page)


def waiting_decision(programme: str, kinds: Collection[DisposalKind]) -> int:
    """Requests waiting for the city's approval (the work lists)."""
    return int(db.session.scalar(select(func.count(DisposalRequest.id)).where(
        DisposalRequest.programme == programme, DisposalRequest.kind.in_(kinds),
        DisposalRequest.state == DisposalState.requested)) or 0)


def pending(programme: str, kind: DisposalKind) -> bool:
    """Whether a request of the kind is waiting, approved or running."""
    return db.session.scalar(select(DisposalRequest.id).where(
        DisposalRequest.programme == programme, DisposalRequest.kind == kind,
        DisposalRequest.state.in_(PENDING)).limit(1)) is not None


def task_of(request: DisposalRequest) -> Task | None:
    return tasks.get_task(request.task_id) if request.task_id else None


def phrase(request: DisposalRequest) -> str:
    """What the supervisor types to start a kind that asks for it ("" for the others)."""
    return f"{Programme(request.programme).label}の個人情報を消去する" if spec_of(request).confirm else ""


# --- deciding and carrying out --------------------------------------------------------------

def may_decide(user: User, request: DisposalRequest) -> bool:
    return (request.state is DisposalState.requested and user.role == spec_of(request).approver
            and reaches(user, request.programme))


def decide(request: DisposalRequest, approve: bool, note: str, *, by: User) -> None:
    """The city's approval (承諾, §12(2)) or refusal, in writing."""
    verb = spec_of(request).verb
    if not may_decide(by, request):
        raise DisposalRefused(f"{verb}の申請を承認できるのは、この業務の担当の市職員です（承認待ちの申請に限ります）。")
    if not approve and not note.strip():
        raise DisposalRefused("不承認の理由を入力してください。", "note")
    record_decision(request, DisposalState.approved if approve else DisposalState.rejected, note, by=by)
    audit.record("approve" if approve else "return", SUBJECT, request.id,
                 f"{verb}を承認" if approve else f"{verb}を不承認：{note.strip()}", by=by, programme=request.programme)


def may_run(user: User, request: DisposalRequest) -> bool:
    """An approved request, or one whose task failed (nothing was disposed of: it ran in one
    transaction), may be started by the programme's supervisor."""
    task = task_of(request)
    failed = request.state is DisposalState.running and task is not None and task.finished and not task.succeeded
    return (request.state is DisposalState.approved or failed) and register.may_edit(user, request.programme)


def start(request: DisposalRequest, confirmation: str = "", *, by: User) -> Task:
    """Carry out the approved request as background work; refused before the planned day, and
    without the typed phrase where the kind asks for it."""
    spec = spec_of(request)
    if not may_run(by, request):
        raise DisposalRefused(f"{spec.verb}を実施できるのは、市の承認を受けた申請について、この業務の統括責任者です。")
    if spec.confirm and confirmation.strip() != phrase(request):
        raise DisposalRefused(f"確認のため「{phrase(request)}」と入力してください。", "confirmation")
    if request.planned_on > today():
        raise DisposalRefused(f"処理予定日（{request.planned_on}）より前には実施できません。", "confirmation")
    request.state, request.executed_by_id = DisposalState.running, by.id
    task = tasks.submit(TASK, {"request_id": request.id}, by=by, subject_type=SUBJECT, subject_id=request.id,
                        title=f"{spec.verb}：{request.kind.label}")
    task.programme = request.programme
    request.task_id = task.id
    audit.record("update", SUBJECT, request.id, f"{spec.verb}を開始（背景処理{task.id}）", by=by,
                 programme=request.programme)
    return task


@tasks.kind(TASK, title="個人情報の廃棄・消去")
def disposal_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Dispose of the request's records in one transaction (a failure leaves everything as it
    was) and record how much; run again after it finished, it does nothing."""
    request = db.session.get(DisposalRequest, int(ctx.params["request_id"]))
    if request is None or request.state is not DisposalState.running:
        db.session.rollback()
        return {"summary": "この廃棄・消去はすでに実施済みか、実施できる状態ではありません。"}
    spec = spec_of(request)
    done = spec.dispose(request, ctx)
    request.state, request.finished_at = DisposalState.done, now()
    request.disposed_records, request.deleted_files = done.records, done.files
    period = f"（{request.before}より前の記録）" if request.before else ""
    audit.record("update", SUBJECT, request.id, f"{spec.verb}を実施：{request.kind.label} {done.records}件、"
                 f"ファイル{done.files}件{period}", by=None, programme=request.programme)
    db.session.commit()
    return {"summary": f"{request.kind.label} {done.records:,}件とファイル{done.files:,}件を{spec.verb}しました。",
            "link": spec.page.format(id=request.id), "link_label": f"{spec.verb}の記録を開く"}
