"""A real HTTP server for the app on 127.0.0.1, in a thread, for browser and agent tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from app.devices.models import Terminal
from app.extensions import db
from app.queue.streams import address_limit
from hardware.agent import Agent


class InFlight:
    """Remembers the threads that answer a WSGI app's requests, so that a server can wait for
    them before its app's database goes away: a request thread that outlives the test (an event
    stream, a long poll) would otherwise open a connection from a disposed engine's pool and
    leave it to the garbage collector (psycopg's ResourceWarning, an error in a later test).
    Threads rather than responses: werkzeug does not close a response whose client went away."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._threads: dict[threading.Thread, str] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._lock:
            if len(self._threads) > 256:
                self._threads = {t: path for t, path in self._threads.items() if t.is_alive()}
            self._threads[threading.current_thread()] = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        return self.app(environ, start_response)

    def wait_idle(self, timeout: float) -> list[str]:
        """Wait for every request thread to end; the requests still running after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = dict(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        return sorted(path for thread, path in threads.items() if thread.is_alive())


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._requests = InFlight(app)
        self._server = make_server("127.0.0.1", 0, self._requests, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop taking requests, end the open event streams and wait for the answers under way."""
        self._server.shutdown()
        self._thread.join(timeout=5)
        address_limit(self.app).end_all()
        if running := self._requests.wait_idle(timeout=20):
            raise AssertionError(f"requests of the live server still running 20 s after it stopped: {running}")
        self._server.server_close()


def start_agent(server_url: str, token: str) -> tuple[Agent, Callable[[], None]]:
    """Run the real terminal agent against a live server in a thread, polling briskly; returns
    the agent and a function that stops it and waits for its thread."""
    agent = Agent(server_url, token, poll_wait=1, min_poll_interval=0.0, max_backoff=0.5)
    thread = threading.Thread(target=agent.run_forever, daemon=True)
    thread.start()

    def stop() -> None:
        agent.stop()
        thread.join(timeout=10)

    return agent, stop


def wait_connected(terminal_id: int, timeout: float = 20) -> None:
    """Wait, in the current app context, until the server has heard from the terminal's agent (its
    first poll stores the time and the agent's key); leaves no transaction open (SQLite's lock)."""
    deadline = time.monotonic() + timeout
    while not db.session.get_one(Terminal, terminal_id, populate_existing=True).last_seen_at:
        db.session.rollback()
        assert time.monotonic() < deadline, f"the agent of terminal {terminal_id} never connected"
        time.sleep(0.05)
    db.session.rollback()


@contextmanager
def polling_agent(app: Flask, token: str, terminal_id: int) -> Iterator[Callable[[], None]]:
    """A live server of `app` with the real agent of `token` polling it, once connected; yields the
    agent's stop (a test may stop it early), and stops both after."""
    live = LiveServer(app).start()
    _, stop_agent = start_agent(live.url, token)
    try:
        wait_connected(terminal_id)
        yield stop_agent
    finally:
        db.session.rollback()  # on SQLite an open transaction of the test holds the write lock
        stop_agent()
        live.stop()
