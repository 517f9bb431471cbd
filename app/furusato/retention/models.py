"""保存期間 per kind of record, set by the city (004 §8), and what the sweep found past it; the
廃棄 of what passed it (特記事項 §12) is a DisposalRequest (app/staff/models.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.core.enums import StrEnumType, one_of
from app.extensions import db
from app.staff.models import DisposalKind

#: The kinds of record that carry a retention period (app/furusato/retention/kinds.py says how
#: each one is found by age and disposed of); their disposal requests are app/staff/disposal.py's.
RETAINED: tuple[DisposalKind, ...] = (DisposalKind.donation, DisposalKind.inquiry, DisposalKind.onestop)


class RetentionPeriod(db.Model):
    """保存期間 of one kind of record, in years (5 to 7, as the city sets it)."""

    __tablename__ = "furusato_retention_periods"
    __table_args__ = (one_of("kind", RETAINED),)

    kind: Mapped[DisposalKind] = mapped_column(StrEnumType(DisposalKind, 20), primary_key=True)
    years: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RetentionSweep(db.Model):
    """What the periodic sweep found past its period, per kind, on the day it ran."""

    __tablename__ = "furusato_retention_sweeps"
    __table_args__ = (one_of("kind", RETAINED), Index("ix_furusato_retention_sweeps_kind_day", "kind", "swept_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    swept_on: Mapped[date]
    kind: Mapped[DisposalKind] = mapped_column(StrEnumType(DisposalKind, 20))
    before: Mapped[date]  # records older than this day have passed their period
    count: Mapped[int]
    oldest: Mapped[date | None]
