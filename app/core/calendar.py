"""The office calendar of 000 §5.

(1) Office days are Monday to Friday, except national holidays (国民の祝日に関する法律) and
29 December to 3 January. (2) Hours are 8:30-17:15; every Monday until 19:00, or the next
office day when the Monday is not one. (3) The city may designate up to six other days a fiscal
year (April-March) for opening 8:30-12:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import jpholiday
from sqlalchemy import func, select

from app.auth.models import User
from app.core.cache import Cached
from app.core.dates import fiscal_year, wareki
from app.core.models import SpecialOpening
from app.core.refusal import Refusal
from app.extensions import db

OPEN = time(8, 30)
CLOSE = time(17, 15)
LATE_CLOSE = time(19, 0)
SPECIAL_CLOSE = time(12, 0)
SPECIAL_OPENINGS_PER_YEAR = 6
WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True)
class OfficeHours:
    day: date
    opens: time
    closes: time
    special: bool = False

    @property
    def late(self) -> bool:
        return self.closes > CLOSE

    def label(self) -> str:
        text = f"{self.opens:%-H:%M}〜{self.closes:%-H:%M}"
        if self.special:
            text += "（土日開庁）"
        elif self.late:
            text += "（窓口延長）"
        return text


class CalendarError(Refusal):
    """A day the calendar cannot take (about the form's `day` field)."""


def is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_regular_office_day(day: date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_year_end_closure(day)


def _read_special_days() -> frozenset[date]:
    return frozenset(db.session.scalars(select(SpecialOpening.day)))


#: every special opening's day, kept per process: every page's header asks the office status
#: (six days a fiscal year at most, so all of them are a small copy)
_SPECIAL_DAYS = Cached("special_openings", _read_special_days, (SpecialOpening,))


def _special_days(start: date, end: date) -> set[date]:
    return {day for day in _SPECIAL_DAYS.get() if start <= day <= end}


def is_special_opening(day: date) -> bool:
    return day in _special_days(day, day)


def _next_regular_office_day(day: date) -> date:
    candidate = day + timedelta(days=1)
    while not is_regular_office_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def has_late_hours(day: date) -> bool:
    """Monday, or the office day that takes over when Monday is closed."""
    if not is_regular_office_day(day):
        return False
    monday = day - timedelta(days=day.weekday())
    if day == monday:
        return True
    return not is_regular_office_day(monday) and _next_regular_office_day(monday) == day


def office_hours(day: date) -> OfficeHours | None:
    """Opening hours on a day, or None when the office is closed."""
    if is_regular_office_day(day):
        return OfficeHours(day, OPEN, LATE_CLOSE if has_late_hours(day) else CLOSE)
    if is_special_opening(day):
        return OfficeHours(day, OPEN, SPECIAL_CLOSE, special=True)
    return None


def is_open(at: datetime) -> bool:
    hours = office_hours(at.date())
    return hours is not None and hours.opens <= at.time() < hours.closes


def next_office_day(day: date) -> date:
    """The first day after `day` on which the office opens (special openings included)."""
    specials = _special_days(day + timedelta(days=1), day + timedelta(days=40))
    candidate = day + timedelta(days=1)
    while not (is_regular_office_day(candidate) or candidate in specials):
        candidate += timedelta(days=1)
    return candidate


def next_opening(at: datetime) -> datetime:
    """When the office next opens after `at` (now, if it is open)."""
    hours = office_hours(at.date())
    if hours and at.time() < hours.closes:
        return max(at, datetime.combine(at.date(), hours.opens))
    return datetime.combine(next_office_day(at.date()), OPEN)


def day_label(day: date) -> str:
    return f"{wareki(day)}（{WEEKDAYS_JA[day.weekday()]}）"


@dataclass(frozen=True)
class OfficeStatus:
    """What the header says of the office at a moment (issue 15 §5: it said 開庁 at 19:26)."""

    open: bool
    label: str


def office_status(at: datetime) -> OfficeStatus:
    """開庁 with today's hours while open; else 閉庁 (閉庁日 on a closed day) and the next opening,
    its day and time (000 §5)."""
    hours = office_hours(at.date())
    if hours is not None and hours.opens <= at.time() < hours.closes:
        return OfficeStatus(True, f"開庁 {hours.label()}")
    opening = next_opening(at)
    day = "本日" if opening.date() == at.date() else day_label(opening.date())
    closed = "閉庁" if hours is not None else "閉庁日"
    return OfficeStatus(False, f"{closed}　次の開庁：{day} {opening:%-H:%M}")


def _fiscal_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def special_openings(year: int) -> list[SpecialOpening]:
    start, end = _fiscal_year_bounds(year)
    return list(db.session.scalars(
        select(SpecialOpening).where(SpecialOpening.day.between(start, end))
        .order_by(SpecialOpening.day)
    ))


def days_ahead(start: date, count: int) -> list[tuple[date, OfficeHours | None]]:
    """The office hours of `count` days from `start` (None: closed)."""
    return [(day, office_hours(day)) for day in (start + timedelta(days=i) for i in range(count))]


def get_special_opening(opening_id: int) -> SpecialOpening | None:
    return db.session.get(SpecialOpening, opening_id)


@dataclass(frozen=True)
class SpecialOpeningInput:
    day: date
    note: str = ""


def add_special_opening(entered: SpecialOpeningInput, *, by: User) -> SpecialOpening:
    """土日開庁 on a closed day (000 §5(3)): at most six a fiscal year."""
    day = entered.day
    if is_regular_office_day(day):
        raise CalendarError(f"{day_label(day)}は通常の開庁日です。土日開庁には閉庁日を指定してください。", "day")
    year = fiscal_year(day)
    start, end = _fiscal_year_bounds(year)
    if db.session.scalar(select(SpecialOpening.id).where(SpecialOpening.day == day)):
        raise CalendarError(f"{day_label(day)}は既に土日開庁日に指定されています。", "day")
    count = db.session.scalar(
        select(func.count()).select_from(SpecialOpening).where(SpecialOpening.day.between(start, end))
    ) or 0
    if count >= SPECIAL_OPENINGS_PER_YEAR:
        raise CalendarError(
            f"{year}年度の土日開庁日は既に{SPECIAL_OPENINGS_PER_YEAR}日指定されています"
            f"（仕様書 5(3)：年{SPECIAL_OPENINGS_PER_YEAR}日以内）。これ以上は追加できません。", "day"
        )
    opening = SpecialOpening(day=day, note=entered.note.strip(), created_by_id=by.id)
    db.session.add(opening)
    db.session.flush()
    return opening


def remove_special_opening(opening: SpecialOpening) -> None:
    db.session.delete(opening)
