"""業務報告書 (004 §10(1)) of a month, and 戦略会議 (§10(2))."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class ReportState(Labelled):
    """A report is drafted, submitted to the city, and inspected (検査): the basis of the
    invoice (004 §13)."""

    making = "making", "作成中"
    draft = "draft", "下書き"
    submitted = "submitted", "提出済み（検査待ち）"
    inspected = "inspected", "検査済み"


class MonthlyReport(db.Model):
    """The monthly report of one calendar month (`month` is its first day)."""

    __tablename__ = "furusato_monthly_reports"
    __table_args__ = (one_of("state", ReportState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)
    state: Mapped[ReportState] = mapped_column(StrEnumType(ReportState, 10), default=ReportState.making)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the periodic task
    generated_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    # Figures only, no personal data; kept with the row (task files are swept after some days,
    # and an inspected report is the basis of the invoice).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[datetime | None]
    inspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspection_note: Mapped[str] = mapped_column(Text, default="")

    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    inspected_by = relationship("User", foreign_keys=[inspected_by_id])

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class StrategyMeeting(db.Model):
    """戦略会議 (004 §10(2)): held monthly with the city; linked from the month's report."""

    __tablename__ = "furusato_strategy_meetings"
    __table_args__ = (Index("ix_furusato_strategy_meetings_held", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
