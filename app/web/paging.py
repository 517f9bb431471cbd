"""Every list that can grow pages and says how many (STYLE rule 20): one page of a query and its count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from app.extensions import db

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    count: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))


def paged(query: Select[Any], page: int = 1, size: int = PAGE_SIZE) -> Page[Any]:
    """One page of the query's rows, and how many there are in all."""
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-count // size)))
    rows = list(db.session.scalars(query.limit(size).offset((page - 1) * size)))
    return Page(rows, int(count), page, size)
