"""Months, fiscal years and the settlement's due dates.

- The office's invoice with its statement is due by the 10th of the next month (004 §7(7)イ
  「翌月10日までに」); like the reports of app/reports/due.py it rolls to the next office day of
  the city's calendar when the 10th is not one (the rolling is our reading: the specification
  names no rule for a closed day).
- The city pays within 30 days of accepting a proper invoice (004 §7(7)ウ 「当該請求書を受理した月
  から起算して30日以内」: counted here from the day of acceptance, the stricter reading).
"""

from __future__ import annotations

from datetime import date, timedelta

from app.reports.due import next_month, roll_to_office_day

BILL_DAY = 10
PAYMENT_DAYS = 30


def month_end(month: date) -> date:
    """The first day after the month (periods are [start, end))."""
    return next_month(month)


def bill_due(month: date) -> date:
    """The invoice for `month` is due by the 10th of the next month, rolled to an office day."""
    return roll_to_office_day(next_month(month).replace(day=BILL_DAY))


def payment_due(accepted_on: date) -> date:
    return accepted_on + timedelta(days=PAYMENT_DAYS)


def fiscal_year_range(year: int) -> tuple[date, date]:
    """April of `year` to the first of April of the next year."""
    return date(year, 4, 1), date(year + 1, 4, 1)
