from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class Department(Labelled):
    citizens = "citizens", "市民課"
    nhi_pension = "nhi_pension", "国保年金課"


#: Department names and labels, for the callers that still look a department up by name.
DEPARTMENTS: dict[str, str] = dict(Department.choices())


class Municipality(db.Model):
    """The city's own settings: a single row."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(6))
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    address: Mapped[str] = mapped_column(String(200))
    mayor_name: Mapped[str] = mapped_column(String(50))
    contractor_name: Mapped[str] = mapped_column(String(100))
    # 公印: the official seal printed on certificates (PNG as uploaded) and its true size in mm
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_mm: Mapped[float] = mapped_column(default=21.0, server_default="21")
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class SpecialOpening(db.Model):
    """A weekend or holiday the city designates for opening 8:30-12:00 (000 §5(3))."""

    __tablename__ = "special_openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Counter(db.Model):
    """窓口: a numbered desk."""

    __tablename__ = "counters"
    __table_args__ = (one_of("department", Department),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(50))
    department: Mapped[Department] = mapped_column(StrEnumType(Department, 20))
    active: Mapped[bool] = mapped_column(default=True)


    @property
    def label(self) -> str:
        return f"{self.number}番窓口"


class CacheVersion(db.Model):
    """The version of what each process keeps a copy of (app/core/cache.py): a flush that
    changes the data raises it in the same transaction, so every process sees the change at its
    next read."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
