"""Staff register helpers: people of each side of a programme, and a register with a lead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from app.core.dates import today
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def days(n: int) -> date:
    return today() + timedelta(days=n)


@pytest.fixture
def people(make_user: Callable[..., Any]) -> Any:
    """A counter supervisor, a counter city clerk, a furusato city clerk and an operator."""

    class People:
        supervisor = make_user("supervisor", "sup")
        city = make_user("city_staff", "city")
        operator = make_user("operator", "op")

    return People


@pytest.fixture
def with_lead(people: Any) -> Any:
    """The counter register with its first 作業責任者 (entered directly, 004 特記事項 §3(1))."""
    from app.staff import register

    lead = register.add_entry("counter", register.EntryInput("佐藤 一郎", "窓口統括", days(-100), None, "lead"),
                              by=people.supervisor)
    db.session.commit()
    return lead
