"""The row that carries a piece of background work: state, lease, progress and outcome.

The Huey message carries only the row's id, so nothing personal ever sits in the queue; the row
is the record and the queue is a hint (a lost message is recovered from the row).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.core.enums import Labelled, one_of
from app.extensions import db


class TaskState(Labelled):
    queued = "queued", "待機中"
    running = "running", "実行中"
    done = "done", "完了"
    failed = "failed", "失敗"
    cancelled = "cancelled", "中止"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({TaskState.done, TaskState.failed, TaskState.cancelled})


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        one_of("state", TaskState),
        Index("ix_tasks_state_lease", "state", "lease_expires_at"),
        Index("ix_tasks_subject", "subject_type", "subject_id"),
        Index("ix_tasks_programme_state", "programme", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(20), default="")
    state: Mapped[TaskState] = mapped_column(String(20), default=TaskState.queued)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject_type: Mapped[str] = mapped_column(String(64), default="")
    subject_id: Mapped[int | None]
    phase: Mapped[str] = mapped_column(String(100), default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    unit: Mapped[str] = mapped_column(String(20), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_expires_at: Mapped[datetime | None]
    enqueued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    progress_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def status(self) -> TaskState:
        return TaskState(self.state)

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def waiting(self) -> bool:
        return self.status is TaskState.queued

    @property
    def running(self) -> bool:
        return self.status is TaskState.running

    @property
    def succeeded(self) -> bool:
        return self.status is TaskState.done
