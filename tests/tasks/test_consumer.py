"""The engine with a real consumer process: SQLite storage in make test, Redis in make test-pg."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState
from tests.consumer import Consumer
from tests.tasks import kinds  # noqa: F401  (the kinds this consumer runs)


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    task_consumer.app = "tests.tasks.kinds:create_app"
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


def _wait(task_id: int, until: Callable[[Task], bool], timeout: float = 30.0) -> Task:
    deadline = time.monotonic() + timeout
    while True:
        task = db.session.get_one(Task, task_id, populate_existing=True)
        reached = until(task)
        db.session.expunge(task)  # read, then end the transaction: on SQLite it holds the lock
        db.session.rollback()
        if reached:
            return task
        if time.monotonic() > deadline:
            raise AssertionError(f"task {task_id} stayed {task.state} at {task.done}/{task.total}")
        time.sleep(0.1)


def test_the_consumer_runs_a_task_and_its_progress_is_seen_while_it_runs(
        app: Flask, task_consumer: Consumer) -> None:
    task_consumer.start()
    task = tasks.submit("test.count", {"n": 30, "sleep": 0.1}, by=None)
    db.session.commit()
    seen = {_wait(task.id, lambda t: t.status is TaskState.running and 0 < t.done < 30).done}
    while (current := _wait(task.id, lambda t: True)).status is TaskState.running:
        seen.add(current.done)
        time.sleep(0.2)
    assert current.status is TaskState.done and current.done == current.total == 30
    assert len(seen) >= 3  # the progress moved while it ran, not only at the end


def test_a_killed_consumer_s_task_is_taken_up_again_when_a_consumer_starts(
        app: Flask, task_consumer: Consumer) -> None:
    task_consumer.start()
    task = tasks.submit("test.count", {"n": 40, "sleep": 0.1}, by=None)
    db.session.commit()
    _wait(task.id, lambda t: t.status is TaskState.running and t.done >= 5)
    task_consumer.kill()
    time.sleep(task_consumer.lease_seconds + 0.5)  # the lease runs out: nobody renews it
    task_consumer.start()  # recovery at start sends it again
    finished = _wait(task.id, lambda t: t.finished, timeout=60)
    assert finished.status is TaskState.done and finished.attempts == 2
    assert finished.result == {"summary": "40件を数えました。", "counted": 40}


def test_cancel_stops_a_running_task(app: Flask, task_consumer: Consumer, client: Any, login_as: Any) -> None:
    task_consumer.start()
    login_as("supervisor", programme="furusato")  # test.count is donation work
    task = tasks.submit("test.count", {"n": 200, "sleep": 0.05}, by=None)
    db.session.commit()
    _wait(task.id, lambda t: t.status is TaskState.running and t.done > 0)
    response = client.post(f"/tasks/{task.id}/cancel", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "中止を受け付けました" in response.get_data(as_text=True)
    stopped = _wait(task.id, lambda t: t.finished)
    assert stopped.status is TaskState.cancelled and stopped.done < 200


def test_scheduled_work_runs_when_a_consumer_starts_and_commits(app: Flask, task_consumer: Consumer) -> None:
    from sqlalchemy import func, select

    from app.auth.models import AuditEntry

    task_consumer.start()
    deadline = time.monotonic() + 20
    count = 0
    while time.monotonic() < deadline and not count:
        count = db.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.object_type == "test_schedule"))
        db.session.rollback()
        time.sleep(0.1)
    assert count >= 1
