"""Tables of the reports domain: the monthly 業務報告書 (000 §10) and its way to the city."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.core.models import Counter
from app.extensions import db
from app.staff.models import StaffEntry


class ReportState(Labelled):
    """作成中 (the contractor may make it again), 提出済 (sent to the city), 検査済 (the city
    inspected it)."""

    draft = "draft", "作成中"
    submitted = "submitted", "提出済"
    inspected = "inspected", "検査済"


class MonthlyReport(db.Model):
    """One month's 業務報告書: the month's figures as made (PDF and CSV annex kept as made, so what
    was submitted is what the city inspects), with its due day and its states."""

    __tablename__ = "reports_monthly"
    __table_args__ = (one_of("state", ReportState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)  # the first day of the month reported
    due_on: Mapped[date]
    state: Mapped[ReportState] = mapped_column(StrEnumType(ReportState, 10), default=ReportState.draft)
    remarks: Mapped[str] = mapped_column(Text, default="")  # 改善を要する事項 (000 §10)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    generated_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    annex_csv: Mapped[str | None] = deferred(mapped_column(Text))
    created_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[datetime | None]
    inspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspection_note: Mapped[str] = mapped_column(Text, default="")

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    inspected_by: Mapped[User | None] = relationship(foreign_keys=[inspected_by_id])

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月分"


class RosterState(Labelled):
    """作成中 (the contractor edits it), 提出済 (sent to the city by the 25th, 000 §10)."""

    draft = "draft", "作成中"
    submitted = "submitted", "提出済"


class RosterPlan(db.Model):
    """The stored 翌月勤務割当表 of one month (000 §10): made from the proposal of
    app/reports/roster.py, then edited shift by shift, then submitted."""

    __tablename__ = "reports_roster_plans"
    __table_args__ = (one_of("state", RosterState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)  # the first day of the month planned
    due_on: Mapped[date]
    state: Mapped[RosterState] = mapped_column(StrEnumType(RosterState, 10), default=RosterState.draft)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    shifts: Mapped[list[RosterShift]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="[RosterShift.day, RosterShift.counter_id, RosterShift.id]")

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class RosterShift(db.Model):
    """One person at one counter on one day of a stored roster; one counter a day per person."""

    __tablename__ = "reports_roster_shifts"
    __table_args__ = (UniqueConstraint("plan_id", "day", "staff_entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reports_roster_plans.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"))
    staff_entry_id: Mapped[int] = mapped_column(ForeignKey("staff_entries.id"))
    starts: Mapped[time]
    ends: Mapped[time]

    plan: Mapped[RosterPlan] = relationship(back_populates="shifts")
    counter: Mapped[Counter] = relationship()
    staff_entry: Mapped[StaffEntry] = relationship()


class WorkPlanState(Labelled):
    """作成中 → 提出済 → 承認済, or 差戻し (back to the contractor, who edits and submits again)."""

    draft = "draft", "作成中"
    submitted = "submitted", "提出済"
    approved = "approved", "承認済"
    returned = "returned", "差戻し"


class WorkPlan(db.Model):
    """The 業務計画書 of one two-month period (000 §10 "以後２カ月ごと"): its sections as data (the
    template's tables as made, and the contractor's text per section), the expected figures the
    next plan's results are held against, its due day and its states."""

    __tablename__ = "reports_work_plans"
    __table_args__ = (one_of("state", WorkPlanState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts: Mapped[date] = mapped_column(unique=True)  # the first day of the period's first month
    due_on: Mapped[date]
    state: Mapped[WorkPlanState] = mapped_column(StrEnumType(WorkPlanState, 10), default=WorkPlanState.draft)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expected: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    events: Mapped[list[WorkPlanEvent]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="WorkPlanEvent.id")

    @property
    def label(self) -> str:
        second = self.starts.month % 12 + 1
        return f"{self.starts.year}年{self.starts.month}月・{second}月"


class WorkPlanEvent(db.Model):
    """One step of a work plan's history: made, saved, submitted, approved or returned (with the
    city's note)."""

    __tablename__ = "reports_work_plan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reports_work_plans.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[WorkPlan] = relationship(back_populates="events")
    by: Mapped[User] = relationship()
