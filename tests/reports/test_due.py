"""The report (by the 7th) and the roster (by the 25th) roll to the next office day
(000 §10: 週休日の場合は翌開庁日), past holidays too, and not to a 土日開庁 day."""

from __future__ import annotations

from datetime import date

from app.core import calendar
from app.core.calendar import SpecialOpeningInput
from app.extensions import db
from app.reports.due import report_due, roll_to_office_day, roster_due


def test_report_due_on_the_7th_or_the_next_office_day(app) -> None:
    assert report_due(date(2026, 9, 1)) == date(2026, 10, 7)     # a Wednesday: no roll
    assert report_due(date(2026, 10, 1)) == date(2026, 11, 9)    # Saturday 7 Nov -> Monday
    assert report_due(date(2026, 12, 1)) == date(2027, 1, 7)     # across the year
    assert report_due(date(2028, 9, 1)) == date(2028, 10, 10)    # Sat 7, Sun 8, スポーツの日 Mon 9 -> Tue


def test_roster_due_on_the_25th_of_the_month_before_or_the_next_office_day(app) -> None:
    assert roster_due(date(2026, 12, 1)) == date(2026, 11, 25)   # a Wednesday
    assert roster_due(date(2026, 11, 1)) == date(2026, 10, 26)   # Sunday 25 Oct -> Monday
    assert roster_due(date(2027, 1, 1)) == date(2026, 12, 25)    # a Friday, before the year-end closure
    assert roster_due(date(2026, 5, 1)) == date(2026, 4, 27)     # Saturday 25 Apr -> Monday 27


def test_a_special_opening_is_not_a_day_of_submission(app, make_user) -> None:
    calendar.add_special_opening(SpecialOpeningInput(date(2026, 11, 7), "土日開庁"), by=make_user("admin"))
    db.session.commit()
    assert calendar.office_hours(date(2026, 11, 7)) is not None
    assert report_due(date(2026, 10, 1)) == date(2026, 11, 9)
    assert roll_to_office_day(date(2026, 12, 29)) == date(2027, 1, 4)  # the year-end closure
