"""The portal import with a real task consumer process (SQLite storage in make test, Redis in
make test-pg): killed with SIGKILL in the middle of a 100,000-row import and started again,
and the counter's pages answering while such an import runs on SQLite."""

from __future__ import annotations

import http.cookiejar
import io
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.furusato import imports, services
from app.furusato.models import Donation, ImportBatch, ImportFile, ImportStagingRow, SuspectFlag
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import GIFTS, Generator, write_portal_file
from app.tasks.models import Task, TaskState
from tests.conftest import ON_POSTGRES, PASSWORD
from tests.consumer import Consumer
from tests.furusato.test_imports import _empty_tables, _fingerprint

pytestmark = pytest.mark.slow
ROWS = 100_000


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """100,000 donations in ふるさとチョイス's layout (Shift_JIS), 5% repeat donors: made once."""
    path = tmp_path_factory.mktemp("furusato") / "choice-100k.csv"
    with path.open("wb") as out:
        write_portal_file(file_profiles()["choice"], Generator(seed=21).donations(ROWS, bad=0, repeat=0.05), out)
    return path.read_bytes()


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


def _queue_import(data: bytes) -> tuple[int, int]:
    """A batch for the file, queued (stored directly: it is larger than the upload form takes)."""
    stored = ImportFile(filename="choice-100k.csv", size=len(data), sha256="-", content=data, uploaded_by="tester")
    db.session.add(stored)
    db.session.flush()
    batch = imports.create_batch(services.portal_by_code("choice"), stored.filename, import_file=stored)
    task = imports.queue(batch, by=None)
    db.session.commit()
    return batch.id, task.id


def _read(batch_id: int, task_id: int) -> tuple[ImportBatch, Task]:
    """The batch and its task as they are now, without keeping a transaction open (on SQLite one
    holds the write lock the consumer needs)."""
    batch = db.session.get_one(ImportBatch, batch_id, populate_existing=True)
    task = db.session.get_one(Task, task_id, populate_existing=True)
    db.session.expunge(batch)
    db.session.expunge(task)
    db.session.rollback()
    return batch, task


def _wait(batch_id: int, task_id: int, until: Callable[[ImportBatch, Task], bool],
          timeout: float = 600.0) -> tuple[ImportBatch, Task]:
    deadline = time.monotonic() + timeout
    while True:
        batch, task = _read(batch_id, task_id)
        if until(batch, task):
            return batch, task
        if task.finished or time.monotonic() > deadline:
            raise AssertionError(f"batch {batch.status} {batch.created}, task {task.state} {task.phase} "
                                 f"{task.done}/{task.total}")
        time.sleep(0.2)


def _applying(batch: ImportBatch, task: Task) -> bool:
    # On SQLite the applying state is committed with the first step; on PostgreSQL the apply is
    # one transaction, seen from outside only through the task's progress.
    return task.phase.startswith(imports.PHASE_APPLY[:2]) and task.done >= 20_000


def test_sigkill_during_staging_and_during_apply_then_restart_gives_one_clean_import(
        app: Flask, furusato: None, task_consumer: Consumer, big_file: bytes) -> None:
    task_consumer.start()
    batch_id, task_id = _queue_import(big_file)
    _, task = _wait(batch_id, task_id, lambda b, t: b.status == "staging" and t.done >= 30_000)
    assert task.phase == imports.PHASE_READ and task.total == ROWS and task.unit == "行"
    task_consumer.kill()
    time.sleep(task_consumer.lease_seconds + 0.5)
    task_consumer.start()  # its recovery sends the task again; the batch is read again from the start
    batch, task = _wait(batch_id, task_id, _applying)
    killed_at = task.done
    task_consumer.kill()
    time.sleep(task_consumer.lease_seconds + 0.5)
    task_consumer.start()
    if not ON_POSTGRES:  # the applied steps stay applied; the progress goes on from them
        batch, task = _wait(batch_id, task_id, lambda b, t: t.attempts == 3 and t.status is TaskState.running
                            and t.phase.startswith(imports.PHASE_APPLY[:2]))
        assert task.done >= killed_at and batch.created >= killed_at
    batch, task = _wait(batch_id, task_id, lambda b, t: t.finished)
    assert (task.status, task.attempts, task.error) == (TaskState.done, 3, "")
    assert task.done == task.total == ROWS and task.phase == "完了"
    assert (batch.status, batch.rows, batch.staged, batch.created, batch.updated, batch.error_count) == (
        "applied", ROWS, ROWS, ROWS, 0, 0)
    assert task.result["created"] == ROWS and task.result["suspects"] == batch.suspects
    assert db.session.scalar(select(func.count()).select_from(Donation)) == ROWS
    assert db.session.scalar(select(func.count()).select_from(SuspectFlag)) == batch.suspects
    assert db.session.scalar(select(func.count()).select_from(ImportStagingRow)) == 0
    after_kills = _fingerprint()
    db.session.rollback()
    task_consumer.stop()

    _empty_tables()  # the same file, once, without a kill: the same donations, donors and suspects
    clean, counts = imports.run_import(services.portal_by_code("choice"), io.BytesIO(big_file), "choice-100k.csv")
    assert (clean.status, counts.created, counts.suspects) == ("applied", ROWS, batch.suspects)
    assert _fingerprint() == after_kills


