"""The demo, as `make run` loads it, has this month's lists with someone on them and a handover
for the city to answer; loading it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app import demo
from app.core.dates import today
from app.counter.monthly import demo as monthly_demo
from app.counter.monthly import handovers, lists
from app.counter.monthly.models import MonthlyListItem, MonthlyListKind
from app.extensions import db


def test_the_demo_has_lists_and_a_handover(app, db_session) -> None:
    demo.load()
    db.session.commit()
    for kind in (MonthlyListKind.elderly_recipient, MonthlyListKind.late_elderly_next_month):
        found = lists.of_month(kind, today())
        assert found is not None and len(found.items) >= 2, kind
    assert handovers.open_count() == 1
    items = db.session.scalar(select(func.count(MonthlyListItem.id)))
    monthly_demo.load()
    assert db.session.scalar(select(func.count(MonthlyListItem.id))) == items and handovers.open_count() == 1
