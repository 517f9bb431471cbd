"""The reports are tested on the demo data as `flask demo load` loads it: the demo city, its
catalog, fees and register, and a month of counter work before today (app/reports/demo.py).
`demo_month` loads the demo of the domains the counter report reads (quicker: the donation
office's demo is left out); the CLI test loads the whole demo."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

import app.demo as app_demo
from app.core.dates import today
from app.reports.due import first_of_month, previous_month

COUNTER_DEMOS = ("queue", "registry", "register", "counter", "reports")


def load_demo(app, *, only: tuple[str, ...] | None = None, monkeypatch=None) -> date:  # type: ignore[no-untyped-def]
    if only is not None:
        monkeypatch.setattr(app_demo, "modules",
                            lambda kind: (importlib.import_module(f"app.{d}.{kind}") for d in only))
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    return previous_month(first_of_month(today()))


@pytest.fixture
def demo_month(app, db_session, monkeypatch) -> date:  # type: ignore[no-untyped-def]
    """The counter's demo loaded; the month it seeds with counter work (the month before today)."""
    return load_demo(app, only=COUNTER_DEMOS, monkeypatch=monkeypatch)
