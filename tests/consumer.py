"""A real task consumer (`flask tasks worker`) in a process of its own, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "Yakuba task consumer started"


class Consumer:
    def __init__(self, database_url: str, tmp_path: Path, queue_url: str = "", *, lease_seconds: int = 3,
                 app: str = "wsgi") -> None:
        if queue_url.startswith("redis"):
            separator = "&" if "?" in queue_url else "?"
            self.url = f"{queue_url}{separator}queue=yakuba-test-{uuid.uuid4().hex[:12]}"
        else:
            self.url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
        self.database_url = database_url
        self.lease_seconds = lease_seconds
        self.app = app
        self.log = tmp_path / "consumer.log"
        self.process: subprocess.Popen[bytes] | None = None
        # more settings for the consumer; its task files where the test's app keeps them
        # (tests/conftest.py own_files), not in the instance/ folder that every run shares
        self.env: dict[str, str] = {"TASK_FILES_DIR": str(tmp_path / "files")}

    def start(self, timeout: float = 30.0) -> Consumer:
        env = {**os.environ, "DATABASE_URL": self.database_url, "TASK_QUEUE_URL": self.url,
               "TASK_LEASE_SECONDS": str(self.lease_seconds), "SECRET_KEY": "test-secret-key",
               "PYTHONPATH": str(ROOT), "YAKUBA_DEMO": "0", "YAKUBA_SIMULATE_DEVICES": "0", **self.env}
        offset = len(self.output())  # in characters, as output() is read (the log has Japanese lines)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", self.app, "tasks", "worker", "--workers", "2"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self.output()[offset:]:
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"the consumer exited:\n{self.output()}")
            time.sleep(0.05)
        raise RuntimeError(f"the consumer did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the consumer dies where it stands, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def kill_when(self, reached: Callable[[], bool], timeout: float = 120.0) -> None:
        """SIGKILL once `reached()` holds, with nothing done between the look and the kill: the
        consumer is stopped (SIGSTOP) for each look and only let go on (SIGCONT) when the point is
        not reached yet. So a fast piece of work cannot finish between the two, however loaded the
        machine is, and the stop-and-go slows it enough to be caught on its way."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            os.killpg(self.process.pid, signal.SIGSTOP)
            time.sleep(0.05)  # a commit already sent to PostgreSQL lands before the look
            if reached():
                self.kill()
                return
            os.killpg(self.process.pid, signal.SIGCONT)
            assert time.monotonic() < deadline, "the consumer never reached the point to kill it at"
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGINT, as Ctrl+C: the consumer finishes its running work and exits."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
