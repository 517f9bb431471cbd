"""A change of 作業責任者: the contractor's supervisor applies in writing beforehand, the city's
staff of the programme approve it, and only then does the new one take over (004 特記事項
§3(3); 管理責任者, 000 別紙 §3(3)). Until the approval, the present 作業責任者 stays in post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.staff import register
from app.staff.login import end_sessions_if_ended
from app.staff.models import ChangeState, DisposalRequest, LeadChange, Post, StaffEntry
from app.staff.programmes import reaches
from app.staff.refusals import StaffError
from app.web.paging import Page, paged


@dataclass(frozen=True)
class LeadChangeInput:
    name: str
    duty: str
    start_on: date | None
    reason: str
    user_id: int | None = None


def get_change(change_id: int) -> LeadChange | None:
    return db.session.get(LeadChange, change_id)


def changes(programme: str, page: int = 1) -> Page[LeadChange]:
    return paged(select(LeadChange).where(LeadChange.programme == programme)
                 .order_by(LeadChange.requested_at.desc(), LeadChange.id.desc()), page)


def open_change(programme: str) -> LeadChange | None:
    return db.session.scalar(select(LeadChange).where(LeadChange.programme == programme,
                                                      LeadChange.state == ChangeState.requested))


def request_change(programme: str, data: LeadChangeInput, *, by: User) -> LeadChange:
    """The supervisor's written application for a new 作業責任者 (nothing changes yet)."""
    register.require_edit(by, programme)
    present = register.current_lead(programme)
    problems = []
    if present is None:
        problems.append(Problem("", "現在の作業責任者が名簿にありません。名簿に作業責任者として登録してください。"))
    if open_change(programme) is not None:
        problems.append(Problem("", "承認待ちの変更申請があります。市の承認または不承認を待ってください。"))
    if not data.name.strip():
        problems.append(Problem("name", "新しい作業責任者の氏名を入力してください。"))
    if data.start_on is None:
        problems.append(Problem("start_on", "交代予定日を入力してください。"))
    elif present is not None and data.start_on <= present.start_on:
        problems.append(Problem("start_on", "交代予定日は現在の作業責任者の従事開始日より後にしてください。"))
    if not data.reason.strip():
        problems.append(Problem("reason", "変更の理由を入力してください。"))
    problems += register.user_problems(programme, data.user_id, None)
    if problems:
        raise StaffError.of(problems)
    assert present is not None and data.start_on is not None
    change = LeadChange(programme=programme, current_entry_id=present.id, name=data.name.strip(),
                        duty=data.duty.strip(), start_on=data.start_on, reason=data.reason.strip(),
                        user_id=data.user_id or None, requested_by_id=by.id)
    db.session.add(change)
    db.session.flush()
    audit.record("create", "staff_lead_change", change.id, f"作業責任者の変更申請 {present.name}→{change.name}", by=by,
                 programme=change.programme)
    return change


def record_decision(row: LeadChange | DisposalRequest, state: str, note: str, *, by: User) -> None:
    """The city's decision on a request in writing: its state, who, when and the note."""
    row.state, row.decided_by_id, row.decided_at, row.decision_note = state, by.id, now(), note.strip()


def may_decide(user: User, change: LeadChange) -> bool:
    return (change.state is ChangeState.requested and user.role == Role.city_staff
            and reaches(user, change.programme))


def _require_decider(change: LeadChange, by: User) -> None:
    if change.state is not ChangeState.requested:
        raise StaffError(f"この申請はすでに{change.state.label}です。")
    if not may_decide(by, change):
        raise StaffError("作業責任者の変更を承認できるのは、この業務の担当の市職員だけです。")


def approve(change: LeadChange, note: str, *, by: User) -> StaffEntry:
    """The city approves: the new 作業責任者 takes over on the planned day, or today when the
    approval comes later; the present one's term ends the day before."""
    _require_decider(change, by)
    takeover = max(change.start_on, today())
    present = change.current_entry
    present.end_on = max(present.start_on, takeover - timedelta(days=1))
    entry = StaffEntry(programme=change.programme, post=Post.lead, name=change.name, duty=change.duty,
                       start_on=takeover, user_id=change.user_id)
    db.session.add(entry)
    db.session.flush()
    record_decision(change, ChangeState.approved, note, by=by)
    change.new_entry_id = entry.id
    end_sessions_if_ended(present.user)
    audit.record("approve", "staff_lead_change", change.id,
                 f"作業責任者の変更を承認 {present.name}→{entry.name}（{takeover}から）", by=by,
                 programme=change.programme)
    return entry


def reject(change: LeadChange, note: str, *, by: User) -> None:
    _require_decider(change, by)
    if not note.strip():
        raise StaffError("不承認の理由を入力してください。", "note")
    record_decision(change, ChangeState.rejected, note, by=by)
    audit.record("return", "staff_lead_change", change.id, f"作業責任者の変更を不承認：{change.decision_note}", by=by,
                 programme=change.programme)
