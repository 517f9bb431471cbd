"""The task engine: after-commit queueing, one run per task, outcomes, 中止, recovery."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core.dates import now
from app.extensions import db
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState
from tests.tasks import kinds


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    kinds.calls.clear()


def _task(task_id: int) -> Task:
    return db.session.get_one(Task, task_id, populate_existing=True)


def test_a_task_is_queued_when_its_transaction_commits(app: Flask) -> None:
    task = tasks.submit("test.count", {"n": 3}, by=None, subject_type="example", subject_id=7)
    assert kinds.calls == []  # not before the commit
    db.session.commit()
    done = _task(task.id)
    assert kinds.calls == [task.id]
    assert done.status is TaskState.done
    assert (done.done, done.total, done.unit, done.phase) == (3, 3, "件", "計数中")
    assert done.result == {"summary": "3件を数えました。", "counted": 3}
    assert done.attempts == 1 and done.finished_at is not None and done.lease_expires_at is None
    assert tasks.latest_for("example", 7).id == task.id


def test_a_rolled_back_submit_leaves_no_task_and_runs_nothing(app: Flask) -> None:
    tasks.submit("test.count", {"n": 1}, by=None)
    db.session.rollback()
    db.session.commit()
    assert kinds.calls == []
    assert db.session.scalars(select(Task)).all() == []


def test_a_task_runs_once_however_often_its_message_arrives(app: Flask) -> None:
    task = tasks.submit("test.count", {"n": 1}, by=None)
    db.session.commit()
    tasks.run(task.id)
    tasks.run(task.id)
    assert kinds.calls == [task.id]
    assert _task(task.id).attempts == 1


def test_a_refusal_fails_the_task_with_its_japanese_message(app: Flask) -> None:
    task = tasks.submit("test.refuse", {}, by=None)
    db.session.commit()
    failed = _task(task.id)
    assert failed.status is TaskState.failed
    assert failed.error == "3行目の金額が正しくありません。"


def test_a_bug_fails_the_task_with_a_log_line_and_no_details_for_people(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="app.tasks.services"):
        task = tasks.submit("test.bug", {}, by=None)
        db.session.commit()
    failed = _task(task.id)
    assert failed.status is TaskState.failed
    assert failed.error == f"内部エラーが発生しました（処理番号{task.id}）。管理者に連絡してください。"
    assert "ZeroDivisionError" in caplog.text


def test_a_waiting_task_is_cancelled_at_once(app: Flask, make_user: Any) -> None:
    user = make_user("supervisor")
    task = Task(kind="test.count", title="t", programme="furusato", params={"n": 1}, enqueued_at=now())
    db.session.add(task)
    db.session.commit()  # a row whose message has not been handled yet
    tasks.request_cancel(task, by=user)
    db.session.commit()
    tasks.run(task.id)  # its message arrives later: nothing runs
    assert _task(task.id).status is TaskState.cancelled
    assert kinds.calls == []
    with pytest.raises(tasks.TaskError, match="すでに中止"):
        tasks.request_cancel(_task(task.id), by=user)


def test_work_that_cannot_be_stopped_has_no_cancel(app: Flask, make_user: Any) -> None:
    task = Task(kind="test.refuse", title="t", programme="counter", enqueued_at=now())
    db.session.add(task)
    db.session.commit()
    assert not tasks.is_cancellable(task)
    with pytest.raises(tasks.TaskError, match="中止できません"):
        tasks.request_cancel(task, by=make_user("supervisor"))


def test_recovery_sends_again_what_was_lost_or_left_running(app: Flask) -> None:
    at = now()
    lost = Task(kind="test.count", title="lost", params={"n": 1}, enqueued_at=at - timedelta(minutes=5))
    dead = Task(kind="test.count", title="dead", params={"n": 1}, state=TaskState.running,
                lease_expires_at=at - timedelta(seconds=1), attempts=1)
    fresh = Task(kind="test.count", title="fresh", params={"n": 1}, enqueued_at=at)
    alive = Task(kind="test.count", title="alive", params={"n": 1}, state=TaskState.running,
                 lease_expires_at=at + timedelta(minutes=1), attempts=1)
    db.session.add_all([lost, dead, fresh, alive])
    db.session.commit()
    assert sorted(tasks.recover()) == sorted([lost.id, dead.id])
    db.session.commit()  # recovered tasks are sent after the commit, and run (immediate mode)
    assert _task(lost.id).status is TaskState.done
    assert _task(dead.id).status is TaskState.done and _task(dead.id).attempts == 2
    assert _task(fresh.id).status is TaskState.queued and _task(alive.id).status is TaskState.running


def test_progress_reads_as_people_read_it(app: Flask) -> None:
    start = now() - timedelta(seconds=10)
    task = Task(kind="test.count", title="t", state=TaskState.running, done=250, total=1000, unit="行",
                started_at=start, progress_at=start + timedelta(seconds=10))
    p = tasks.progress_of(task)
    assert p.percent == 25.0 and p.rate == 25.0 and p.seconds_left == 30.0


def test_the_progress_fragment_reloads_its_page_once_the_task_has_ended(app: Flask, client: Any,
                                                                         login_as: Any) -> None:
    login_as("operator", programme="furusato")  # test.count is donation work
    task = tasks.submit("test.count", {"n": 2}, by=None)
    db.session.commit()
    page = client.get(f"/tasks/{task.id}/progress?refresh=1", headers={"HX-Request": "true"})
    assert page.status_code == 200 and page.headers.get("HX-Refresh") == "true"
    text = page.get_data(as_text=True)
    assert "テスト用の計数" in text and "完了" in text and "2 / 2 件" in text
    assert 'hx-trigger="every 1s"' not in text  # a finished task polls no more


def test_another_programme_s_work_is_not_even_said_to_exist(app: Flask, client: Any, login_as: Any) -> None:
    """A counter operator cannot open the donation office's task, nor its 実行中の処理 (issue 14 §1)."""
    login_as("operator", programme="counter")
    task = tasks.submit("test.count", {"n": 2}, by=None)
    db.session.commit()
    for path in (f"/tasks/{task.id}", f"/tasks/{task.id}/progress"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/tasks/{task.id}/cancel").status_code == 404
    assert client.get("/tasks/running?programme=furusato").status_code == 403
    assert client.get("/tasks/running?programme=counter").status_code == 200