class Staff:
    """A logged-in browser stand-in over HTTP (urllib with a cookie jar)."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get("/login")[1]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None, page[:500]
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
        self.opener.open(f"{base}/login", data=form.encode(), timeout=30).read()

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(f"{self.base}{path}", timeout=30) as response:
            return response.status, response.read().decode()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's one write lock; PostgreSQL has none to wait for")
def test_counter_pages_answer_while_a_100k_row_import_runs_on_sqlite(
        live_app: Flask, live_server: Any, task_consumer: Consumer, big_file: bytes) -> None:
    """Every counter page answers (no 'database is locked') while the import holds SQLite's
    write lock in short steps. How fast they answer is measured by bench/requests.py, not here."""
    from app.auth import services as auth
    from app.furusato.models import Gift

    with live_app.app_context():
        services.sync_portals()
        db.session.add_all(Gift(code=c, name=n, amount=a) for c, n, a in GIFTS)
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
        auth.create_user("operator-user", "窓口 太郎", "operator", PASSWORD, scope="counter")
        auth.create_user("supervisor-user", "寄附 太郎", "supervisor", PASSWORD, scope="furusato")
        db.session.commit()
    operator = Staff(live_server.url, "operator-user")
    watcher = Staff(live_server.url, "supervisor-user")
    assert operator.get("/counter/reception")[0] == 200
    task_consumer.start()
    with live_app.app_context():
        batch_id, task_id = _queue_import(big_file)

    phases: set[str] = set()
    state = {"done": False}

    def watch() -> None:  # what the batch page's progress bar asks, once a second
        while not state["done"]:
            page = watcher.get(f"/tasks/{task_id}/progress")[1]
            found = re.search(r'<p class="task-phase">([^<]*)</p>', page)
            if found:
                phases.add(found.group(1))
            state["done"] = 'data-task-state="done"' in page or 'data-task-state="failed"' in page
            time.sleep(1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    pages = 0
    deadline = time.monotonic() + 600
    while not state["done"] and time.monotonic() < deadline:
        for path in ("/counter/reception", "/queue/counter", "/counter/"):
            assert operator.get(path)[0] == 200, path
            pages += 1
        time.sleep(0.05)
    thread.join(timeout=10)
    with live_app.app_context():
        batch = db.session.get_one(ImportBatch, batch_id)
        assert (batch.status, batch.created) == ("applied", ROWS)
        db.session.rollback()
    assert {imports.PHASE_READ, imports.PHASE_APPLY} <= phases, phases
    assert pages > 100


def test_cancelling_while_the_file_is_read_applies_nothing(
        app: Flask, furusato: None, task_consumer: Consumer, client: Any, login_as: Any) -> None:
    task_consumer.start()
    login_as("operator")
    data = io.BytesIO()
    write_portal_file(file_profiles()["choice"], Generator(seed=4).donations(30_000, bad=0), data)
    batch_id, task_id = _queue_import(data.getvalue())
    _wait(batch_id, task_id, lambda b, t: b.status == "staging" and t.done > 0)
    page = client.post(f"/tasks/{task_id}/cancel", headers={"HX-Request": "true"}).get_data(as_text=True)
    db.session.rollback()
    assert "中止を受け付けました" in page
    batch, task = _wait(batch_id, task_id, lambda b, t: t.finished, timeout=120)
    assert (task.status, batch.status) == (TaskState.cancelled, "cancelled")
    assert "何も取り込んでいません" in batch.message
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportStagingRow)) == 0
    assert "中止（変更なし）" in client.get(f"/furusato/imports/{batch_id}").get_data(as_text=True)
