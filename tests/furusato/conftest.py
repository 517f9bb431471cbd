"""Fixtures for the donation programme: portals, gifts, the home area and a file importer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from app.config import settings
from app.core import services as core_services
from app.demo import DEMO_CITY, demo_seal_png
from app.extensions import db
from app.furusato import imports, services
from app.furusato.models import Gift, ImportBatch
from app.furusato.profiles import base_profile
from app.furusato.synthetic import GIFTS, Generator, SyntheticDonation, portal_bytes


@pytest.fixture
def programme() -> str:
    """The donation office's staff (tests/conftest.py make_user)."""
    return "furusato"


@pytest.fixture
def furusato(app: Any) -> None:
    """Portals, the demo gift catalogue and the demo home area (平泉町 stands in for 山彦市)."""
    services.sync_portals()
    for code, name, amount in GIFTS:
        db.session.add(Gift(code=code, name=name, amount=amount))
    services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
    if core_services.get_municipality() is None:  # the city that signs the certificates, with its seal
        core_services.save_municipality(DEMO_CITY)
    core_services.save_seal(demo_seal_png(), 21.0, by=None)
    db.session.commit()


@pytest.fixture
def generator() -> Generator:
    return Generator(seed=7)


def run_import(code: str, data: bytes, *, accept_good_rows: bool = False, encoding: str | None = None
               ) -> tuple[Any, Any]:
    """Import bytes for a portal as the upload does (see `run_file`)."""
    portal = services.portal_by_code(code)
    stored = imports.store_upload(f"{code}.csv", data, by=None)
    batch = imports.create_batch(portal, stored.filename, import_file=stored, accept_good_rows=accept_good_rows,
                                 encoding=encoding)
    if settings().TASK_QUEUE_URL == "immediate":
        imports.queue(batch, by=None)
        db.session.commit()
    else:
        db.session.commit()
        imports.run_batch(batch.id, io.BytesIO(data))
    batch = db.session.get(ImportBatch, batch.id, populate_existing=True)
    counts = imports.counts_of(batch)
    db.session.commit()
    return batch, counts


@pytest.fixture
def run_file(furusato: None) -> Callable[..., tuple[Any, Any]]:
    """Import bytes for a portal as the upload does: the file is stored, a batch queued and its
    task run (right after the commit: the unit tests' "immediate" task queue). In a test with a
    real consumer the batch is run here instead, by the same steps, so that the file is in when
    this returns. Returns the batch and its counts with every issue, and no transaction open
    (on SQLite one would hold the write lock a consumer needs)."""
    return run_import


@pytest.fixture
def portal_file() -> Callable[..., bytes]:
    def make(code: str, donations: list[SyntheticDonation], encoding: str | None = None) -> bytes:
        return portal_bytes(base_profile(code), donations, encoding)

    return make
