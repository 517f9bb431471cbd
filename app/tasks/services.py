"""Background work: submit a task, run it once, show its progress, recover it (STYLE rule 17).

- `submit` adds the row in the caller's transaction; the queue hears of it only after that
  transaction commits (an after-commit hook, like the event publisher's), so a rolled-back
  request leaves no task behind and a consumer never sees a row that does not exist yet.
- `run` is what the consumer calls with a task id: a conditional UPDATE claims the row (queued,
  or running with an expired lease), so a duplicate message or a second consumer does nothing;
  a heartbeat renews the lease while the work runs.
- `recover` sends again what a dead consumer or a lost message left behind; the consumer runs
  it at start and every minute.
- Work functions are idempotent: run twice, they change nothing more than once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from huey import crontab
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.auth import audit
from app.auth.models import User
from app.config import settings
from app.core.dates import now
from app.core.refusal import Refusal
from app.db_events import SQLITE_BUSY_TIMEOUT_MS
from app.extensions import db
from app.tasks import engine
from app.tasks.models import FINISHED, Task, TaskState

log = logging.getLogger(__name__)
_PENDING = "yakuba_pending_tasks"
PROGRESS_INTERVAL_SECONDS = 0.5
# How long a progress report waits for SQLite's write lock before it gives up until the next
# report: long enough to pass a page's short transaction, short enough not to stall the work.
SIDE_WRITE_WAIT_MS = 100
INTERNAL_ERROR = "内部エラーが発生しました（処理番号{id}）。管理者に連絡してください。"


class TaskError(Refusal):
    pass


class Cancelled(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a task when someone asked to stop it (中止)."""


