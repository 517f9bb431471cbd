"""保存期間 per kind of record, set by the city (004 §8), and the 廃棄 of what passed it
(特記事項 §12): applied for, approved by the city, carried out, recorded."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class RecordKind(Labelled):
    """The kinds of record that carry a retention period (app/furusato/retention/kinds.py says
    how each one is found by age and disposed of)."""

    donation = "donation", "寄附の記録（申込・入金・修正・疑義対応）"
    inquiry = "inquiry", "問い合わせの記録"
    onestop = "onestop", "ワンストップ特例申請の個人番号・申請書画像（引渡し後）"


class DisposalState(Labelled):
    requested = "requested", "承認待ち"
    approved = "approved", "承認済み"
    rejected = "rejected", "不承認"
    running = "running", "廃棄中"
    done = "done", "廃棄済み"


class RetentionPeriod(db.Model):
    """保存期間 of one kind of record, in years (5 to 7, as the city sets it)."""

    __tablename__ = "furusato_retention_periods"
    __table_args__ = (one_of("kind", RecordKind),)

    kind: Mapped[RecordKind] = mapped_column(StrEnumType(RecordKind, 20), primary_key=True)
    years: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RetentionSweep(db.Model):
    """What the periodic sweep found past its period, per kind, on the day it ran."""

    __tablename__ = "furusato_retention_sweeps"
    __table_args__ = (one_of("kind", RecordKind), Index("ix_furusato_retention_sweeps_kind_day", "kind", "swept_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    swept_on: Mapped[date]
    kind: Mapped[RecordKind] = mapped_column(StrEnumType(RecordKind, 20))
    before: Mapped[date]  # records older than this day have passed their period
    count: Mapped[int]
    oldest: Mapped[date | None]


class DisposalRequest(db.Model):
    """廃棄申請 and, once carried out, 廃棄記録 (特記事項 §12(2)・(5)): items, medium, count,
    method, planned date; the city's decision; who carried it out, when, and how much."""

    __tablename__ = "furusato_disposals"
    __table_args__ = (one_of("kind", RecordKind), one_of("state", DisposalState),
                      Index("ix_furusato_disposals_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RecordKind] = mapped_column(StrEnumType(RecordKind, 20))
    before: Mapped[date]  # the records older than this day (their period passed)
    items: Mapped[str] = mapped_column(Text)
    medium: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]  # how many records when applied for
    method: Mapped[str] = mapped_column(Text)
    planned_on: Mapped[date]
    state: Mapped[DisposalState] = mapped_column(StrEnumType(DisposalState, 12), default=DisposalState.requested)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    finished_at: Mapped[datetime | None]
    disposed_records: Mapped[int | None]
    deleted_files: Mapped[int | None]

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    executed_by = relationship("User", foreign_keys=[executed_by_id])
