"""Per-connection settings for SQLite, the embedded default database, and database errors
without the values of the statement that failed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

SQLITE_BUSY_TIMEOUT_MS = 10_000

# SQLite's synchronous setting for the transactions begun in this context: FULL (fsync at every
# commit) unless a bulk job asks for NORMAL (see relaxed_sync).
_SYNCHRONOUS: ContextVar[str] = ContextVar("sqlite_synchronous", default="FULL")


@contextmanager
def relaxed_sync() -> Iterator[None]:
    """SQLite: the transactions begun inside commit without waiting for the disk (synchronous
    NORMAL), for a job of many short steps each of which it can do again (the portal import's:
    its fsyncs were a sixth of its time). In WAL mode this never corrupts the database; a power
    cut may lose the last such commits, never part of one, and the next FULL commit of any
    connection makes them durable, since the WAL is written in order (sqlite.org/pragma.html
    #pragma_synchronous, sqlite.org/wal.html). No effect on PostgreSQL."""
    token = _SYNCHRONOUS.set("NORMAL")
    try:
        yield
    finally:
        _SYNCHRONOUS.reset(token)


def configure_engine(engine: Engine) -> None:
    event.listen(engine, "handle_error", _without_values)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 opens transactions lazily; BEGIN IMMEDIATE (see below) needs the
        # driver to leave transaction control to SQLAlchemy.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # Take the write lock at BEGIN so that read-then-write transactions (calling the next
        # ticket, numbering receipts) serialise instead of failing with "database is locked".
        # The synchronous level may only change outside a transaction: here, before BEGIN.
        wanted, info = _SYNCHRONOUS.get(), conn.connection.info
        if info.get("synchronous", "FULL") != wanted:
            conn.exec_driver_sql(f"PRAGMA synchronous={wanted}")
            info["synchronous"] = wanted
        _begin_immediate(conn, turn)

    turn = threading.Condition()
    for name in ("do_commit", "do_rollback"):
        _notify_after(engine.dialect, name, turn)


# How long a writer waiting for SQLite's write lock sleeps at most between two looks when no
# commit of this process tells it the lock is free (a writer in another process).
_TURN_LOOK_S = 0.02


def _begin_immediate(conn: Any, turn: threading.Condition) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock as long as the connection's busy timeout says
    (SQLITE_BUSY_TIMEOUT_MS, or the shorter wait a caller set, such as a task's progress write
    that gives up on a lock), but woken by this process's own commits and rollbacks instead of
    SQLite's busy handler, which sleeps 50-100 ms between looks once it has waited a while: under
    four agents' polls the device jobs' round trip was 0.6-0.8 s at p95 for that sleep alone
    (issue 22)."""
    raw = conn.connection.dbapi_connection
    wait_ms = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
    deadline = time.monotonic() + wait_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or ("locked" not in str(exc) and "busy" not in str(exc)):
                    break
            with turn:
                turn.wait(min(_TURN_LOOK_S, remaining))
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last look, its error as SQLAlchemy words it
    finally:
        raw.execute(f"PRAGMA busy_timeout={wait_ms}")


def _notify_after(dialect: Any, name: str, turn: threading.Condition) -> None:
    """After the dialect's commit (or rollback), wake the writers waiting for the lock."""
    done = getattr(dialect, name)

    def then_notify(dbapi_connection: Any) -> None:
        try:
            done(dbapi_connection)
        finally:
            with turn:
                turn.notify_all()

    setattr(dialect, name, then_notify)


def _without_values(context: ExceptionContext) -> None:
    """A database error's text carries no value of the statement (issue 14 §4: a donor's name,
    phone and address reached the logs). hide_parameters (app/extensions.py) leaves the
    parameters out; this leaves out what PostgreSQL itself quotes: its DETAIL line ("Key
    (email)=(…) already exists", "Failing row contains (…)") and, for a data exception (SQLSTATE
    class 22), the value the primary message ends with ("invalid input syntax for type integer:
    "…""). What stays names the constraint, the column or the type. SQLite's messages name
    only those already."""
    orig = context.original_exception
    diag = getattr(orig, "diag", None)  # psycopg's error fields
    if diag is None or not diag.message_primary:
        return
    message = diag.message_primary
    if (diag.sqlstate or "").startswith("22"):
        message = message.split(":", 1)[0]
    orig.args = (message,)
    if context.sqlalchemy_exception is not None:
        context.sqlalchemy_exception.args = (f"({type(orig).__module__}.{type(orig).__name__}) {message}",)
