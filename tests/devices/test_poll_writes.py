"""What an agent's poll writes (issue 22): a device whose health changed at once, the times
only once they are SEEN_EVERY old; and on SQLite a writer waiting for the write lock gets it as
soon as the holder commits."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from app.core.dates import now
from app.devices import jobs
from app.devices.models import DeviceBinding, Terminal
from app.extensions import db
from tests.conftest import ON_POSTGRES


def _poll(client, token: str, health: dict) -> None:
    response = client.post("/agent/api/poll", json={"health": health, "wait": 0},
                           headers={"Authorization": f"Bearer {token}"}, csrf=False)
    assert response.status_code == 200


def _stored(terminal_id: int) -> tuple:
    db.session.expire_all()
    terminal = db.session.get_one(Terminal, terminal_id)
    bound = db.session.scalars(db.select(DeviceBinding).where(DeviceBinding.terminal_id == terminal_id)).one()
    row = (terminal.last_seen_at, bound.healthy, bound.last_error, bound.health_at)
    db.session.rollback()
    return row


def test_a_poll_writes_changed_health_at_once_and_the_times_only_when_stale(client, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    _poll(client, token, {"printer": {"ok": True, "error": None}})
    seen, healthy, error, health_at = _stored(terminal.id)
    assert seen is not None and (healthy, error) == (True, "") and health_at is not None

    _poll(client, token, {"printer": {"ok": True, "error": None}})  # nothing new, well within SEEN_EVERY
    assert _stored(terminal.id) == (seen, True, "", health_at)

    _poll(client, token, {"printer": {"ok": False, "error": "用紙切れ"}})  # a change is written at once
    _, healthy, error, changed_at = _stored(terminal.id)
    assert (healthy, error) == (False, "用紙切れ") and changed_at >= health_at

    stale = now() - jobs.SEEN_EVERY
    db.session.execute(text("UPDATE terminals SET last_seen_at = :t"), {"t": stale})
    db.session.execute(text("UPDATE device_bindings SET health_at = :t"), {"t": stale})
    db.session.commit()
    _poll(client, token, {"printer": {"ok": False, "error": "用紙切れ"}})
    seen_again, _, _, health_again = _stored(terminal.id)
    assert seen_again > stale and health_again > stale


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock (BEGIN IMMEDIATE)")
def test_a_waiting_sqlite_writer_gets_the_lock_once_the_holder_commits(app) -> None:
    holder = db.engine.connect()
    holder.begin()
    holder.execute(text("UPDATE terminals SET name = name"))
    waiting_began, outcome = threading.Event(), []

    def write() -> None:
        with app.app_context(), db.engine.connect() as other:
            waiting_began.set()
            with other.begin():  # waits here for the holder
                outcome.append(holder.closed)
                other.execute(text("UPDATE terminals SET name = name"))
            outcome.append("committed")

    thread = threading.Thread(target=write)
    thread.start()
    waiting_began.wait(5)
    assert outcome == []  # still waiting while the holder has the lock
    holder.commit()
    holder.close()
    thread.join(15)
    assert not thread.is_alive() and outcome[-1] == "committed"
