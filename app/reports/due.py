"""When the reports are due (000 §10): the 業務報告書 by the 7th of the next month, the staff
roster (業務従事者名簿・翌月勤務割当表) by the 25th, each "週休日の場合は翌開庁日".

The specification says only 週休日 (the weekly days off); a national holiday or the year-end
closure is no office day either, so the day rolls past every day the office calendar
(app/core/calendar.py, 000 §5) keeps closed. A 土日開庁 day is an office day, but it is not the
contractor's regular day of submission: the roll goes to the next regular office day.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.core import calendar

REPORT_DAY = 7
ROSTER_DAY = 25


def roll_to_office_day(day: date) -> date:
    """The day itself when the office is regularly open, else the next regular office day."""
    while not calendar.is_regular_office_day(day):
        day += timedelta(days=1)
    return day


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def report_due(month: date) -> date:
    """The monthly report of `month` is due by the 7th of the next month, rolled."""
    return roll_to_office_day(next_month(month).replace(day=REPORT_DAY))


def roster_due(month: date) -> date:
    """The roster of `month` (the next month's 勤務割当表) is due by the 25th of the month
    before it, rolled."""
    return roll_to_office_day(previous_month(month).replace(day=ROSTER_DAY))
