"""States and kinds as enums with a Japanese label, stored as text with a CHECK (STYLE rule 18).

    class CaseState(Labelled):
        received = "received", "受付"
        closed = "closed", "完了"

    __table_args__ = (one_of("state", CaseState),)

A member is a `str` (it compares equal to its value, so rows and JSON read as before) and has a
`label`; `CaseState.choices()` gives (value, label) pairs for a select.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from sqlalchemy import CheckConstraint


class Labelled(StrEnum):
    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value (a value no member has shows as itself)."""
        try:
            return cls(value).label
        except ValueError:
            return value


def one_of(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The CHECK that keeps `column` to the enum's values; named `column` (the metadata's naming
    convention makes it ck_<table>_<column>)."""
    values = ", ".join(f"'{m.value}'" for m in enum)
    return CheckConstraint(f"{column} IN ({values})", name=column)
