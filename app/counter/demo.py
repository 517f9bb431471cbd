"""Demo data of the counter: the procedure catalog."""

from __future__ import annotations

from app.counter import catalog


def load() -> None:
    catalog.load()
