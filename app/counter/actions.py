"""The case page's buttons: a workflow step taken by name, what the page tells the counter
afterwards, and what the page offers whom. The steps themselves, with their rules, are in the
modules named below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.auth.models import User
from app.counter import card_reads, checks, inputs, residents, workflow
from app.counter.cases import CaseError, hold, resume, start_check, withdraw
from app.counter.issue import issue
from app.counter.models import Case, CaseAction, CaseState
from app.counter.review import approve, return_for_correction, start_review

Step = Callable[[Case, User, str], None]
STEPS: dict[str, Step] = {
    "start_check": lambda case, by, _note: start_check(case, by),
    "confirm_checks": lambda case, by, _note: checks.confirm_checks(case, by),
    "request_review": lambda case, by, _note: inputs.request_review(case, by),
    "finish_input": lambda case, by, _note: inputs.finish_input(case, by),
    "start_review": lambda case, by, _note: start_review(case, by),
    "approve": approve,
    "return": return_for_correction,
    "issue": lambda case, by, _note: issue(case, by),
    "hold": hold,
    "resume": lambda case, by, _note: resume(case, by),
    "withdraw": withdraw,
}
REVIEW_STEPS = frozenset({"start_review", "approve", "return"})


def act(case: Case, action: str, by: User, note: str = "") -> Case:
    """Any workflow step by name (the page's buttons); the step's own function holds its rules."""
    if action not in STEPS:
        raise CaseError(f"不明な操作です：{action}")
    STEPS[action](case, by, note)
    return case


def done_message(case: Case, action: str) -> str:
    """What the counter is told after a step: the new state, and where a visitor with a fee
    to pay goes next."""
    message = f"{workflow.ACTIONS[action].label}しました。（状態：{case.state.label}）"
    ticket = case.visit.ticket
    waiting = ticket is not None and ticket.state == "cashier_waiting"
    if action == "issue" and case.state == CaseState.payment and waiting:
        message += f"番号札 {ticket.label} の方を会計待ちにしました。会計窓口へご案内ください。"
    return message


@dataclass(frozen=True)
class Offers:
    """What the case page shows and offers `by`: the template asks these, never a state or a
    role. `steps` are the workflow steps `by` may take by hand now."""

    steps: list[CaseAction]
    path: list[tuple[CaseState, bool]]
    read_card: bool
    choose_subject: bool
    match_requester: bool
    edit_checks: bool
    checks_asked: set[str]
    checks_recorded: set[str]
    input_shown: bool
    edit_input: bool
    review: bool
    issue_shown: bool
    on_hold: bool
    awaiting_payment: bool


def offers(case: Case, by: User) -> Offers:
    steps = workflow.actions_from(case.state, by.role)
    return Offers(
        steps=steps, path=workflow.path(case.state),
        read_card=card_reads.can_read_card(case, by), choose_subject=residents.can_choose_subject(case, by),
        match_requester=residents.can_match_requester(by), edit_checks=checks.can_edit_checks(case, by),
        checks_asked=checks.asked_for(case.procedure), checks_recorded=checks.recorded_for(case),
        input_shown=inputs.input_shown(case), edit_input=inputs.can_edit_input(case, by),
        review=bool(REVIEW_STEPS & set(steps)), issue_shown=case.state in workflow.ISSUED_STATES,
        on_hold=case.state == CaseState.on_hold, awaiting_payment=case.state == CaseState.payment)
