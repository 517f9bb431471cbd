"""A real HTTP server for the app on 127.0.0.1, in a thread, for browser and agent tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import make_server

from hardware.agent import Agent


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


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
