"""Which counter (窓口) the signed-in operator is working at, for this browser session.

The operator chooses it once on the counter screen; card reads, scans and calls then go to the
devices of that counter's PC.
"""

from __future__ import annotations

from flask import session

from app.core.models import Counter
from app.extensions import db

SESSION_KEY = "queue_counter_id"


def my_counter() -> Counter | None:
    counter_id = session.get(SESSION_KEY)
    counter = db.session.get(Counter, counter_id) if counter_id else None
    return counter if counter is not None and counter.active else None


def choose_counter(counter: Counter | None) -> None:
    if counter is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = counter.id
