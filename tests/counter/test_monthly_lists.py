"""The monthly lists equal the registry queries on seeded birth dates, across a month and a year
boundary, and 29 February births (issue 21, Shows); the lists are worked through and counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.counter.monthly import lists
from app.counter.monthly.ages import first_day_of_age, month_bounds, next_month, reaching_day
from app.counter.monthly.models import MonthlyListKind
from app.counter.monthly.summary import monthly_checks_summary
from app.extensions import db
from app.registry.adapter import age_on
from app.registry.models import Resident
from tests.registry.factories import make_household

# Births either side of the boundaries of December 2026 (and so of January 2027, the next month
# of the 75 list), of February in a common and a leap year, and on the first of a month.
BIRTHS = (
    date(1956, 11, 30), date(1956, 12, 1), date(1956, 12, 2), date(1956, 12, 31), date(1957, 1, 1),
    date(1957, 1, 2), date(1951, 12, 31), date(1952, 1, 1), date(1952, 1, 2), date(1952, 1, 31),
    date(1952, 2, 1), date(1952, 2, 29), date(1952, 3, 1), date(1956, 2, 29), date(1957, 2, 28),
    date(1957, 3, 1), date(1958, 2, 28), date(1953, 2, 28), date(1953, 3, 1), date(1980, 12, 15),
)
MONTHS = (date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1),
          date(2026, 2, 1), date(2028, 2, 1), date(2028, 3, 1))


@pytest.fixture
def seeded(app) -> None:
    for n, born in enumerate(BIRTHS):
        make_household([{"family_name": "月次", "given_name": f"{n}号", "birth_date": born, "nhi_member": n % 3 != 2},
                        {"family_name": "月次", "given_name": f"{n}号の子", "birth_date": born.replace(year=1990)
                         if not (born.month == 2 and born.day == 29) else date(1990, 3, 1), "relationship": "子"}],
                       address=f"岩手県山彦市中町{n}番")
    make_household([{"family_name": "転出", "given_name": "済", "birth_date": date(1956, 12, 10),
                     "nhi_member": True, "status": "moved_out"}])
    db.session.commit()


def _oracle(kind: MonthlyListKind, month: date) -> set[int]:
    """Every active resident, day by day, with nothing but age_on (completed years)."""
    first, last = month_bounds(month)
    years = 70 if kind is MonthlyListKind.elderly_recipient else 75
    if kind is MonthlyListKind.late_elderly_next_month:
        first, last = month_bounds(next_month(first))
    found = set()
    for r in db.session.scalars(select(Resident).where(Resident.status == "active")):
        if kind is MonthlyListKind.elderly_recipient and not r.nhi_member:
            continue
        day = first
        while day <= last:
            if kind is MonthlyListKind.elderly_recipient:
                hit = age_on(r.birth_date, day) == years - 1 and age_on(r.birth_date, day + timedelta(days=1)) == years
            else:
                hit = age_on(r.birth_date, day - timedelta(days=1)) == years - 1 and age_on(r.birth_date, day) == years
            if hit:
                found.add(r.id)
            day += timedelta(days=1)
    return found


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: f"{m:%Y-%m}")
@pytest.mark.parametrize("kind", [MonthlyListKind.elderly_recipient, MonthlyListKind.late_elderly_next_month])
def test_the_lists_equal_the_registry_queries(app, seeded, make_user, kind: MonthlyListKind, month: date) -> None:
    operator = make_user("operator")
    drawn, added = lists.draw(kind, month, by=operator)
    got = {i.resident_id for i in drawn.items}
    assert got == _oracle(kind, month)
    assert added == len(got)


def test_boundaries_by_name(app, seeded, make_user) -> None:
    """The cases that decide: born 1 December reaches 70 on 30 November; born 1 January 1957 in
    December 2026; born 29 February reaches every age on 28 February, and is 75 from 1 March in
    a common year (so in the 75 list drawn in February)."""
    operator = make_user("operator")
    heads = db.session.scalars(select(Resident).where(Resident.relationship == "世帯主"))
    by_birth = {r.birth_date: r.id for r in heads}

    def elderly(month: date) -> set[int | None]:
        return {i.resident_id for i in lists.draw(MonthlyListKind.elderly_recipient, month, by=operator)[0].items}

    nov, dec = elderly(date(2026, 11, 1)), elderly(date(2026, 12, 1))
    assert by_birth[date(1956, 12, 1)] in nov and by_birth[date(1956, 12, 1)] not in dec
    assert by_birth[date(1957, 1, 1)] in dec and by_birth[date(1956, 12, 31)] in dec
    assert by_birth[date(1956, 12, 2)] not in dec  # not in the national health insurance
    assert by_birth[date(1956, 11, 30)] in nov
    feb = lists.draw(MonthlyListKind.late_elderly_next_month, date(2027, 2, 1), by=operator)[0]
    assert by_birth[date(1952, 2, 29)] in {i.resident_id for i in feb.items}  # 75 from 1 March 2027
    item = next(i for i in feb.items if i.resident_id == by_birth[date(1952, 2, 29)])
    assert item.due_on == date(2027, 3, 1)
    dec75 = lists.draw(MonthlyListKind.late_elderly_next_month, date(2026, 12, 1), by=operator)[0]
    assert {by_birth[date(1952, 1, 1)], by_birth[date(1952, 1, 31)]} <= {i.resident_id for i in dec75.items}
    assert by_birth[date(1951, 12, 31)] not in {i.resident_id for i in dec75.items}


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=1, max_value=120))
def test_age_is_reached_at_the_end_of_the_day_before_the_birthday(born: date, years: int) -> None:
    reached = reaching_day(born, years)
    assert age_on(born, reached) == years - 1
    assert age_on(born, reached + timedelta(days=1)) == years
    assert first_day_of_age(born, years) == reached + timedelta(days=1)
    if (born.month, born.day) == (2, 29):
        assert (reached.month, reached.day) == (2, 28)


@given(st.integers(min_value=1904, max_value=2024).filter(lambda y: y % 4 == 0 and (y % 100 or y % 400 == 0)),
       st.integers(min_value=1, max_value=110))
def test_a_29_february_birth(year: int, years: int) -> None:
    born = date(year, 2, 29)
    reached = reaching_day(born, years)
    assert reached == date(year + years, 2, 28)
    target = year + years
    leap = target % 4 == 0 and (target % 100 != 0 or target % 400 == 0)
    assert first_day_of_age(born, years) == (date(target, 2, 29) if leap else date(target, 3, 1))


def test_drawn_again_adds_a_newcomer_and_keeps_the_checks(app, seeded, make_user) -> None:
    operator = make_user("operator")
    drawn, _ = lists.draw(MonthlyListKind.elderly_recipient, date(2026, 12, 1), by=operator)
    first = drawn.items[0]
    lists.check(first, "資格確認済", by=operator)
    make_household([{"family_name": "転入", "given_name": "者", "birth_date": date(1956, 12, 20), "nhi_member": True}])
    again, added = lists.draw(MonthlyListKind.elderly_recipient, date(2026, 12, 1), by=operator)
    assert again.id == drawn.id and added == 1
    assert first.checked_at is not None and first.note == "資格確認済"


def test_worked_through_done_and_counted(app, seeded, make_user) -> None:
    operator = make_user("operator")
    drawn, _ = lists.draw(MonthlyListKind.elderly_recipient, date(2026, 12, 1), by=operator)
    with pytest.raises(lists.MonthlyListError, match="未確認の行が"):
        lists.finish(drawn, by=operator)
    for item in drawn.items:
        lists.check(item, "", by=operator)
    with pytest.raises(lists.MonthlyListError, match="確認済"):
        lists.check(drawn.items[0], "", by=operator)
    lists.finish(drawn, by=operator)
    assert drawn.done_by_id == operator.id
    with pytest.raises(lists.MonthlyListError):
        lists.draw(MonthlyListKind.elderly_recipient, date(2026, 12, 1), by=operator)
    lists.draw(MonthlyListKind.late_elderly_next_month, date(2026, 12, 1), by=operator)
    db.session.commit()
    summary = monthly_checks_summary(db.session, date(2026, 12, 1), date(2026, 12, 31))
    by_kind = {c.kind: c for c in summary.lists}
    assert by_kind[MonthlyListKind.elderly_recipient].items == len(drawn.items) > 0
    assert by_kind[MonthlyListKind.elderly_recipient].checked == len(drawn.items)
    assert by_kind[MonthlyListKind.elderly_recipient].done == 1
    assert by_kind[MonthlyListKind.late_elderly_next_month].lists == 1
    assert by_kind[MonthlyListKind.late_elderly_next_month].done == 0
    assert monthly_checks_summary(db.session, date(2027, 1, 1), date(2027, 1, 31)).lists[0].lists == 0


def test_the_account_and_mailing_list_takes_the_month_s_cases(app, open_case, operator) -> None:
    inside = open_case("late_elderly_direct_debit")
    address = open_case("nhi_mailing_address")
    before = open_case("late_elderly_refund_account")
    other = open_case("resident_record_copy")
    inside.created_at, address.created_at = datetime(2026, 12, 1, 0, 0), datetime(2026, 12, 31, 23, 59)
    before.created_at, other.created_at = datetime(2026, 11, 30, 23, 59), datetime(2026, 12, 10, 10)
    db.session.flush()
    drawn, _ = lists.draw(MonthlyListKind.account_mailing, date(2026, 12, 1), by=operator)
    assert {i.case_id for i in drawn.items} == {inside.id, address.id}
    assert {i.due_on for i in drawn.items} == {date(2026, 12, 1), date(2026, 12, 31)}


def test_the_pages_show_and_work_a_list(app, client, seeded, login_as) -> None:
    operator = login_as("operator")
    page = client.get("/counter/monthly/?month=2026-12")
    assert page.status_code == 200 and "高齢受給者証の交付対象者" in page.get_data(as_text=True)
    refused = client.post("/counter/monthly/lists", data={"kind": "elderly_recipient", "month": "2026-13"})
    assert refused.status_code == 422 and "年と月で入力" in refused.get_data(as_text=True)
    made = client.post("/counter/monthly/lists", data={"kind": "elderly_recipient", "month": "２０２６－１２"})
    assert made.status_code == 303  # full-width input is folded (STYLE rule 20)
    drawn = lists.of_month(MonthlyListKind.elderly_recipient, date(2026, 12, 1))
    assert drawn is not None and drawn.drawn_by_id == operator.id
    shown = client.get(f"/counter/monthly/lists/{drawn.id}").get_data(as_text=True)
    assert f"{len(drawn.items)}件" in shown and "月次" in shown
    item = drawn.items[0]
    checked = client.post(f"/counter/monthly/lists/{drawn.id}/items/{item.id}/check", data={"note": "済"})
    assert checked.status_code == 303
    db.session.expire_all()
    assert lists.get(drawn.id).items[0].checked_by_id == operator.id
    home = client.get("/").get_data(as_text=True)
    assert "月次チェック（確認中の一覧）" in home
