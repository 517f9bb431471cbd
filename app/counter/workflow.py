"""Which step may follow which, and who takes it (issue 5, 000 §6 and §7(2)).

受付 → 確認 → 入力 → 審査依頼 → 審査 → 交付 → 会計 → 完了, with 差戻し from 審査 back to 入力,
保留 (and back to where the case was) and 取下げ. A procedure that city staff need not review
goes from 入力 straight to 交付; a case without fees goes from 交付 to 完了. The states and the
steps' names are the enums CaseState and CaseAction (app/counter/models.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.refusal import Refusal
from app.counter.models import CaseAction, CaseState

S = CaseState
# The way a case goes when nothing stops it (the steps shown on the case page); 保留 and 取下げ
# are off it.
PATH = (S.received, S.checking, S.input, S.review_requested, S.in_review, S.issue, S.payment, S.done)
CLOSED_STATES = frozenset({S.done, S.withdrawn})
OPEN_STATES = tuple(state for state in CaseState if state not in CLOSED_STATES)
REVIEW_STATES = (S.review_requested, S.in_review)
CHECK_STATES = (S.received, S.checking)  # the checks may still change
ISSUED_STATES = (S.issue, S.payment, S.done)  # issue decided: the documents may be made
COUNTER_ROLES = frozenset({"operator", "supervisor"})
REVIEW_ROLES = frozenset({"city_staff"})


@dataclass(frozen=True)
class Action:
    name: CaseAction
    sources: tuple[CaseState, ...]
    target: CaseState | None  # None: decided by the service (issue → payment or done; resume)
    roles: frozenset[str]
    by_register: bool = False  # taken only by the register's hooks, never by a button

    @property
    def label(self) -> str:
        return self.name.label


def _steps(*actions: Action) -> dict[str, Action]:
    return {a.name.value: a for a in actions}


A = CaseAction
ACTIONS: dict[str, Action] = _steps(
    Action(A.start_check, (S.received,), S.checking, COUNTER_ROLES),
    Action(A.confirm_checks, (S.checking,), S.input, COUNTER_ROLES),
    Action(A.request_review, (S.input,), S.review_requested, COUNTER_ROLES),
    Action(A.finish_input, (S.input,), S.issue, COUNTER_ROLES),
    Action(A.start_review, (S.review_requested,), S.in_review, REVIEW_ROLES),
    Action(A.approve, (S.in_review,), S.issue, REVIEW_ROLES),
    Action(A.return_, (S.in_review,), S.input, REVIEW_ROLES),
    Action(A.issue, (S.issue,), None, COUNTER_ROLES),
    Action(A.complete_payment, (S.payment,), S.done, COUNTER_ROLES | {"admin"}, by_register=True),
    # a supervisor approved voiding the payment: pay again, or refunded for good
    Action(A.reopen_payment, (S.done,), S.payment, COUNTER_ROLES | {"admin"}, by_register=True),
    Action(A.refund, (S.done,), S.withdrawn, COUNTER_ROLES | {"admin"}, by_register=True),
    # a supervisor cancelled the unpaid bill: the visitor left without paying
    Action(A.cancel_payment, (S.payment,), S.withdrawn, COUNTER_ROLES | {"admin"}, by_register=True),
    Action(A.hold, (S.received, S.checking, S.input), S.on_hold, COUNTER_ROLES),
    Action(A.resume, (S.on_hold,), None, COUNTER_ROLES),
    Action(A.withdraw, (S.received, S.checking, S.input, S.review_requested, S.in_review, S.on_hold),
           S.withdrawn, COUNTER_ROLES),
)


class TransitionError(Refusal):
    """The step may not follow the case's state, or is not for the person's role."""


def check_transition(action: str, state: str, role: str) -> Action:
    """The action if it may be taken from `state` by `role`; TransitionError otherwise."""
    if action not in ACTIONS:
        raise TransitionError(f"不明な操作です：{action}")
    step = ACTIONS[action]
    if state not in step.sources:
        raise TransitionError(f"「{step.label}」は状態が「{CaseState.label_of(state)}」の案件にはできません。")
    if role not in step.roles:
        who = "市職員（委託者職員）" if step.roles == REVIEW_ROLES else "窓口の業務従事者"
        rule = "（000 §7(2)：交付決定・入力内容の最終確認は委託者が行う）" if step.roles == REVIEW_ROLES else ""
        raise TransitionError(f"「{step.label}」は{who}が行います{rule}。")
    return step


def actions_from(state: str, role: str) -> list[CaseAction]:
    """The actions a member of staff may take by hand (not the register's)."""
    return [a.name for a in ACTIONS.values() if state in a.sources and role in a.roles and not a.by_register]


def path(state: CaseState) -> list[tuple[CaseState, bool]]:
    """The steps of the way a case goes, each with whether the case is there now; a case on
    hold or withdrawn shows that state at the end."""
    shown = [*PATH, state] if state not in PATH else list(PATH)
    return [(step, step == state) for step in shown]


def is_counter_staff(role: str) -> bool:
    return role in COUNTER_ROLES


def is_reviewer(role: str) -> bool:
    return role in REVIEW_ROLES
