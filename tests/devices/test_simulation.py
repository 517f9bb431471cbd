"""The simulated agents' long polls stay out of the `make run` console; everything else stays in."""

from __future__ import annotations

import logging

import pytest

from app.devices.simulation import QuietAgentPolls


def _access_line(path: str, status: int) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s -',
                             ("127.0.0.1", "22/Nov/2026 09:00:00", f"POST {path} HTTP/1.1", status), None)


@pytest.mark.parametrize(("path", "status", "shown"), [
    ("/agent/api/poll", 200, False),
    ("/agent/api/jobs/7/result", 200, False),
    ("/agent/api/poll", 401, True),
    ("/agent/api/poll", 500, True),
    ("/register/bills/3/pay", 200, True),
    ("/counter/cases/1/card", 422, True),
])
def test_only_successful_agent_polls_are_dropped(path: str, status: int, shown: bool) -> None:
    assert QuietAgentPolls().filter(_access_line(path, status)) is shown


def test_an_agent_starts_once_its_server_listens() -> None:
    """The simulated agents start with the app, before the server listens: each waits (and so
    logs no connection errors) until the port accepts connections."""
    import socket
    import threading
    import time

    from app.devices.simulation import _run_when_listening
    from hardware.agent import Agent

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    agent = Agent(f"http://127.0.0.1:{port}", "token", poll_wait=1)
    started = threading.Event()
    agent.run_forever = started.set  # type: ignore[method-assign]  # only when it would start
    thread = threading.Thread(target=_run_when_listening, args=(agent, agent.server, 10.0), daemon=True)
    thread.start()
    time.sleep(0.6)
    assert not started.is_set()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert started.wait(5)
    thread.join(5)
