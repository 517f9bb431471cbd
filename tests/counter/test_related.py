"""関係各課への案内 (000 §6(3)②): one test per rule of related.yaml, and the case-level list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.dates import today
from app.counter import catalog, inputs, moves, related
from app.counter.related import PersonFacts, related_procedures, school_grade, until_march_after_age
from tests.registry.factories import yamabiko_family

ON = date(2026, 5, 1)


def _rules_for(kind: str, person: PersonFacts) -> set[str]:
    return {r.rule for r in related_procedures(kind, [person], ON)}


def test_every_rule_is_tested_here() -> None:
    tested = {"child_allowance", "child_medical", "school", "infant_health", "nhi", "late_elderly",
              "national_pension", "long_term_care", "my_number_card", "seal_registration"}
    assert {r["code"] for r in related.rules()} == tested


def test_catalog_links_point_at_real_entries() -> None:
    codes = {e["code"] for e in catalog.entries()}
    assert {r["catalog"] for r in related.rules() if r.get("catalog")} <= codes


def test_child_allowance_until_the_march_after_eighteen() -> None:
    seventeen = PersonFacts("子", date(2008, 6, 1))
    assert "child_allowance" in _rules_for("move_in", seventeen)
    # turned 18 in June 2025; the allowance ran to 31 March 2026
    assert "child_allowance" not in _rules_for("move_in", PersonFacts("子", date(2007, 6, 1)))
    assert "child_allowance" in _rules_for("move_out", seventeen)
    text = next(r.procedure for r in related_procedures("move_out", [seventeen], ON) if r.rule == "child_allowance")
    assert "消滅" in text


def test_child_medical_follows_the_same_age() -> None:
    assert "child_medical" in _rules_for("move_within", PersonFacts("子", date(2010, 1, 1)))
    assert "child_medical" not in _rules_for("move_within", PersonFacts("親", date(1980, 1, 1)))


def test_school_age_children_go_to_the_school_board() -> None:
    assert "school" in _rules_for("move_in", PersonFacts("小1", date(2019, 4, 2)))
    assert "school" not in _rules_for("move_in", PersonFacts("年長", date(2020, 4, 2)))
    assert "school" in _rules_for("move_in", PersonFacts("中3", date(2011, 4, 2)))
    assert "school" not in _rules_for("move_in", PersonFacts("高1", date(2010, 4, 1)))


def test_school_grade_boundaries_of_the_first_of_april() -> None:
    assert school_grade(date(2019, 4, 1), ON) == 2  # born 1 April: the older year
    assert school_grade(date(2019, 4, 2), ON) == 1


def test_until_march_after_age_on_its_last_day() -> None:
    assert until_march_after_age(date(2008, 4, 2), 18, date(2027, 3, 31))
    assert not until_march_after_age(date(2008, 4, 2), 18, date(2027, 4, 1))


def test_infants_get_health_checkups_on_move_in() -> None:
    assert "infant_health" in _rules_for("move_in", PersonFacts("乳児", date(2025, 1, 1)))
    assert "infant_health" not in _rules_for("move_within", PersonFacts("乳児", date(2025, 1, 1)))


def test_nhi_members_under_75() -> None:
    assert "nhi" in _rules_for("move_in", PersonFacts("加入者", date(1980, 1, 1), nhi_member=True))
    assert "nhi" not in _rules_for("move_in", PersonFacts("会社員", date(1980, 1, 1), nhi_member=False))
    assert "nhi" not in _rules_for("move_in", PersonFacts("後期", date(1940, 1, 1), nhi_member=True))
    assert "nhi" in _rules_for("household_change", PersonFacts("加入者", date(1980, 1, 1), nhi_member=True))


def test_seventy_five_and_over_late_elderly() -> None:
    assert "late_elderly" in _rules_for("move_in", PersonFacts("高齢", date(1951, 4, 30)))
    assert "late_elderly" not in _rules_for("move_in", PersonFacts("74歳", date(1951, 5, 2)))


def test_first_category_pension_on_move_in() -> None:
    assert "national_pension" in _rules_for("move_in", PersonFacts("自営", date(1990, 1, 1), True, "1"))
    assert "national_pension" not in _rules_for("move_in", PersonFacts("会社員", date(1990, 1, 1), False, "2"))
    assert related.pension_category_for_new_resident(date(1990, 1, 1), True, ON) == "1"
    assert related.pension_category_for_new_resident(date(1960, 1, 1), True, ON) == ""


def test_sixty_five_and_over_long_term_care() -> None:
    assert "long_term_care" in _rules_for("move_out", PersonFacts("高齢", date(1960, 1, 1)))
    assert "long_term_care" not in _rules_for("move_out", PersonFacts("64歳", date(1962, 1, 1)))


def test_everyone_moving_in_or_within_hears_about_the_card() -> None:
    assert "my_number_card" in _rules_for("move_within", PersonFacts("誰でも", date(1990, 1, 1)))
    assert "my_number_card" not in _rules_for("move_out", PersonFacts("誰でも", date(1990, 1, 1)))


def test_seal_registration_ends_with_a_move_out() -> None:
    assert "seal_registration" in _rules_for("move_out", PersonFacts("成人", date(1990, 1, 1)))
    assert "seal_registration" not in _rules_for("move_out", PersonFacts("子", date(2015, 1, 1)))


def test_an_unknown_condition_in_the_data_is_refused() -> None:
    bad = [{"code": "x", "department": "x", "moves": ["move_in"], "person": {"shoe_size": 25}, "procedure": "x"}]
    with pytest.raises(KeyError):
        related_procedures("move_in", [PersonFacts("a", date(1990, 1, 1))], ON, bad)


def test_the_list_for_a_family_moving_within(checked_case, operator) -> None:
    household = yamabiko_family()
    case = checked_case("move_within", subject_id=household.members[0].id, documents_checked=["住民異動届"])
    inputs.save_input(case, {"moved_on": (today() - timedelta(days=1)).isoformat(), "postal_code": "0210001",
                               "address": "岩手県一関市新町9番9号",
                               "members": [str(m.id) for m in household.members]}, operator)
    items = {r.rule: r for r in moves.related_for_case(case, operator)}
    assert {"child_allowance", "child_medical", "nhi", "my_number_card", "school"} <= set(items)
    assert items["school"].people == ["山彦\u3000翔"]
    assert len(items["nhi"].people) == 4
