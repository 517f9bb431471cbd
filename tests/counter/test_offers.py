"""What the case page offers whom: the template asks these instead of spelling states and roles."""

from __future__ import annotations

from app.counter import actions, checks, inputs, review, workflow
from app.counter.models import CaseState
from tests.registry.factories import yamabiko_family


def test_the_counter_works_the_case_until_review_and_city_staff_review_it(checked_case, operator, city) -> None:
    case = checked_case(subject_id=yamabiko_family().members[0].id)
    at_counter = actions.offers(case, operator)
    assert (at_counter.edit_input, at_counter.choose_subject, at_counter.edit_checks) == (True, True, False)
    assert not at_counter.review and {"request_review", "hold", "withdraw"} <= set(at_counter.steps)
    assert not actions.offers(case, city).edit_input and not actions.offers(case, city).choose_subject

    inputs.save_input(case, {"copies": "1", "scope": "household", "purpose": "勤務先へ提出"}, operator)
    inputs.request_review(case, operator)
    reviewing = actions.offers(case, city)
    assert reviewing.review and reviewing.steps == ["start_review"] and not actions.offers(case, operator).review
    review.start_review(case, city)
    assert actions.offers(case, city).steps == ["approve", "return"]
    assert [state for state, current in actions.offers(case, city).path if current] == [CaseState.in_review]


def test_a_case_on_hold_shows_that_state_after_the_way_a_case_goes(open_case, operator) -> None:
    case = open_case()
    actions.act(case, "hold", operator, "書類を取りに戻った")
    offers = actions.offers(case, operator)
    assert offers.on_hold and offers.steps == ["resume", "withdraw"]
    assert offers.path[-1] == (CaseState.on_hold, True) and [s for s, _ in offers.path[:-1]] == list(workflow.PATH)


def test_the_check_form_asks_what_the_procedure_accepts(open_case) -> None:
    copy = open_case("resident_record_copy").procedure
    assert {"power_of_attorney", "third_party_reason", "official_basis"} <= checks.asked_for(copy)
