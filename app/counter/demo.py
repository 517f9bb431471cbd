"""Demo data of the counter: the procedure catalog, then the ledgers (plates, postal requests)."""

from __future__ import annotations

from app.counter import catalog
from app.counter.ledgers import demo as ledgers_demo


def load() -> None:
    catalog.load()
    ledgers_demo.load()
