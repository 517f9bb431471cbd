"""Resident moves: the checks of the law and the registry changed only on approval (000 §7(2))."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.calendar import is_regular_office_day
from app.core.dates import today
from app.counter import inputs, issue, moves, residents, review
from app.counter.forms_data import InputError, field_errors, notification_deadline
from app.registry.models import Household, Resident
from tests.registry.factories import yamabiko_family

MOVE_IN_DOCS = ["住民異動届"]


def _persons() -> list[dict[str, str]]:
    return [
        {"family_name": "川口", "given_name": "一郎", "family_kana": "カワグチ", "given_kana": "イチロウ",
         "birth_date": "1985-02-03", "sex": "1", "relationship": "世帯主", "nhi_member": "on"},
        {"family_name": "川口", "given_name": "桜", "family_kana": "カワグチ", "given_kana": "サクラ",
         "birth_date": "2019-07-07", "sex": "2", "relationship": "子"},
    ]


def _move_in(moved_on: date, **extra: object) -> dict[str, object]:
    return {"moved_on": moved_on.isoformat(), "postal_code": "021-0001", "address": "岩手県一関市新町5番5号",
            "previous_address": "宮城県仙台市青葉区本町三丁目8番1号", "persons": _persons(), **extra}


def test_deadline_is_fourteen_days_after_the_move_or_the_next_office_day(app) -> None:
    assert notification_deadline(date(2026, 4, 1)) == date(2026, 4, 15)  # a Wednesday
    # 2026-04-18 is a Saturday: the period ends on Monday 20 April
    assert notification_deadline(date(2026, 4, 4)) == date(2026, 4, 20)
    # the year-end closure: 2026-12-15 + 14 = 12-29, closed until 4 January 2027
    assert notification_deadline(date(2026, 12, 15)) == date(2027, 1, 4)


def test_move_in_within_the_period_needs_no_reason(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    data = inputs.save_input(case, _move_in(today() - timedelta(days=3)), operator)
    assert data["postal_code"] == "0210001" and len(data["persons"]) == 2


@pytest.mark.parametrize(("postal", "message"), [
    ("02100", "7桁の数字"), ("029-0000", "029-0000 は日本郵便の郵便番号データにありません"),
])
def test_the_new_postal_code_must_exist(checked_case, operator, postal: str, message: str) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, _move_in(today() - timedelta(days=3), postal_code=postal), operator)
    assert message in field_errors(exc.value)["postal_code"] and case.form_data == {}


def test_a_postal_code_typed_in_full_width_is_read_as_digits(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    data = inputs.save_input(case, _move_in(today() - timedelta(days=3), postal_code="０２１－０００１"), operator)
    assert data["postal_code"] == "0210001"


def test_late_move_in_needs_the_reason(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    moved_on = today() - timedelta(days=40)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, _move_in(moved_on), operator)
    late = field_errors(exc.value)["late_reason"]
    assert "14日以内" in late and "住民基本台帳法 §22①" in late
    inputs.save_input(case, _move_in(moved_on, late_reason="入院していたため"), operator)


def test_a_move_in_dated_in_the_future_is_refused(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, _move_in(today() + timedelta(days=2)), operator)
    assert "未来" in field_errors(exc.value)["moved_on"]


def test_a_new_household_needs_exactly_one_head(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    persons = _persons()
    persons[0]["relationship"] = "妻"
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {**_move_in(today()), "persons": persons}, operator)
    assert "世帯主を1人" in field_errors(exc.value)["persons"]


def test_a_new_household_needs_its_address(checked_case, operator) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {**_move_in(today()), "address": ""}, operator)
    assert "新住所を入力してください" in field_errors(exc.value)["address"]


def test_a_move_in_can_join_the_subjects_household(checked_case, operator, city, db_session) -> None:
    family = yamabiko_family()
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    grandmother = {"family_name": "山彦", "given_name": "トメ", "family_kana": "ヤマビコ", "given_kana": "トメ",
                   "birth_date": "1948-03-03", "sex": "2", "relationship": "母", "nhi_member": ""}
    joining = {**_move_in(today() - timedelta(days=2)), "postal_code": "", "address": "", "join_household": "on",
               "persons": [grandmother]}
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, joining, operator)
    assert "先に対象者" in field_errors(exc.value)["join_household"]
    residents.set_subject(case, family.members[0].id, operator)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {**joining, "persons": [{**grandmother, "relationship": "世帯主"}]}, operator)
    assert "世帯主を選べません" in field_errors(exc.value)["persons"]
    data = inputs.save_input(case, joining, operator)
    assert (data["postal_code"], data["address"]) == (family.postal_code, family.address)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    db_session.expire_all()
    household = db_session.get(Household, family.id)
    assert sorted(m.given_name for m in household.members) == sorted(["太郎", "花子", "翔", "結", "トメ"])
    assert db_session.scalar(select(func.count()).select_from(Household)) == 1
    assert any("後期高齢者医療" in item.procedure for item in moves.related_for_case(case, operator))


def test_move_in_reaches_the_registry_only_when_city_staff_approve(checked_case, operator, city, db_session) -> None:
    case = checked_case("move_in", documents_checked=MOVE_IN_DOCS)
    inputs.save_input(case, _move_in(today() - timedelta(days=1)), operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    assert db_session.scalar(select(func.count()).select_from(Resident)) == 0
    review.approve(case, city)
    people = db_session.scalars(select(Resident).order_by(Resident.id)).all()
    assert [p.given_name for p in people] == ["一郎", "桜"]
    assert people[0].nhi_member and people[0].household.address == "岩手県一関市新町5番5号"
    issue.issue(case, operator)
    assert case.state == "done"  # nothing to pay for a notification


def test_move_out_of_the_head_needs_the_remaining_head(checked_case, operator, city) -> None:
    household = yamabiko_family()
    head, wife = household.members[0], household.members[1]
    case = checked_case("move_out", subject_id=head.id, documents_checked=["住民異動届"])
    moved_on = today() + timedelta(days=7)
    base = {"moved_on": moved_on.isoformat(), "destination": "東京都千代田区霞が関一丁目1番", "members": [str(head.id)]}
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, base, operator)
    assert "§25" in field_errors(exc.value)["remaining_head"]
    inputs.save_input(case, {**base, "remaining_head": str(wife.id)}, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    assert head.status == "moved_out" and wife.relationship == "世帯主"


def test_move_within_of_the_whole_household(checked_case, operator, city, db_session) -> None:
    household = yamabiko_family()
    case = checked_case("move_within", subject_id=household.members[0].id, documents_checked=["住民異動届"])
    inputs.save_input(case, {"moved_on": today().isoformat(), "postal_code": "0210001",
                               "address": "岩手県一関市新町9番9号",
                               "members": [str(m.id) for m in household.members]}, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    assert household.address == "岩手県一関市新町9番9号"
    assert db_session.scalar(select(func.count()).select_from(Household)) == 1


def test_household_change(checked_case, operator, city) -> None:
    household = yamabiko_family()
    head, wife = household.members[0], household.members[1]
    case = checked_case("household_change", subject_id=head.id, documents_checked=["住民異動届"])
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {"moved_on": today().isoformat(), "new_head": str(head.id),
                                   "former_head_relationship": "夫"}, operator)
    assert "既に世帯主" in field_errors(exc.value)["new_head"]
    inputs.save_input(case, {"moved_on": today().isoformat(), "new_head": str(wife.id),
                               "former_head_relationship": "夫"}, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    assert (wife.relationship, head.relationship) == ("世帯主", "夫")


def test_office_day_helper_is_consistent(app) -> None:
    assert is_regular_office_day(notification_deadline(date(2026, 5, 1)))
