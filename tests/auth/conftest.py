from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g, request_started


@pytest.fixture(autouse=True)
def each_request_loads_its_user(app: Flask) -> Iterator[None]:
    """The requests of a test share the test's app context, and so `g`, where Flask-Login keeps
    the user of a request: forget it as each request starts, as on a server (an app context per
    request), so that every request of every client loads its user from its own session."""

    def forget(sender: Flask, **extra: Any) -> None:
        g.pop("_login_user", None)

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)
