"""A case and its timeline: the one refusal of the counter, the step from state to state (with
its event and audit row), the audited read, and the steps any open case may take — 確認開始,
保留, 保留解除, 取下げ (000 §6, §7).

Services here and in the other modules of the package flush, never commit (STYLE rule 4).
Every change of a case (which holds the requester's personal data) writes a timeline event
and an audit row.
"""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from app.auth import audit
from app.auth.models import User
from app.core import events
from app.core.dates import now
from app.core.refusal import Refusal
from app.counter import workflow
from app.counter.models import Case, CaseEvent, CaseState
from app.extensions import db

#: Every change of a case's state: the work lists follow it (their SSE stream).
CASES_CHANNEL = "counter:cases"


class CaseError(Refusal):
    """A rule of the counter stops the case; `problems` names every rule, by field."""


def record_event(case: Case, by: User | None, action: str, note: str = "", *,
                 moved_from: CaseState | None = None) -> None:
    """One line of the timeline: `by` (None for the system) took `action`; a step from state
    to state names the state it left."""
    _timeline_line(case, by, action, note, moved_from or case.state)


def record_opening(case: Case, by: User, note: str) -> None:
    """The timeline's first line: the case was received (it left no state)."""
    _timeline_line(case, by, "receive", note, None)


def _timeline_line(case: Case, by: User | None, action: str, note: str, from_state: CaseState | None) -> None:
    case.events.append(CaseEvent(
        at=now(), user_id=by.id if by else None, username=by.username if by else "(system)",
        action=action, from_state=from_state, to_state=case.state, note=note))


def guard(action: str, case: Case, by: User) -> workflow.Action:
    """The step if `by` may take it from the case's state (a CaseError says why not)."""
    try:
        return workflow.check_transition(action, case.state, by.role)
    except workflow.TransitionError as exc:
        raise CaseError(exc.message) from exc


def move(case: Case, action: str, by: User, note: str = "", target: CaseState | None = None) -> None:
    """Take the step: the case goes to the step's state (or `target`, where the service
    decides), with its event and audit row."""
    step = guard(action, case, by)
    new_state = target or step.target
    assert new_state is not None
    old = case.state
    case.state, case.state_since = new_state, now()
    case.closed_at = case.state_since if new_state in workflow.CLOSED_STATES else None
    record_event(case, by, action, note, moved_from=old)
    audit.record("update", "case", case.id, f"{step.label}：{old.label}→{new_state.label}"
                 + (f"（{note}）" if note else ""), by=by)
    db.session.flush()
    # live pages (issue 15 §1): the case's own page, and the work lists (審査待ち, 差戻し, ...)
    events.publish(case_channel(case.id), {"state": new_state})
    events.publish(CASES_CHANNEL, {"case": case.id, "state": new_state})


def case_channel(case_id: int) -> str:
    return f"counter:case:{case_id}"


def state_of(case_id: int) -> str:
    """The case's state as its live page compares it ("" for a case that is gone)."""
    case = db.session.get(Case, case_id)
    return str(case.state) if case is not None else ""


def read_case(case_id: int, *, by: User | None) -> Case | None:
    """A case holds a person's data: opening it is an audited read. Its procedure and visit,
    which every case page shows, come in the same statement."""
    case = db.session.get(Case, case_id, options=(joinedload(Case.procedure), joinedload(Case.visit)))
    if case is not None:
                audit.record("read", "case", case.id, case.procedure.name, by=by)
    return case


def drop_fee_lines(case: Case) -> None:
    """No fee remains to collect (what was entered is gone, or the case was withdrawn)."""
    for line in list(case.fee_lines):
        case.fee_lines.remove(line)
        db.session.delete(line)


def start_check(case: Case, by: User) -> None:
    move(case, "start_check", by)


def hold(case: Case, by: User, reason: str) -> None:
    guard("hold", case, by)
    if not reason.strip():
        raise CaseError("保留の理由を入力してください。", field="note")
    case.held_from, case.hold_reason = case.state, reason.strip()
    move(case, "hold", by, reason.strip())


def resume(case: Case, by: User) -> None:
    guard("resume", case, by)
    back = case.held_from or CaseState.received
    case.held_from = None
    move(case, "resume", by, target=back)


def withdraw(case: Case, by: User, reason: str) -> None:
    guard("withdraw", case, by)
    if not reason.strip():
        raise CaseError("取下げの理由を入力してください。", field="note")
    withdrawn(case, "withdraw", by, reason.strip())


def withdrawn(case: Case, action: str, by: User, reason: str) -> None:
    """取下げ, at the counter or decided at the register (a refund, or the visitor left): the
    reason is kept and no fee remains to collect."""
    case.withdraw_reason = reason
    drop_fee_lines(case)
    move(case, action, by, reason)
