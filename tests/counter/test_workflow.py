"""Every state rule: which action may follow which state, and who may take it."""

from __future__ import annotations

import pytest

from app.counter.models import CaseState
from app.counter.workflow import ACTIONS, TransitionError, actions_from, check_transition

LEGAL = {
    ("start_check", "received"), ("confirm_checks", "checking"), ("request_review", "input"),
    ("finish_input", "input"), ("start_review", "review_requested"), ("approve", "in_review"),
    ("return", "in_review"), ("issue", "issue"), ("complete_payment", "payment"),
    ("reopen_payment", "done"), ("refund", "done"), ("cancel_payment", "payment"),
    ("hold", "received"), ("hold", "checking"), ("hold", "input"), ("resume", "on_hold"),
    *(("withdraw", s) for s in ("received", "checking", "input", "review_requested", "in_review", "on_hold")),
}


def _role_for(action: str) -> str:
    return "city_staff" if action in ("start_review", "approve", "return") else "operator"


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", list(CaseState))
def test_each_action_from_each_state(action: str, state: str) -> None:
    if (action, state) in LEGAL:
        assert check_transition(action, state, _role_for(action)) is ACTIONS[action]
    else:
        with pytest.raises(TransitionError, match=f"「{ACTIONS[action].label}」は状態が「{CaseState(state).label}」"):
            check_transition(action, state, _role_for(action))


@pytest.mark.parametrize("action", ["start_review", "approve", "return"])
def test_only_city_staff_review(action: str) -> None:
    state = next(s for a, s in LEGAL if a == action)
    for role in ("operator", "supervisor", "admin"):
        with pytest.raises(TransitionError, match="000 §7\\(2\\)"):
            check_transition(action, state, role)


@pytest.mark.parametrize("action", ["start_check", "confirm_checks", "request_review", "issue", "withdraw"])
def test_city_staff_do_not_take_counter_steps(action: str) -> None:
    state = next(s for a, s in LEGAL if a == action)
    with pytest.raises(TransitionError, match="窓口の業務従事者"):
        check_transition(action, state, "city_staff")


def test_closed_cases_allow_nothing() -> None:
    for state in ("done", "withdrawn"):
        for role in ("operator", "supervisor", "city_staff", "admin"):
            assert actions_from(state, role) == []


def test_buttons_offered_match_the_rules() -> None:
    assert actions_from("in_review", "city_staff") == ["approve", "return"]
    assert set(actions_from("input", "operator")) == {"request_review", "finish_input", "hold", "withdraw"}


def test_the_register_steps_are_not_buttons() -> None:
    assert actions_from("payment", "operator") == []
    assert all(not ACTIONS[a].by_register for role in ("operator", "supervisor", "admin", "city_staff")
               for state in CaseState for a in actions_from(state, role))
