"""No personal data in the logs (issue 14 §4): requests that carry it (a donation search by name,
a resident search by name and kana, the live search's fragment, a statement that fails on a name)
leave it in no log line: not in the access log (werkzeug's, gunicorn's), not in the error log with
its traceback, not in the database error's text. Each server writes its logs as it would in use;
the test reads them all."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import DBAPIError

from tests.conftest import PASSWORD, SECRET
from tests.live import LiveServer
from tests.logs_app import FAILING_PATH, add_failing_view
from tests.queue.servers import csrf, free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
DONOR, KANA, RESIDENT, FAILING = "寄附山彦太郎", "ヤマビコスミコ", "山彦住子", "失敗山彦次郎"
PERSONAL = (DONOR, KANA, RESIDENT, FAILING)


def _personal_data_in(log: str) -> list[str]:
    """Each value found in the log, as it is or percent-encoded in a URL."""
    return [value for value in PERSONAL
            if any(form in log for form in (value, quote(value), quote(value).lower()))]


def _sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    token = csrf(session.get(f"{url}/login", timeout=30).text)
    signed_in = session.post(f"{url}/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                             allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302
    return session


def _requests_with_personal_data(url: str, username: str) -> None:
    """`username` works at the counter; the donation office's `{role}-furusato-user` beside it."""
    donation_office = _sign_in(url, username.replace("-user", "-furusato-user"))
    assert donation_office.get(f"{url}/furusato/donations", params={"text": DONOR}, timeout=30).status_code == 200
    session = _sign_in(url, username)
    assert session.get(f"{url}/registry/", params={"kana": KANA, "name": RESIDENT}, timeout=30).status_code == 200
    fragment = session.get(f"{url}/registry/", params={"kana": KANA}, timeout=30,
                           headers={"HX-Request": "true", "Referer": f"{url}/registry/?kana={quote(KANA)}"})
    assert fragment.status_code == 200
    failed = session.post(f"{url}{FAILING_PATH}", data={"name": FAILING}, timeout=30)
    assert failed.status_code == 500


@pytest.fixture
def operator(make_user) -> str:  # type: ignore[no-untyped-def]
    """A user the servers sign in as; this process then holds no transaction (SQLite's writers
    take the database at BEGIN)."""
    from app.extensions import db

    username = make_user("operator", programme="counter").username
    make_user("operator", programme="furusato")
    db.session.remove()
    return username


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.WARNING, logger="urllib3")  # the test's own HTTP client, not a server
    caplog.set_level(logging.DEBUG)  # after: it sets the capturing handler's level too
    yield caplog


def test_werkzeug_server_logs_no_personal_data(live_app: Flask, operator: str, all_logs, capfd) -> None:  # type: ignore[no-untyped-def]
    """The development server of `make run` (werkzeug), in this process: every log record and
    what reached stdout and stderr."""
    server = LiveServer(add_failing_view(live_app)).start()
    try:
        _requests_with_personal_data(server.url, operator)
        # werkzeug logs a request's traceback after it has sent the 500: wait for the record
        deadline = time.monotonic() + 30
        while "Error on request" not in all_logs.text and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    captured = capfd.readouterr()
    log = all_logs.text + captured.out + captured.err
    assert "GET /furusato/donations HTTP/1.1" in log and "GET /registry/ HTTP/1.1" in log  # they were logged
    assert "IntegrityError" in log  # and so was the failure, with its traceback
    assert _personal_data_in(log) == []


SERVERS = {
    "gunicorn": [sys.executable, "-m", "gunicorn", "--access-logfile", "-", "--error-logfile", "-",
                 "--bind", "127.0.0.1:{port}", "tests.logs_app:make_app()"],
    "flask run": [sys.executable, "-m", "flask", "--app", "tests.logs_app:make_app()", "run",
                  "--host", "127.0.0.1", "--port", "{port}"],
}


@pytest.mark.parametrize("server", SERVERS)
def test_servers_log_no_personal_data(server: str, database_url: str, operator: str, tmp_path: Path) -> None:
    """gunicorn with its access log on, and `flask run`, as processes of their own (not testing:
    Flask logs the failure as in production); their whole output is read."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "YAKUBA_DEMO": "0",
           "YAKUBA_SIMULATE_DEVICES": "0", "TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
           "TASK_FILES_DIR": str(tmp_path / "files"), "PYTHONUNBUFFERED": "1"}
    output = tmp_path / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen([part.format(port=port) for part in SERVERS[server]], cwd=ROOT, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, process)
            _requests_with_personal_data(url, operator)
        finally:
            stop(process)
    log = output.read_text(errors="replace")
    assert "/furusato/donations" in log and "/registry/" in log
    assert f"Exception on {FAILING_PATH} [POST]" in log and "IntegrityError" in log
    assert _personal_data_in(log) == []


def _failing_statements(dialect: str) -> list[tuple[str, dict[str, str]]]:
    statements = [("INSERT INTO users (username) VALUES (:name)", {"name": FAILING}),  # NOT NULL
                  ("INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, "
                   "password_changed_at) SELECT id, username, :name, role, password_hash, active, created_at, "
                   "password_changed_at FROM users", {"name": FAILING})]  # the primary key, the row quoted
    if dialect == "postgresql":  # a data exception quotes the value in its first line
        statements.append(("SELECT CAST(:name AS integer)", {"name": FAILING}))
    return statements


def test_database_errors_carry_no_values(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.extensions import db

    make_user("operator")
    for statement, params in _failing_statements(db.engine.dialect.name):
        with pytest.raises(DBAPIError) as failed, db.engine.connect() as conn:
            conn.execute(sa.text(statement), params)
        assert FAILING not in str(failed.value) and FAILING not in str(failed.value.orig), statement
