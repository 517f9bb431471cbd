"""Fixtures for the donation programme: portals, gifts, the home area and a file importer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from app.extensions import db
from app.furusato import imports, services
from app.furusato.models import Gift
from app.furusato.profiles import base_profile
from app.furusato.synthetic import GIFTS, Generator, SyntheticDonation, portal_bytes


@pytest.fixture
def furusato(app: Any) -> None:
    """Portals, the demo gift catalogue and the demo home area (平泉町 stands in for 山彦市)."""
    services.sync_portals()
    for code, name, amount in GIFTS:
        db.session.add(Gift(code=code, name=name, amount=amount))
    services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
    db.session.commit()


@pytest.fixture
def generator() -> Generator:
    return Generator(seed=7)


@pytest.fixture
def run_file(furusato: None) -> Callable[..., tuple[Any, Any]]:
    """Import bytes for a portal in its own transaction, as the command line does."""

    def run(code: str, data: bytes, **kwargs: Any) -> tuple[Any, Any]:
        portal = services.portal_by_code(code)
        batch, counts = imports.run_import(portal, io.BytesIO(data), f"{code}.csv", **kwargs)
        db.session.commit()
        return batch, counts

    return run


@pytest.fixture
def portal_file() -> Callable[..., bytes]:
    def make(code: str, donations: list[SyntheticDonation], encoding: str | None = None) -> bytes:
        return portal_bytes(base_profile(code), donations, encoding)

    return make
