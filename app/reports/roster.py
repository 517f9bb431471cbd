"""The staff roster (業務従事者名簿・翌月勤務割当表, 000 §10: due by the 25th, rolled to the next
office day): who works which counter when next month, drawn from the staff register
(app/staff/register.py), on the office days and hours of the calendar (late Mondays, 土日開庁),
and checked against the demand that past tickets give for each weekday and hour.

Rules of this module (the specification fixes none of them; see the report of issue 20):
- Only a 作業従事者 whose confidentiality pledge is on file and who attended a training is put on
  a counter (000 別紙 §5: education before the work; 誓約書 before handling personal data); the
  others are listed with what they lack. The 作業責任者 leads and is not counted at a counter.
- Workers rotate over the counters day by day; on a late day (窓口延長) the first two in the day's
  order stay until closing; a 土日開庁 day is staffed by half the workers, rounded up.
- Expected demand: the tickets of the eight weeks before the month, per weekday and hour of
  issue, divided by the days of that weekday the counter issued tickets on (a week before the
  system was used does not thin the demand out); staff needed in an hour =
  ceil(expected tickets × average service minutes / 60). The gap is planned − needed.
"""

from __future__ import annotations

import math
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Programme, User
from app.core import calendar
from app.core.calendar import OfficeHours
from app.core.models import Counter
from app.extensions import db
from app.queue import stats
from app.reports.due import next_month, roster_due
from app.staff import register, training
from app.staff.models import Post, StaffEntry

DEMAND_WEEKS = 8
DEFAULT_SERVICE_MINUTES = 10.0


@dataclass(frozen=True)
class Person:
    name: str
    post: str
    pledged: bool
    trained: bool
    entry_id: int | None = None

    @property
    def on_counter(self) -> bool:
        return self.post == Post.worker and self.pledged and self.trained

    @property
    def lacks(self) -> str:
        missing = [what for what, ok in (("誓約書", self.pledged), ("研修", self.trained)) if not ok]
        return "・".join(missing) + "が未了のため窓口に配置しません" if missing else ""


@dataclass(frozen=True)
class Shift:
    name: str
    counter: str
    starts: time
    ends: time
    entry_id: int | None = None
    counter_id: int | None = None
    shift_id: int | None = None  # the stored shift (app/reports/roster_plan.py)

    def covers(self, hour: int) -> bool:
        return self.starts < time(hour + 1) and self.ends > time(hour)


@dataclass(frozen=True)
class DayPlan:
    day: date
    hours: OfficeHours
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class HourCheck:
    weekday: int
    hour: int
    expected: float
    needed: int
    planned: int

    @property
    def gap(self) -> int:
        return self.planned - self.needed


@dataclass
class Roster:
    month: date
    due_on: date
    people: list[Person]
    days: list[DayPlan]
    checks: list[HourCheck] = field(default_factory=list)
    service_minutes: float = DEFAULT_SERVICE_MINUTES

    @property
    def gaps(self) -> list[HourCheck]:
        return [c for c in self.checks if c.gap < 0]


def people_of(month: date) -> list[Person]:
    entries: list[StaffEntry] = [e for e in register.roster(Programme.counter, on=month)
                                 if e.start_on < next_month(month)]
    return [Person(e.name, e.post, e.pledged, bool(training.attended(e)), e.id) for e in entries]


def office_days(month: date) -> list[tuple[date, OfficeHours]]:
    found = []
    day = month
    while day < next_month(month):
        if (hours := calendar.office_hours(day)) is not None:
            found.append((day, hours))
        day += timedelta(days=1)
    return found


def _plan(day_index: int, hours: OfficeHours, workers: list[Person], counters: list[Counter]) -> tuple[Shift, ...]:
    if not workers or not counters:
        return ()
    order = workers[day_index % len(workers):] + workers[:day_index % len(workers)]
    if hours.special:
        order = order[:math.ceil(len(order) / 2)]
    shifts = []
    for n, person in enumerate(order):
        counter = counters[(n + day_index) % len(counters)]
        ends = hours.closes if (not hours.late or n < 2) else calendar.CLOSE
        shifts.append(Shift(person.name, counter.label, hours.opens, ends, person.entry_id, counter.id))
    return tuple(shifts)


def demand(month: date) -> tuple[dict[tuple[int, int], float], float]:
    """Expected tickets per (weekday, hour), and the average service minutes, from the weeks before."""
    start = month - timedelta(weeks=DEMAND_WEEKS)
    tickets = stats.tickets_of(start, month - timedelta(days=1))
    days_seen: Tally[int] = Tally(d.weekday() for d in {t.office_day for t in tickets})
    counts: Tally[tuple[int, int]] = Tally((t.office_day.weekday(), t.issued_at.hour) for t in tickets)
    services = [m for t in tickets if (m := stats.service_minutes(t)) is not None]
    average = sum(services) / len(services) if services else DEFAULT_SERVICE_MINUTES
    return {key: n / days_seen[key[0]] for key, n in counts.items() if days_seen[key[0]]}, average


def build(month: date) -> Roster:
    """The proposal: workers rotated over the counters on every office day of the month."""
    counters = list(db.session.scalars(select(Counter).order_by(Counter.number)))
    people = people_of(month)
    workers = [p for p in people if p.on_counter]
    days = [DayPlan(day, hours, _plan(n, hours, workers, counters))
            for n, (day, hours) in enumerate(office_days(month))]
    return checked(Roster(month, roster_due(month), people, days))


def checked(roster: Roster) -> Roster:
    """The roster with its hours checked against the expected demand (the gap per weekday and
    hour: the fewest planned on a day of that weekday against those needed)."""
    expected, roster.service_minutes = demand(roster.month)
    days = roster.days
    roster.checks = []
    slots = {(d.day.weekday(), h) for d in days
             for h in range(d.hours.opens.hour, d.hours.closes.hour + (d.hours.closes.minute > 0))}
    for weekday, hour in sorted(slots):
        planned = min(sum(s.covers(hour) for s in d.shifts) for d in days if d.day.weekday() == weekday)
        tickets = expected.get((weekday, hour), 0.0)
        needed = math.ceil(round(tickets * roster.service_minutes / 60, 6))
        roster.checks.append(HourCheck(weekday, hour, tickets, needed, planned))
    return roster


def planned_at(roster: Roster, at: datetime) -> int:
    """How many are planned at a moment (for a check of one day and hour)."""
    plan = next((d for d in roster.days if d.day == at.date()), None)
    return 0 if plan is None else sum(s.covers(at.hour) for s in plan.shifts)


def read(month: date, *, by: User) -> Roster:
    """The roster of `month` as a page shows it: the staff's names and posts, an audited read."""
    plan = build(month)
    audit.record("read", "reports_roster", f"{month:%Y-%m}", f"勤務割当表（{month:%Y-%m}）", by=by,
                 programme=Programme.counter)
    return plan
