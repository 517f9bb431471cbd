"""The staff roster of the month after the demo's month: from the staff register, on the office
calendar's days and hours, checked against the demand of past tickets (the gap where too few
are planned)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core import calendar
from app.extensions import db
from app.queue.models import Ticket
from app.reports import roster
from app.reports.due import next_month, roster_due
from app.staff import register
from tests.reports.conftest import load_demo


def test_roster_from_the_register_against_the_calendar_and_demand(app, db_session, client, login_as) -> None:
    month = next_month(load_demo(app))
    supervisor = db_session.scalar(select(User).where(User.username == "supervisor"))
    register.add_entry("counter", register.EntryInput("新人 三郎", "受付", month - timedelta(days=5)), by=supervisor)
    db.session.commit()

    plan = roster.build(month)
    assert plan.due_on == roster_due(month)
    people = {p.name: p for p in plan.people}
    assert people["窓口 花子"].on_counter and not people["統括 一郎"].on_counter
    assert people["新人 三郎"].lacks == "誓約書・研修が未了のため窓口に配置しません"
    office_days = [d for d in (month + timedelta(days=n) for n in range(31)) if d.month == month.month
                   and calendar.office_hours(d) is not None]
    assert [d.day for d in plan.days] == office_days
    for day in plan.days:
        assert [s.name for s in day.shifts] == ["窓口 花子"]
        assert day.shifts[0].ends == day.hours.closes  # the late Monday too: she is one of the first two

    # demand: the tickets of the eight weeks before, per weekday and hour, per day of that weekday with tickets
    start = month - timedelta(weeks=8)
    tickets = list(db_session.scalars(select(Ticket).where(Ticket.office_day >= start, Ticket.office_day < month)))
    weekdays = Counter(d.weekday() for d in {t.office_day for t in tickets})
    monday_ten = sum(1 for t in tickets if t.office_day.weekday() == 0 and t.issued_at.hour == 10) / weekdays[0]
    check = next(c for c in plan.checks if (c.weekday, c.hour) == (0, 10))
    assert abs(check.expected - monday_ten) < 1e-9 and check.planned == 1
    assert check.needed == math.ceil(round(monday_ten * plan.service_minutes / 60, 6)) >= 1
    assert all(c.gap == c.planned - c.needed for c in plan.checks)

    # the only worker leaves before the month: every hour with demand is short
    worker = next(e for e in register.roster("counter") if e.name == "窓口 花子")
    register.end_entry(worker, month - timedelta(days=1), by=supervisor)
    db.session.commit()
    short = roster.build(month)
    assert all(not d.shifts for d in short.days)
    assert short.gaps == [c for c in short.checks if c.needed > 0] and len(short.gaps) > 20
    assert all(c.planned == 0 and c.gap == -c.needed for c in short.gaps)

    login_as("supervisor")
    page = client.get(f"/reports/roster?month={month:%Y-%m}").get_data(as_text=True)
    assert "配置が不足する時間帯が" in page and "新人 三郎" in page and "（不足）" in page
    refused = client.get("/reports/roster?month=2026-99")
    assert refused.status_code == 422 and "YYYY-MM" in refused.get_data(as_text=True)
