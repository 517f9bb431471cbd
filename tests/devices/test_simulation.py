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
