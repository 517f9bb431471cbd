"""Erasure of a programme's personal data at the contract's end, with the city's approval and a
record (004 特記事項 §12; 000 別紙 §11).

1. The supervisor applies in writing beforehand, stating the items, media, quantity, method and
   planned date (§12(2)).
2. The city's staff of the programme approve it (承諾).
3. The supervisor starts it, typing the confirmation phrase the page shows: the erasure runs as
   background work, deletes the rows of ERASABLE, and the request keeps when, by whom and how
   many (§12(5)); its certificate is a PDF.

Nothing is erased without an approved request and the typed phrase; the task checks the state
again before it deletes anything, and a request runs once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.staff import handover, register
from app.staff.leads import record_decision
from app.staff.models import ErasureRequest, ErasureState
from app.staff.programmes import Programme, reaches
from app.staff.refusals import StaffError
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.paging import Page, paged

KIND = "staff.erasure"
#: The contractor's working records of personal data, children first so that no foreign key is
#: left pointing at a deleted row. The registry stand-in and the seal records are the city's own
#: registers, and payments are the city's accounts: they are not the contractor's to erase.
ERASABLE: dict[str, tuple[str, ...]] = {
    Programme.counter: ("seal_applications", "counter_fee_lines", "counter_case_events", "counter_cases",
                        "counter_visits"),
    Programme.furusato: ("furusato_suspect_contacts", "furusato_suspect_flags", "furusato_corrections",
                         "furusato_donations", "furusato_import_issues", "furusato_import_staging",
                         "furusato_import_batches", "furusato_import_files", "furusato_donor_match_dismissals",
                         "furusato_donor_merges", "furusato_donors", "furusato_catalog_requests"),
}


@dataclass(frozen=True)
class ErasureInput:
    items: str
    media: str
    quantity: str
    method: str
    planned_on: date | None


def get_request(request_id: int) -> ErasureRequest | None:
    return db.session.get(ErasureRequest, request_id)


def requests(programme: str, page: int = 1) -> Page[ErasureRequest]:
    return paged(select(ErasureRequest).where(ErasureRequest.programme == programme)
                 .order_by(ErasureRequest.requested_at.desc(), ErasureRequest.id.desc()), page)


def phrase(request: ErasureRequest) -> str:
    """What the supervisor types to start the erasure."""
    return f"{Programme(request.programme).label}の個人情報を消去する"


def counts(programme: str) -> dict[str, int]:
    """How many rows each erasable table holds now (the quantity the request states)."""
    return {name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name])) or 0
            for name in ERASABLE[programme]}


def request_erasure(programme: str, data: ErasureInput, *, by: User) -> ErasureRequest:
    register.require_edit(by, programme)
    problems = [Problem(name, f"{label}を入力してください。") for name, value, label in (
        ("items", data.items, "消去する項目"), ("media", data.media, "媒体"), ("quantity", data.quantity, "数量"),
        ("method", data.method, "消去の方法")) if not value.strip()]
    if data.planned_on is None:
        problems.append(Problem("planned_on", "処理予定日を入力してください。"))
    if problems:
        raise StaffError.of(problems)
    assert data.planned_on is not None
    request = ErasureRequest(programme=programme, items=data.items.strip(), media=data.media.strip(),
                             quantity=data.quantity.strip(), method=data.method.strip(), planned_on=data.planned_on,
                             requested_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    audit.record("create", "staff_erasure", request.id, f"個人情報の消去申請（{data.planned_on}予定）", by=by,
                 programme=request.programme)
    return request


def may_decide(user: User, request: ErasureRequest) -> bool:
    return (request.state is ErasureState.requested and user.role == Role.city_staff
            and reaches(user, request.programme))


def decide(request: ErasureRequest, approve: bool, note: str, *, by: User) -> None:
    """The city's approval (承諾, §12(2)) or refusal of the request."""
    if not may_decide(by, request):
        raise StaffError("消去の申請を承認できるのは、この業務の担当の市職員です（承認待ちの申請に限ります）。")
    if not approve and not note.strip():
        raise StaffError("不承認の理由を入力してください。", "note")
    record_decision(request, ErasureState.approved if approve else ErasureState.rejected, note, by=by)
    audit.record("approve" if approve else "return", "staff_erasure", request.id,
                 "消去を承認" if approve else f"消去を不承認：{note.strip()}", by=by, programme=request.programme)


def may_run(user: User, request: ErasureRequest) -> bool:
    """An approved request, or one whose erasure failed (nothing was erased: it ran in one
    transaction), may be started by the programme's supervisor."""
    task = tasks.get_task(request.task_id) if request.task_id else None
    failed = request.state is ErasureState.running and task is not None and task.finished and not task.succeeded
    return (request.state is ErasureState.approved or failed) and register.may_edit(user, request.programme)


def start(request: ErasureRequest, confirmation: str, *, by: User) -> int:
    """Start the approved erasure; refused without the typed phrase or before the planned day."""
    if not may_run(by, request):
        raise StaffError("消去を実施できるのは、市の承認を受けた申請について、この業務の統括責任者です。")
    if confirmation.strip() != phrase(request):
        raise StaffError(f"確認のため「{phrase(request)}」と入力してください。", "confirmation")
    if request.planned_on > today():
        raise StaffError(f"処理予定日（{request.planned_on}）より前には実施できません。", "confirmation")
    request.state, request.executed_by_id = ErasureState.running, by.id
    task = tasks.submit(KIND, {"request_id": request.id}, by=by, subject_type="staff_erasure", subject_id=request.id,
                        title=f"個人情報の消去（{Programme(request.programme).label}）")
    request.task_id = task.id
    audit.record("update", "staff_erasure", request.id, f"消去を開始（背景処理{task.id}）", by=by,
                 programme=request.programme)
    return task.id


def _remove_files(programme: str) -> int:
    """The files background work left with the programme's data (its exports, the handover
    packages): copies of what is erased."""
    made = db.session.scalars(select(Task.id).where(or_(
        Task.programme == programme, Task.subject_type == f"{handover.SUBJECT}:{programme}"))).all()
    return files.remove_of(made)


@tasks.kind(KIND, title="個人情報の消去")
def run_erasure(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Delete the rows in one transaction (a failure leaves everything as it was) and record
    what was erased; run again after it finished, it does nothing."""
    request = db.session.get(ErasureRequest, int(ctx.params["request_id"]))
    if request is None or request.state is not ErasureState.running:
        db.session.rollback()
        return {"summary": "この消去はすでに実施済みか、実施できる状態ではありません。"}
    names = ERASABLE[request.programme]
    total = 0
    ctx.progress(0, len(names), phase="消去しています", unit="表")
    for done, name in enumerate(names, start=1):
        table = db.metadata.tables[name]
        if name == "furusato_donors":  # a merged donor points at the one it was merged into
            db.session.execute(update(table).values(merged_into_id=None))
        total += db.session.execute(delete(table)).rowcount or 0
        ctx.progress(done)
    request.state, request.finished_at, request.erased_rows = ErasureState.done, now(), total
    removed = _remove_files(request.programme)
    audit.record("update", "staff_erasure", request.id,
                 f"個人情報を消去（{len(names)}表・{total}行、出力ファイル{removed}件）", by=None,
                 programme=request.programme)
    db.session.commit()
    return {"summary": f"{len(names)}表・{total:,}行と出力ファイル{removed}件を消去しました。",
            "link": f"/staff/erasures/{request.id}", "link_label": "消去の記録を開く"}
