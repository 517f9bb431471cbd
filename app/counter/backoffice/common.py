"""What the back-office ledgers share: their refusal, the required-text check and paging with
the audited read of the people a list page shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem, Refusal
from app.web.paging import Page, paged


class BackofficeError(Refusal):
    """A rule of the back-office ledgers said no."""


def required(data: object, fields: Iterable[tuple[str, str]]) -> list[Problem]:
    return [Problem(name, f"{label}を入力してください。") for name, label in fields
            if not str(getattr(data, name) or "").strip()]


def day_between(name: str, label: str, value: date | None, first: date | None, today: date,
                first_label: str) -> list[Problem]:
    """A date that must be given and lie from `first` (when known) to today."""
    if value is None:
        return [Problem(name, f"{label}を入力してください。")]
    if value > today:
        return [Problem(name, f"{label}は今日までの日付にしてください。")]
    if first is not None and value < first:
        return [Problem(name, f"{label}は{first_label}（{first:%Y-%m-%d}）以降の日付にしてください。")]
    return []


def clean(text: str) -> str:
    return " ".join(text.split())


def audited_page(query: Select[Any], page: int, kind: str, what: str, *, by: User) -> Page[Any]:
    """One page of a ledger; the people it shows are one audited read (STYLE rule 5)."""
    result = paged(query, page)
    audit.read_list(kind, (row.id for row in result.rows), what, by=by)
    return result
