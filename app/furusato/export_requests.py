"""出力申請: the approval a CSV of donors' personal data needs before it is made.

000 別紙 §8(2): personal data is copied only with the city's prior approval and to the least
extent the work needs; 004 特記事項 §10 forbids any use beyond the contract. So an export of more
than `EXPORT_WITHOUT_APPROVAL_ROWS` rows (a day's list for daily work is allowed at once) is a
request that states its purpose and its scope; a supervisor (統括責任者) approves it, and for the
whole database (no filter) the city's staff of the programme too; nobody approves their own.
Only then is the file made, by the background export of app/furusato/exports.py, with a first
line that says who asked, who approved and when (see `mark`), and only the requester downloads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.auth import audit
from app.auth.models import Programme, Role, User
from app.config import settings
from app.core.dates import now
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato import search
from app.furusato.models import ExportRequest, ExportRequestState
from app.tasks.models import Task

OBJECT = "furusato_export_request"
PURPOSE_MAX = 500


class ExportRequestError(Refusal):
    pass


def approval_rows() -> int:
    """Up to this many rows (a day's list for daily work) an export needs no request."""
    return settings().EXPORT_WITHOUT_APPROVAL_ROWS


def needs_approval(rows: int) -> bool:
    """More rows than a day's work takes need an approved request (000 別紙 §8(2))."""
    return rows > approval_rows()


@dataclass(frozen=True)
class RequestInput:
    purpose: str
    export_encoding: str


def request_export(flt: search.DonationFilter, data: RequestInput, *, by: User) -> ExportRequest:
    purpose = data.purpose.strip()
    if not purpose:
        raise ExportRequestError("出力の目的を入力してください（契約の業務のどの作業に使うか）。", "purpose")
    if len(purpose) > PURPOSE_MAX:
        raise ExportRequestError(f"出力の目的は{PURPOSE_MAX}文字以内で入力してください。", "purpose")
    if data.export_encoding not in search.EXPORT_ENCODINGS:
        raise ExportRequestError("出力の文字コードを選んでください。", "export_encoding")
    rows = search.export_count(flt)
    if not needs_approval(rows):
        raise ExportRequestError(f"{rows:,}件の出力には申請は要りません。検索画面からそのまま出力してください。")
    request = ExportRequest(requested_by_id=by.id, purpose=purpose, params=flt.as_params(),
                            conditions=flt.describe(), encoding=data.export_encoding, row_count=rows)
    db.session.add(request)
    db.session.flush()
    scope = request.conditions or "全件"
    audit.record("create", OBJECT, request.id, f"出力申請 {rows}件 範囲：{scope} 目的：{purpose}", by=by)
    return request


def get(request_id: int) -> ExportRequest | None:
    return db.session.get(ExportRequest, request_id)


def _step_for(request: ExportRequest, by: User) -> str | None:
    """Which approval `by` may give this request now: "supervisor", "city" or None."""
    if (request.state is not ExportRequestState.pending or by.id == request.requested_by_id
            or not by.reaches(Programme.furusato)):
        return None
    if by.role == Role.supervisor and request.supervisor_id is None:
        return "supervisor"
    if by.role == Role.city_staff and request.whole and request.city_id is None:
        return "city"
    return None


def can_decide(request: ExportRequest, by: User) -> bool:
    return _step_for(request, by) is not None


def still_needed(request: ExportRequest) -> list[str]:
    """The approvals the request still waits for, in words (none once decided)."""
    if request.state is not ExportRequestState.pending:
        return []
    needed = [] if request.supervisor_id else ["統括責任者の承認"]
    if request.whole and not request.city_id:
        needed.append("市職員の承認（全件の出力）")
    return needed


def approve(request: ExportRequest, *, by: User) -> ExportRequest:
    step = _step_for(request, by)
    if step is None:
        raise ExportRequestError(_why_not(request, by))
    if step == "supervisor":
        request.supervisor_id, request.supervisor_at = by.id, now()
    else:
        request.city_id, request.city_at = by.id, now()
    who = "統括責任者" if step == "supervisor" else "市職員"
    audit.record("approve", OBJECT, request.id, f"出力申請を承認（{who}）", by=by)
    if not still_needed(request):
        _make_file(request, by)
    return request


def _why_not(request: ExportRequest, by: User) -> str:
    if request.state is not ExportRequestState.pending:
        return f"この申請は{request.state.label}です。"
    if by.id == request.requested_by_id:
        return "自分の申請は承認・却下できません。"
    return "この申請を承認できるのは、統括責任者（全件の出力は市職員も）です。"


def _make_file(request: ExportRequest, by: User) -> Task:
    from app.furusato import exports

    db.session.flush()  # the approvals' users are loaded for the mark
    task = exports.start_approved(request, mark(request), by=by)
    request.state, request.task_id = ExportRequestState.approved, task.id
    return task


def refuse(request: ExportRequest, reason: str, *, by: User) -> ExportRequest:
    if _step_for(request, by) is None:
        raise ExportRequestError(_why_not(request, by))
    if not reason.strip():
        raise ExportRequestError("却下の理由を入力してください。", "reason")
    request.state = ExportRequestState.refused
    request.refused_by_id, request.refused_at, request.refusal_reason = by.id, now(), reason.strip()
    audit.record("refuse", OBJECT, request.id, f"出力申請を却下：{reason.strip()}", by=by)
    return request


def mark(request: ExportRequest) -> str:
    """The file's first line: the request, who asked and approved, when. It travels with the
    data wherever the file goes (a file name is changed, a separate file is lost)."""
    db.session.refresh(request)
    approvals = [f"統括責任者 {request.supervisor.display_name}（{request.supervisor_at:%Y-%m-%d %H:%M}）"]
    if request.city is not None and request.city_at is not None:
        approvals.append(f"市職員 {request.city.display_name}（{request.city_at:%Y-%m-%d %H:%M}）")
    asked = f"{request.requested_by.display_name}（{request.requested_at:%Y-%m-%d %H:%M}）"
    return (f"# 出力申請 #{request.id} 申請：{asked}"
            f" 目的：{request.purpose} 範囲：{request.conditions or '全件'}（{request.row_count}件）"
            f" 承認：{'、'.join(approvals)}")


def work_list(*, by: User) -> list[ExportRequest]:
    """The requests waiting for `by`'s approval: a supervisor's, or the city's (whole ones)."""
    query = select(ExportRequest).where(ExportRequest.state == ExportRequestState.pending,
                                        ExportRequest.requested_by_id != by.id)
    if by.role == Role.supervisor:
        query = query.where(ExportRequest.supervisor_id.is_(None))
    elif by.role == Role.city_staff:
        query = query.where(ExportRequest.conditions == "", ExportRequest.city_id.is_(None))
    else:
        return []
    return list(db.session.scalars(query.order_by(ExportRequest.requested_at, ExportRequest.id)))


def mine(*, by: User, limit: int = 50) -> list[ExportRequest]:
    """`by`'s own requests and those `by` decided, newest first."""
    query = select(ExportRequest).where(or_(
        ExportRequest.requested_by_id == by.id, ExportRequest.supervisor_id == by.id,
        ExportRequest.city_id == by.id, ExportRequest.refused_by_id == by.id))
    return list(db.session.scalars(query.order_by(ExportRequest.id.desc()).limit(limit)))


def request_of(task: Task) -> ExportRequest | None:
    if task.subject_type != OBJECT or task.subject_id is None:
        return None
    return get(task.subject_id)
