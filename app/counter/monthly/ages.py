"""Age arithmetic of the monthly lists, as Japanese law counts it.

年齢計算ニ関スル法律 (明治35年法律第50号) ①: age is counted from the day of birth; ②: 民法 §143
applies to the counting. 民法 §143②: a period of years not counted from the start of a year ends
on the day before the day in the last year that corresponds to its first day, and, where the
last month has no such day, on the last day of that month. So a person reaches age n at the end
of the day before their n-th birthday; for a birth on 29 February, at the end of 28 February in
every year (leap or not), and they are n from 1 March in a common year.

app.registry.adapter.age_on (completed years) gives the same age on every day; these functions
add the day an age is reached and the first day of being that age, which the monthly lists use.
"""

from __future__ import annotations

from datetime import date, timedelta


def first_day_of_age(birth_date: date, years: int) -> date:
    """The first day on which the person is `years` old: the birthday, or 1 March for a birth on
    29 February in a common year (民法 §143② 但書: the period ends on 28 February)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth_date.year + years, 3, 1)


def reaching_day(birth_date: date, years: int) -> date:
    """年齢に達する日: the day at whose end the person reaches `years` (年齢計算ニ関スル法律,
    民法 §143): the day before the first day of that age."""
    return first_day_of_age(birth_date, years) - timedelta(days=1)


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month `month` is in."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def next_month(month: date) -> date:
    return month_bounds(month)[1] + timedelta(days=1)


def births_reaching(years: int, first: date, last: date) -> tuple[date, date]:
    """A range of birth dates that holds everyone who reaches `years` on a day from `first` to
    `last` (a little wider: the caller filters with reaching_day)."""
    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:
            return date(day.year - years, 2, 28)

    return back(first) - timedelta(days=2), back(last) + timedelta(days=2)
