"""Real servers for the queue's tests and its benchmark, started as the README's "Production"
section starts them: the threaded app server (wsgi:app on gunicorn gthread) and the stream
server (wsgi_streams:app on gunicorn's gevent worker), on 127.0.0.1 only."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parents[2]
# as in the README (tests/queue/test_stream_server.py checks that it says so)
STREAM_SERVER = ("--worker-class", "gevent", "--workers", "1", "--worker-connections", "2000",
                 "--graceful-timeout", "5")
STREAM_APP = "wsgi_streams:app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], port: int, env: dict[str, str], log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)


def app_server(port: int, env: dict[str, str], *, workers: int = 1, threads: int = 8, app: str = "wsgi:app",
               extra: tuple[str, ...] = (), log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    return start(["--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
                  "--graceful-timeout", "3", *extra, app], port, env, log)


def stream_server(port: int, env: dict[str, str], *, workers: int = 1,
                  log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    args = list(STREAM_SERVER)
    args[args.index("--workers") + 1] = str(workers)
    return start([*args, STREAM_APP], port, env, log)


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited ({process.returncode})")
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """gunicorn's quick shutdown (SIGINT): open streams are cut, as a restart cuts them after
    the graceful timeout."""
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if found is None:
        raise AssertionError("no CSRF token on the page")
    return found.group(1)


def login(url: str, username: str, password: str) -> tuple[requests.Session, str]:
    """A signed-in session and its CSRF token (the login starts a new session)."""
    session = requests.Session()
    token = csrf(session.get(f"{url}/login", timeout=10).text)
    response = session.post(f"{url}/login", data={"username": username, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise AssertionError(f"login failed ({response.status_code})")
    return session, csrf(session.get(f"{url}/queue/counter", timeout=10).text)
