"""The case states and which step may follow which (issue 5, 000 §6 and §7(2)).

受付 → 確認 → 入力 → 審査依頼 → 審査 → 交付 → 会計 → 完了, with 差戻し from 審査 back to 入力,
保留 (and back to where the case was) and 取下げ. A procedure that city staff need not review
goes from 入力 straight to 交付; a case without fees goes from 交付 to 完了.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.refusal import Refusal

STATES: dict[str, str] = {
    "received": "受付",
    "checking": "確認",
    "input": "入力",
    "review_requested": "審査依頼",
    "in_review": "審査",
    "issue": "交付",
    "payment": "会計",
    "done": "完了",
    "withdrawn": "取下げ",
    "on_hold": "保留",
}
OPEN_STATES = ("received", "checking", "input", "review_requested", "in_review", "issue", "payment", "on_hold")
CLOSED_STATES = ("done", "withdrawn")
COUNTER_ROLES = frozenset({"operator", "supervisor"})
REVIEW_ROLES = frozenset({"city_staff"})


@dataclass(frozen=True)
class Action:
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: decided by the service (issue → payment or done; resume)
    roles: frozenset[str]
    by_register: bool = False  # taken only by the register's hooks, never by a button


ACTIONS: dict[str, Action] = {
    "start_check": Action("確認開始", ("received",), "checking", COUNTER_ROLES),
    "confirm_checks": Action("確認完了", ("checking",), "input", COUNTER_ROLES),
    "request_review": Action("審査依頼", ("input",), "review_requested", COUNTER_ROLES),
    "finish_input": Action("入力完了", ("input",), "issue", COUNTER_ROLES),
    "start_review": Action("審査開始", ("review_requested",), "in_review", REVIEW_ROLES),
    "approve": Action("承認", ("in_review",), "issue", REVIEW_ROLES),
    "return": Action("差戻し", ("in_review",), "input", REVIEW_ROLES),
    "issue": Action("交付", ("issue",), None, COUNTER_ROLES),
    "complete_payment": Action("収納完了", ("payment",), "done", COUNTER_ROLES | {"admin"}, by_register=True),
    # a supervisor approved voiding the payment: pay again, or refunded for good
    "reopen_payment": Action("収納取消（再収納）", ("done",), "payment", COUNTER_ROLES | {"admin"}, by_register=True),
    "refund": Action("収納取消（返金）", ("done",), "withdrawn", COUNTER_ROLES | {"admin"}, by_register=True),
    # a supervisor cancelled the unpaid bill: the visitor left without paying
    "cancel_payment": Action("会計取消", ("payment",), "withdrawn", COUNTER_ROLES | {"admin"}, by_register=True),
    "hold": Action("保留", ("received", "checking", "input"), "on_hold", COUNTER_ROLES),
    "resume": Action("保留解除", ("on_hold",), None, COUNTER_ROLES),
    "withdraw": Action("取下げ", ("received", "checking", "input", "review_requested", "in_review",
                                  "on_hold"), "withdrawn", COUNTER_ROLES),
}


class TransitionError(Refusal):
    """The step may not follow the case's state, or is not for the person's role."""


def check_transition(action: str, state: str, role: str) -> Action:
    """The action if it may be taken from `state` by `role`; TransitionError otherwise."""
    if action not in ACTIONS:
        raise TransitionError(f"不明な操作です：{action}")
    step = ACTIONS[action]
    if state not in step.sources:
        raise TransitionError(f"「{step.label}」は状態が「{STATES.get(state, state)}」の案件にはできません。")
    if role not in step.roles:
        who = "市職員（委託者職員）" if step.roles == REVIEW_ROLES else "窓口の業務従事者"
        rule = "（000 §7(2)：交付決定・入力内容の最終確認は委託者が行う）" if step.roles == REVIEW_ROLES else ""
        raise TransitionError(f"「{step.label}」は{who}が行います{rule}。")
    return step


def actions_from(state: str, role: str) -> list[str]:
    """The actions a member of staff may take by hand (not the register's)."""
    return [name for name, a in ACTIONS.items() if state in a.sources and role in a.roles and not a.by_register]
