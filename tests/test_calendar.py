from __future__ import annotations

from datetime import date, datetime

import jpholiday
import pytest

from app.core import calendar


@pytest.mark.parametrize(("day", "open_"), [
    (date(2026, 11, 20), True),    # Friday
    (date(2026, 11, 21), False),   # Saturday
    (date(2026, 11, 23), False),   # 勤労感謝の日 (Monday)
    (date(2026, 12, 28), True),    # last office day of the year
    (date(2026, 12, 29), False),
    (date(2027, 1, 1), False),
    (date(2027, 1, 4), True),      # first office day of 2027
    (date(2026, 5, 4), False),     # みどりの日
    (date(2026, 5, 6), False),     # 振替休日
])
def test_office_days(app, day: date, open_: bool) -> None:
    assert (calendar.office_hours(day) is not None) is open_


def test_holidays_come_from_jpholiday(app) -> None:
    holidays = [d for d, _ in jpholiday.year_holidays(2026) if d.weekday() < 5]
    assert holidays and all(calendar.office_hours(d) is None for d in holidays)


def test_ordinary_day_hours(app) -> None:
    hours = calendar.office_hours(date(2026, 11, 18))  # Wednesday
    assert (hours.opens.isoformat(), hours.closes.isoformat()) == ("08:30:00", "17:15:00")
    assert calendar.is_open(datetime(2026, 11, 18, 8, 30))
    assert not calendar.is_open(datetime(2026, 11, 18, 8, 29))
    assert not calendar.is_open(datetime(2026, 11, 18, 17, 15))


def test_monday_open_until_seven(app) -> None:
    assert calendar.office_hours(date(2026, 11, 16)).closes.isoformat() == "19:00:00"
    assert calendar.is_open(datetime(2026, 11, 16, 18, 59))
    assert not calendar.is_open(datetime(2026, 11, 16, 19, 0))
    assert calendar.office_hours(date(2026, 11, 17)).closes.isoformat() == "17:15:00"


def test_monday_holiday_moves_late_hours_to_the_next_office_day(app) -> None:
    assert calendar.office_hours(date(2026, 11, 23)) is None   # 勤労感謝の日
    assert calendar.office_hours(date(2026, 11, 24)).closes.isoformat() == "19:00:00"
    assert calendar.office_hours(date(2026, 11, 25)).closes.isoformat() == "17:15:00"


def test_year_end_monday_moves_late_hours_past_the_closure(app) -> None:
    # Monday 2029-12-31 is closed; the week's next office day is Friday 2030-01-04
    assert calendar.office_hours(date(2029, 12, 31)) is None
    assert calendar.office_hours(date(2030, 1, 4)).closes.isoformat() == "19:00:00"


def test_next_office_day(app) -> None:
    assert calendar.next_office_day(date(2026, 11, 20)) == date(2026, 11, 24)
    assert calendar.next_office_day(date(2026, 12, 28)) == date(2027, 1, 4)


def test_special_openings_limit_six_per_fiscal_year(app, db_session, make_user) -> None:
    admin = make_user("admin")
    saturdays = [date(2027, 3, 6), date(2027, 3, 13), date(2027, 3, 20), date(2027, 3, 27),
                 date(2026, 4, 4), date(2026, 4, 11)]
    for day in saturdays:
        calendar.add_special_opening(calendar.SpecialOpeningInput(day, "繁忙期"), by=admin)
    hours = calendar.office_hours(date(2027, 3, 6))
    assert (hours.special, hours.closes.isoformat()) == (True, "12:00:00")
    assert calendar.next_office_day(date(2027, 3, 5)) == date(2027, 3, 6)
    with pytest.raises(calendar.CalendarError, match="既に6日"):
        calendar.add_special_opening(calendar.SpecialOpeningInput(date(2027, 3, 28), "7日目"), by=admin)
    # the next fiscal year (from April 2027) has its own six
    calendar.add_special_opening(calendar.SpecialOpeningInput(date(2027, 4, 3), "翌年度"), by=admin)


def test_a_regular_office_day_cannot_be_a_special_opening(app, make_user) -> None:
    with pytest.raises(calendar.CalendarError, match="通常の開庁日"):
        calendar.add_special_opening(calendar.SpecialOpeningInput(date(2026, 11, 18)), by=make_user("admin"))


def test_admin_page_refuses_a_seventh_with_a_clear_message(client, login_as, db_session) -> None:
    login_as("admin")
    for day in ["2027-03-06", "2027-03-07", "2027-03-13", "2027-03-14", "2027-03-20", "2027-03-21"]:
        assert client.post("/calendar/special", data={"day": day, "note": "繁忙期"}).status_code == 303
    response = client.post("/calendar/special", data={"day": "2027-03-27", "note": "7日目"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2026年度の土日開庁日は既に6日指定されています" in body
    assert 'value="2027-03-27"' in body and 'value="7日目"' in body


def test_header_shows_todays_hours(client, login_as) -> None:
    login_as("operator")
    body = client.get("/").get_data(as_text=True)
    assert "本日の開庁時間" in body


@pytest.mark.parametrize(("at", "open_", "label"), [
    (datetime(2026, 11, 20, 10, 0), True, "開庁 8:30〜17:15"),                       # Friday, open
    (datetime(2026, 11, 20, 7, 50), False, "閉庁　次の開庁：本日 8:30"),             # before opening
    (datetime(2026, 11, 19, 19, 26), False, "閉庁　次の開庁：令和8年11月20日（金） 8:30"),  # after hours
    (datetime(2026, 11, 20, 17, 15), False, "閉庁　次の開庁：令和8年11月24日（火） 8:30"),  # 23日 is a holiday
    (datetime(2026, 11, 24, 18, 30), True, "開庁 8:30〜19:00（窓口延長）"),          # late hours after it
    (datetime(2026, 11, 21, 10, 0), False, "閉庁日　次の開庁：令和8年11月24日（火） 8:30"),
])
def test_office_status_after_hours_names_the_next_opening(app, at: datetime, open_: bool, label: str) -> None:
    assert calendar.office_status(at) == calendar.OfficeStatus(open_, label)


def test_header_says_closed_after_hours_with_the_next_opening(client, login_as, monkeypatch) -> None:
    # issue 15 §5: the header showed a green 「開庁 8:30〜17:15」 at 19:26.
    from app.web import nav

    monkeypatch.setattr(nav, "now", lambda: datetime(2026, 11, 19, 19, 26))
    login_as("operator")
    body = client.get("/").get_data(as_text=True)
    assert ('<span class="badge closed" id="office-status">閉庁　次の開庁：令和8年11月20日（金） 8:30</span>'
            in body)
    assert "令和8年11月19日（木）" in body
