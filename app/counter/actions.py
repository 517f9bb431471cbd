"""The case page's buttons: a workflow step taken by name, and what the page tells the
counter afterwards. The steps themselves, with their rules, are in the modules named below."""

from __future__ import annotations

from collections.abc import Callable

from app.auth.models import User
from app.counter import workflow
from app.counter.cases import CaseError, hold, resume, start_check, withdraw
from app.counter.checks import confirm_checks
from app.counter.inputs import finish_input, request_review
from app.counter.issue import issue
from app.counter.models import Case
from app.counter.review import approve, return_for_correction, start_review

Step = Callable[[Case, User, str], None]
STEPS: dict[str, Step] = {
    "start_check": lambda case, by, _note: start_check(case, by),
    "confirm_checks": lambda case, by, _note: confirm_checks(case, by),
    "request_review": lambda case, by, _note: request_review(case, by),
    "finish_input": lambda case, by, _note: finish_input(case, by),
    "start_review": lambda case, by, _note: start_review(case, by),
    "approve": approve,
    "return": return_for_correction,
    "issue": lambda case, by, _note: issue(case, by),
    "hold": hold,
    "resume": lambda case, by, _note: resume(case, by),
    "withdraw": withdraw,
}


def act(case: Case, action: str, by: User, note: str = "") -> Case:
    """Any workflow step by name (the page's buttons); the step's own function holds its rules."""
    if action not in STEPS:
        raise CaseError(f"不明な操作です：{action}")
    STEPS[action](case, by, note)
    return case


def done_message(case: Case, action: str) -> str:
    """What the counter is told after a step: the new state, and where a visitor with a fee
    to pay goes next."""
    message = f"{workflow.ACTIONS[action].label}しました。（状態：{workflow.STATES[case.state]}）"
    ticket = case.visit.ticket
    if action == "issue" and case.state == "payment" and ticket is not None and ticket.state == "cashier_waiting":
        message += f"番号札 {ticket.label} の方を会計待ちにしました。会計窓口へご案内ください。"
    return message
