"""States and kinds as enums with a Japanese label, stored as text with a CHECK (STYLE rule 18).

    class CaseState(Labelled):
        received = "received", "受付"
        closed = "closed", "完了"

    __table_args__ = (one_of("state", CaseState),)

A member is a `str` (it compares equal to its value, so rows and JSON read as before) and has a
`label`; `CaseState.choices()` gives (value, label) pairs for a select. A column typed
`StrEnumType(CaseState, 20)` reads back as members (so a template can say `case.state.label`);
a plain `String` column reads back as str.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from sqlalchemy import CheckConstraint, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


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
        """Whether `value` is one of the members' values (`in` on the class warns in 3.11)."""
        return value in cls._value2member_map_

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value (a value no member has shows as itself)."""
        try:
            return cls(value).label
        except ValueError:
            return value


def one_of(column: str, enum: type[StrEnum], *, blank: bool = False) -> CheckConstraint:
    """The CHECK that keeps `column` to the enum's values (and '' when `blank`, for a choice
    not made); named `column` (the metadata's naming convention makes it ck_<table>_<column>)."""
    values = ", ".join(f"'{v}'" for v in [*(m.value for m in enum), *([""] if blank else [])])
    return CheckConstraint(f"{column} IN ({values})", name=column)


class StrEnumType(TypeDecorator[str]):
    """A text column that reads back as members of `enum` (written as their values). The
    column is `String(length)` in the schema, so changing a column's Python type to this
    needs no migration of its own; "" (a choice not made, see `one_of(blank=True)`) stays ""."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int | None = None) -> None:
        super().__init__(length or max(len(m.value) for m in enum))
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return self.enum(value).value if value else value  # "" is a choice not made

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | str | None:
        return self.enum(value) if value else value

    def coerce(self, value: Any) -> Any:
        """The member for a value assigned in Python (for a model's `@validates`), so an object
        reads the same before and after it is loaded: `obj.state.label` works on both."""
        return self.enum(value) if value else value


def members(model: Any, key: str, value: Any) -> Any:
    """For a model's `@validates(...)` over its StrEnumType columns: the assigned value as a
    member (a wrong value fails here, where it is assigned)."""
    return model.__table__.c[key].type.coerce(value)
