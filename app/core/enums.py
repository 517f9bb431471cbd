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
from typing import Any, Self

from sqlalchemy import CheckConstraint, Dialect, String, TypeDecorator


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
    def has(cls, value: object) -> bool:
        """Whether a stored or typed value is one of the members' (`in` needs a member on 3.11)."""
        return value in cls._value2member_map_

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value (a value no member has shows as itself)."""
        try:
            return cls(value).label
        except ValueError:
            return value


def one_of(column: str, enum: type[StrEnum], *, blank: bool = False) -> CheckConstraint:
    """The CHECK that keeps `column` to the enum's values (and "" with `blank`); named `column`
    (the metadata's naming convention makes it ck_<table>_<column>)."""
    values = ", ".join(f"'{v}'" for v in ([""] if blank else []) + [m.value for m in enum])
    return CheckConstraint(f"{column} IN ({values})", name=column)


class StrEnumType(TypeDecorator[Any]):
    """A `Labelled` (or any StrEnum) column stored as text: rows read back as members, so
    `donation.status.label` works on a loaded row. `length` keeps an existing String(n). An
    empty value stays "" (a column whose CHECK allows it: `one_of(..., blank=True)`)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int | None = None) -> None:
        super().__init__(length or max(len(m.value) for m in enum))
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return value if value is None or value == "" else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | str | None:
        return value if value is None or value == "" else self.enum(value)
