"""States and kinds as enums with a Japanese label, stored as text with a CHECK (STYLE rule 18).

    class CaseState(Labelled):
        received = "received", "受付"
        closed = "closed", "完了"

    __table_args__ = (one_of("state", CaseState),)

A member is a `str` (it compares equal to its value, so rows and JSON read as before) and has a
`label`; `CaseState.choices()` gives (value, label) pairs for a select. A column typed
`StrEnumType(CaseState, 20)` holds members: a loaded row reads back as members, and a value
set on the attribute becomes one (an unknown value is refused there and then), so
`case.state.label` always works (a plain `String` column reads back as `str`). "" stays "" on
a column whose CHECK allows it (`one_of(blank=True)`, a choice not made).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Self

from sqlalchemy import CheckConstraint, Dialect, String, event
from sqlalchemy.orm import Mapper
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


def one_of(column: str, enum: Iterable[StrEnum], *, blank: bool = False) -> CheckConstraint:
    """The CHECK that keeps `column` to the enum's values, or to some of its members (and ''
    when `blank`, for a choice not made); named `column` (the metadata's naming convention
    makes it ck_<table>_<column>)."""
    values = ", ".join(f"'{v}'" for v in [*(m.value for m in enum), *([""] if blank else [])])
    return CheckConstraint(f"{column} IN ({values})", name=column)


class StrEnumType(TypeDecorator[StrEnum]):
    """Text in the database (`String(length)`, so the schema is as before), a member of `enum`
    in Python. Writing takes a member or its value; reading a value no member has fails, which
    the column's CHECK (`one_of`) keeps from happening."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int | None = None) -> None:
        super().__init__(length or max(len(m.value) for m in enum))
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return self.enum(value).value if value else value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | str | None:
        return self.enum(value) if value else value


@event.listens_for(Mapper, "mapper_configured")
def _members_on_set(mapper: Mapper[Any], cls: type) -> None:
    """A value set on a StrEnumType attribute becomes the enum's member."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            event.listen(getattr(cls, prop.key), "set", _to_member(column_type.enum), retval=True)


def _to_member(enum: type[StrEnum]) -> Any:
    def coerce(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        return enum(value) if value else value

    return coerce
