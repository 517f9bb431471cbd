"""A call made in one server process reaches a display connected to another (DESIGN "Live
updates": LISTEN/NOTIFY on PostgreSQL). Two real gunicorn processes, a real SSE client."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.queue import services
from app.timeutil import now
from tests.conftest import ON_POSTGRES, PASSWORD, SECRET

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="several server processes share events only through PostgreSQL "
                       "LISTEN/NOTIFY; SQLite runs one process (set TEST_DATABASE_URL)"),
]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "YAKUBA_DEMO": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads", "8", "--workers", "1",
         "--graceful-timeout", "3",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server process exited"
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def two_servers(office, database_url: str) -> Iterator[tuple[str, str]]:
    ports = (_free_port(), _free_port())
    processes = [_start_server(port, database_url) for port in ports]
    try:
        urls = tuple(f"http://127.0.0.1:{port}" for port in ports)
        for url, process in zip(urls, processes, strict=True):
            _wait_healthy(url, process)
        yield urls  # type: ignore[misc]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _login(url: str, username: str) -> tuple[requests.Session, str]:
    """A signed-in session and its CSRF token (the login starts a new session)."""
    session = requests.Session()
    token = _csrf(session.get(f"{url}/login", timeout=10).text)
    response = session.post(f"{url}/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return session, _csrf(session.get(f"{url}/queue/counter", timeout=10).text)


def _read_until(lines: Iterator[str], event: str) -> list[str]:
    """The lines of the first message of this event (up to its blank line)."""
    seen: list[str] = []
    for line in lines:
        if line == f"event: {event}":
            message = [line]
            for rest in lines:
                if not rest:
                    return message
                message.append(rest)
        seen.append(line)
    raise AssertionError(f"no {event!r} event: {seen}")


def test_a_call_in_one_process_reaches_a_display_on_another(two_servers, office, make_user) -> None:
    display_server, counter_server = two_servers
    services.issue_ticket(office.a, at=now(), check_hours=False)
    db.session.commit()
    username = make_user("operator").username
    counter_id = office.counters[2].id
    db.session.close()

    with requests.get(f"{display_server}/displays/queue/stream?since=0", stream=True, timeout=(5, 30)) as stream:
        lines = stream.iter_lines(decode_unicode=True)
        _read_until(lines, "ready")  # subscribed in the display's process

        session, token = _login(counter_server, username)
        headers = {"X-CSRFToken": token}
        session.post(f"{counter_server}/queue/counter/select", data={"counter_id": counter_id},
                     headers=headers, timeout=10)
        called = session.post(f"{counter_server}/queue/counter/call-next", headers=headers, timeout=10,
                              allow_redirects=False)
        assert called.status_code == 303

        event = _read_until(lines, "call")
    data = "\n".join(event)
    assert 'data-label="A-001"' in data
    assert 'data-speech="Aの1番の方、2番窓口へお越しください"' in data