WorkFunction = Callable[["TaskContext"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    programme: str
    fn: WorkFunction
    cancellable: bool


KINDS: dict[str, Kind] = {}


def kind(name: str, *, title: str, programme: str = "", cancellable: bool = False
         ) -> Callable[[WorkFunction], WorkFunction]:
    """Register a kind of background work; its function gets a TaskContext and returns the
    JSON result kept on the row."""

    def register(fn: WorkFunction) -> WorkFunction:
        KINDS[name] = Kind(name, title, programme, fn, cancellable)
        return fn

    return register


# --- submitting ------------------------------------------------------------------------------

def submit(kind_name: str, params: dict[str, Any] | None = None, *, by: User | None,
           subject_type: str = "", subject_id: int | None = None, title: str | None = None) -> Task:
    """Add a task in the caller's transaction; it is queued when that transaction commits."""
    definition = KINDS.get(kind_name)
    if definition is None:
        raise KeyError(f"unknown task kind {kind_name!r}")
    task = Task(kind=kind_name, title=(title or definition.title)[:200], programme=definition.programme,
                params=dict(params or {}), subject_type=subject_type, subject_id=subject_id,
                created_by_id=by.id if by is not None else None, enqueued_at=now())
    db.session.add(task)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(task.id)
    return task


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for task_id in pending or ():
        try:
            engine.send(task_id)
        except Exception:  # the row is the record: recovery sends it again
            log.exception("could not queue task %s; the recovery sweep will", task_id)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- running ---------------------------------------------------------------------------------

def _lease() -> timedelta:
    return timedelta(seconds=settings().TASK_LEASE_SECONDS)


def _claim(task_id: int) -> bool:
    at = now()
    claimed = db.session.execute(
        update(Task)
        .where(Task.id == task_id, or_(
            Task.state == TaskState.queued,
            and_(Task.state == TaskState.running, Task.lease_expires_at < at)))
        .values(state=TaskState.running, attempts=Task.attempts + 1, lease_expires_at=at + _lease(),
                started_at=at)
    ).rowcount
    db.session.commit()
    return bool(claimed)


@dataclass
class TaskContext:
    """What a running task sees: its parameters, and a way to report progress."""

    task_id: int
    params: dict[str, Any]
    cancellable: bool
    _engine: Engine
    _lease_seconds: int
    phase: str = ""
    done: int = 0
    total: int | None = None
    unit: str = ""
    _written_at: float = 0.0
    _cancel_requested: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, done: int, total: int | None = None, phase: str | None = None,
                 unit: str | None = None) -> None:
        """Report how far the work is. Written at most twice a second, on a connection of its
        own and never waiting long for a lock (on SQLite, when the lock is busy, the report
        waits for the next call); raises Cancelled when 中止 was asked."""
        changed_phase = phase is not None and phase != self.phase
        self.done = done
        if total is not None:
            self.total = total
        if phase is not None:
            self.phase = phase
        if unit is not None:
            self.unit = unit
        if changed_phase or time.monotonic() - self._written_at >= PROGRESS_INTERVAL_SECONDS:
            self.flush(wait=False)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self.cancellable and self._cancel_requested:
            raise Cancelled

    def flush(self, *, wait: bool) -> None:
        """Write the progress (and renew the lease) now; `wait=False` gives up on a lock."""
        with self._lock:
            values = {"done": self.done, "total": self.total, "phase": self.phase[:100], "unit": self.unit[:20],
                      "progress_at": now(), "lease_expires_at": now() + timedelta(seconds=self._lease_seconds)}
            requested = _side_write(self._engine, self.task_id, values, wait=wait)
            if requested is not None:
                self._written_at = time.monotonic()
                self._cancel_requested = requested


def _side_write(bind: Engine, task_id: int, values: dict[str, Any], *, wait: bool) -> bool | None:
    """Update a running task's row in a transaction of its own, beside the work's transaction.
    Returns whether 中止 was asked, or None when the row could not be written just now."""
    try:
        with bind.connect() as conn:
            # On SQLite the pragma goes to the driver directly: through SQLAlchemy it would
            # begin a transaction, and BEGIN IMMEDIATE would wait for the lock.
            raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" and not wait else None
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={SIDE_WRITE_WAIT_MS}")
            try:
                with conn.begin():
                    conn.execute(update(Task).where(Task.id == task_id, Task.state == TaskState.running)
                                 .values(**values))
                    requested = conn.execute(select(Task.cancel_requested).where(Task.id == task_id)).scalar()
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return bool(requested)
    except OperationalError:
        if wait:
            raise
        return None


class _Heartbeat(threading.Thread):
    """Renews the lease while the work runs, so that only a dead consumer's task is taken over."""

    def __init__(self, ctx: TaskContext, interval: float) -> None:
        super().__init__(name=f"task-{ctx.task_id}-heartbeat", daemon=True)
        self.ctx = ctx
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.ctx.flush(wait=False)
            except Exception:
                log.exception("heartbeat of task %s failed", self.ctx.task_id)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


def run(task_id: int) -> None:
    """Run one task if it is still to be run (the consumer's entry point)."""
    if not _claim(task_id):
        return
    task = db.session.get_one(Task, task_id)
    kind_name, params = task.kind, dict(task.params or {})
    db.session.rollback()  # the work starts with no transaction open (on SQLite one holds the lock)
    definition = KINDS.get(kind_name)
    if definition is None:
        _end(task_id, TaskState.failed, error=f"未登録の処理です（{kind_name}）。")
        return
    lease = settings().TASK_LEASE_SECONDS
    ctx = TaskContext(task_id, params, definition.cancellable, db.engine, lease)
    heartbeat = _Heartbeat(ctx, max(0.5, lease / 4))
    heartbeat.start()
    try:
        result = definition.fn(ctx)
    except Cancelled:
        db.session.rollback()
        _end(task_id, TaskState.cancelled, ctx=ctx, error="中止しました。")
    except Refusal as exc:
        db.session.rollback()
        _end(task_id, TaskState.failed, ctx=ctx, error=exc.message)
    except Exception:
        db.session.rollback()
        log.exception("task %s (%s) failed", task_id, kind_name)
        _end(task_id, TaskState.failed, ctx=ctx, error=INTERNAL_ERROR.format(id=task_id))
    else:
        _end(task_id, TaskState.done, ctx=ctx, result=result or {})
    finally:
        heartbeat.stop()


def _end(task_id: int, state: TaskState, *, ctx: TaskContext | None = None, error: str = "",
         result: dict[str, Any] | None = None) -> None:
    """Record the outcome in the session's transaction (with the work it left uncommitted)."""
    values: dict[str, Any] = {"state": state, "error": error, "finished_at": now(), "lease_expires_at": None}
    if result is not None:
        values["result"] = result
    if ctx is not None:
        values.update(done=ctx.done, total=ctx.total, phase=ctx.phase[:100], unit=ctx.unit[:20])
    db.session.execute(update(Task).where(Task.id == task_id).values(**values))
    db.session.commit()


# --- recovery and cancelling -----------------------------------------------------------------

def recover() -> list[int]:
    """Send again the tasks left queued longer than a lease (a lost message) or running past
    their lease (a dead consumer). The claim in `run` makes a duplicate harmless."""
    at = now()
    stale = select(Task).where(or_(
        and_(Task.state == TaskState.queued, or_(Task.enqueued_at.is_(None), Task.enqueued_at < at - _lease())),
        and_(Task.state == TaskState.running, Task.lease_expires_at < at)))
    ids = []
    for task in db.session.scalars(stale):
        task.enqueued_at = at
        ids.append(task.id)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).extend(ids)
    return ids


