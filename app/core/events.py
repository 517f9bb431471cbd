"""The one event publisher (DESIGN "Live updates").

Services call `publish(channel, data)` inside their transaction; listeners see the event only
once that transaction commits, so nobody reacts to a change that was rolled back.

- SQLite (one process): delivered in-process by an after-commit hook.
- PostgreSQL (any number of processes): `pg_notify` inside the transaction, which PostgreSQL
  delivers at commit to every process; each process runs one LISTEN thread that fans the
  notifications out to its local subscribers.

Events are hints, not the record: a subscriber that missed some (a dropped connection, a
restart) catches up from the database, which holds the truth.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
PG_CHANNEL = "yakuba_events"
_PENDING = "yakuba_pending_events"


@dataclass(frozen=True)
class Event:
    channel: str
    data: dict[str, Any] = field(default_factory=dict)


class Broker:
    """Fans events out to the subscribers of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[queue.Queue[Event]]] = {}

    def deliver(self, ev: Event) -> None:
        with self._lock:
            targets = list(self._subscribers.get(ev.channel, ()))
        for q in targets:
            q.put_nowait(ev)

    @contextmanager
    def subscribe(self, channels: Iterable[str]) -> Iterator[queue.Queue[Event]]:
        q: queue.Queue[Event] = queue.Queue()
        names = list(channels)
        with self._lock:
            for name in names:
                self._subscribers.setdefault(name, set()).add(q)
        try:
            yield q
        finally:
            with self._lock:
                for name in names:
                    self._subscribers.get(name, set()).discard(q)


class PostgresListener(threading.Thread):
    """LISTEN on one connection per process and hand each notification to the broker."""

    def __init__(self, url: str, broker: Broker) -> None:
        super().__init__(name="yakuba-pg-listener", daemon=True)
        self.url = url
        self.broker = broker
        self.ready = threading.Event()
        self._stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {PG_CHANNEL}")
                    self.ready.set()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._dispatch(note.payload)
            except Exception:  # reconnect whatever happened; the database is the record
                log.exception("event listener lost its connection; reconnecting")
                self._stopping.wait(1.0)

    def _dispatch(self, payload: str) -> None:
        try:
            raw = json.loads(payload)
            self.broker.deliver(Event(raw["c"], raw["d"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed event notification")

    def stop(self) -> None:
        self._stopping.set()


class Publisher:
    def __init__(self) -> None:
        self.broker = Broker()
        self.listener: PostgresListener | None = None
        self._lock = threading.Lock()
        self.postgres_url: str | None = None

    def configure(self) -> None:
        url = db.engine.url
        if url.get_backend_name() == "postgresql":
            self.postgres_url = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def publish(self, channel: str, data: dict[str, Any] | None = None) -> None:
        ev = Event(channel, data or {})
        if self.postgres_url:
            payload = json.dumps({"c": ev.channel, "d": ev.data}, ensure_ascii=False)
            db.session.execute(select(func.pg_notify(PG_CHANNEL, payload)))
        else:
            db.session.info.setdefault(_PENDING, []).append(ev)

    def ensure_listening(self) -> None:
        if not self.postgres_url:
            return
        with self._lock:
            if self.listener is None or not self.listener.is_alive():
                self.listener = PostgresListener(self.postgres_url, self.broker)
                self.listener.start()
        self.listener.ready.wait(timeout=5)

    def close(self) -> None:
        """Stop listening (before the database goes away, e.g. at the end of a test run)."""
        with self._lock:
            listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop()
            listener.join(timeout=5)

    @contextmanager
    def subscribe(self, channels: Iterable[str]) -> Iterator[queue.Queue[Event]]:
        self.ensure_listening()
        with self.broker.subscribe(channels) as q:
            yield q


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        for ev in pending:
            publisher().broker.deliver(ev)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def publisher() -> Publisher:
    return current_app.extensions["yakuba_events"]


def publish(channel: str, data: dict[str, Any] | None = None) -> None:
    """Publish on `channel` when the current transaction commits."""
    publisher().publish(channel, data)


def subscribe(channels: Iterable[str]) -> Any:
    """Context manager yielding a queue.Queue of Events for these channels."""
    return publisher().subscribe(channels)


def init_app(app: Flask) -> None:
    pub = Publisher()
    app.extensions["yakuba_events"] = pub
    with app.app_context():
        pub.configure()
