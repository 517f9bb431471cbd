"""Fixtures for the register: the fee schedule, a register terminal with a printer, cashiers,
and bills opened through the service other domains use."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.devices import services as device_services
from app.extensions import db
from app.register import services
from app.register.fees import Item, seed_default_fees

SCHEDULE_START = date(2020, 4, 1)


@pytest.fixture
def fees(app) -> None:
    seed_default_fees(SCHEDULE_START)
    db.session.commit()


@pytest.fixture
def make_register(app) -> Callable[[str], Any]:
    def make(code: str = "register-t") -> Any:
        terminal, _ = device_services.create_terminal(device_services.NewTerminal(code, f"試験レジ {code}", "register"))
        device_services.save_binding(terminal, device_services.BindingInput("printer", "printer", f"sim://{code}"))
        db.session.commit()
        return terminal

    return make


@pytest.fixture
def register(make_register) -> Any:
    return make_register()


@pytest.fixture
def staff(make_user) -> Callable[..., Any]:
    """Users by role with distinct names: staff("operator", "a") and staff("operator", "b")."""

    def make(role: str, suffix: str = "1", display_name: str | None = None) -> Any:
        return make_user(role, f"{role}-{suffix}", display_name=display_name or f"{role} {suffix}")

    return make


@pytest.fixture
def cashier(staff) -> Any:
    return staff("operator", "cashier", "会計 花子")


_sources = itertools.count(1)


@pytest.fixture
def make_bill(fees) -> Callable[..., Any]:
    def make(*items: tuple[str, int] | tuple[str, int, bool], visitor: str = "山彦 一郎",
             ticket: str | None = None, commit: bool = True) -> Any:
        lines = [Item(code, quantity, *rest) for code, quantity, *rest in items] or [Item("resident_record_copy", 1)]
        bill = services.open_bill("test", next(_sources), visitor, lines, ticket_number=ticket)
        if commit:
            db.session.commit()
        return bill

    return make


def new_key() -> str:
    return uuid.uuid4().hex