@engine.periodic(crontab(minute="*"), "tasks.recover")
def _recover_every_minute() -> None:
    if ids := recover():
        log.info("re-queued tasks %s", ids)


def request_cancel(task: Task, *, by: User) -> None:
    """中止: a waiting task stops at once; a running one at its next progress report."""
    definition = KINDS.get(task.kind)
    if definition is None or not definition.cancellable:
        raise TaskError("この処理は中止できません。")
    if task.status in FINISHED:
        raise TaskError(f"この処理はすでに{task.status.label}です。")
    if task.status is TaskState.queued:
        task.state, task.finished_at, task.error = TaskState.cancelled, now(), "中止しました。"
    else:
        task.cancel_requested = True
    audit.record("update", "task", task.id, f"中止 {task.title}", by=by, programme=task.programme or None)


# --- what pages show --------------------------------------------------------------------------

def get_task(task_id: int) -> Task | None:
    return db.session.get(Task, task_id)


def latest_for(subject_type: str, subject_id: int) -> Task | None:
    return db.session.scalar(select(Task).where(Task.subject_type == subject_type, Task.subject_id == subject_id)
                             .order_by(Task.id.desc()).limit(1))


def active(programme: str, limit: int = 20) -> list[Task]:
    """What is waiting or running for a programme (実行中の処理), oldest first."""
    return list(db.session.scalars(
        select(Task).where(Task.programme == programme, Task.state.in_((TaskState.queued, TaskState.running)))
        .order_by(Task.id).limit(limit)))


def is_cancellable(task: Task) -> bool:
    definition = KINDS.get(task.kind)
    return bool(definition and definition.cancellable and not task.finished and not task.cancel_requested)


@dataclass(frozen=True)
class Progress:
    """A task's progress as a person reads it."""

    percent: float | None
    rate: float | None  # units per second
    seconds_left: float | None
    elapsed: float | None


def progress_of(task: Task) -> Progress:
    elapsed = None
    if task.started_at is not None:
        elapsed = ((task.finished_at or task.progress_at or now()) - task.started_at).total_seconds()
    percent = None
    if task.total:
        percent = 100.0 if task.status is TaskState.done else min(100.0, 100.0 * task.done / task.total)
    rate = task.done / elapsed if elapsed and task.done else None
    left = None
    if rate and task.total and not task.finished:
        left = max(0.0, (task.total - task.done) / rate)
    return Progress(percent, rate, left, elapsed)


def created_by(task: Task) -> User | None:
    return db.session.get(User, task.created_by_id) if task.created_by_id else None


def progress_context(task: Task) -> dict[str, Any]:
    """What templates/tasks/_progress.html needs, for any page that shows a task."""
    return {"task": task, "progress": progress_of(task), "cancellable": is_cancellable(task),
            "created_by": created_by(task)}
