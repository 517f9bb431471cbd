"""Tables of the bereavement corner (000 §6(15)⑨ア〜オ): the slots the city sets, the
reservations with the deceased and the family's contact, and the procedures derived for each."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class ReservationState(Labelled):
    booked = "booked", "予約済"
    visiting = "visiting", "来庁中"
    done = "done", "完了"
    cancelled = "cancelled", "取消"


class ReservationChannel(Labelled):
    phone = "phone", "電話"
    counter = "counter", "窓口"
    web = "web", "予約ページ"


class ItemOutcome(Labelled):
    pending = "pending", "未対応"
    case_opened = "case_opened", "窓口で受付"
    handed_over = "handed_over", "関係課へ引継ぎ"


class FactSource(Labelled):
    registry = "registry", "住民記録"
    records = "records", "窓口の記録"
    questionnaire = "questionnaire", "聞き取り"


class Slot(db.Model):
    """A time the city opens the corner for one family (a slot holds one reservation)."""

    __tablename__ = "bereavement_slots"
    __table_args__ = (UniqueConstraint("day", "starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    starts: Mapped[time]
    minutes: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def label(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.starts:%H:%M}（{self.minutes}分）"


class Reservation(db.Model):
    """A family's reservation: the deceased as the family gave them (linked to the registry
    record when it is found), the family's contact, the questionnaire's answers."""

    __tablename__ = "bereavement_reservations"
    __table_args__ = (
        Index("ix_bereavement_reservations_state", "state"),
        Index("ix_bereavement_reservations_created_at", "created_at"),
        one_of("state", ReservationState),
        one_of("channel", ReservationChannel),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)  # 予約番号: what the family is told
    slot_id: Mapped[int] = mapped_column(ForeignKey("bereavement_slots.id"))
    state: Mapped[ReservationState] = mapped_column(StrEnumType(ReservationState, 20), default=ReservationState.booked)
    channel: Mapped[ReservationChannel] = mapped_column(StrEnumType(ReservationChannel, 20))
    deceased_name: Mapped[str] = mapped_column(String(100))
    deceased_kana: Mapped[str] = mapped_column(String(100))
    deceased_birth_date: Mapped[date]
    died_on: Mapped[date]
    deceased_resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    family_name: Mapped[str] = mapped_column(String(100))
    family_relationship: Mapped[str] = mapped_column(String(20))
    family_phone: Mapped[str] = mapped_column(String(30))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    booked_from: Mapped[str] = mapped_column(String(64), default="")  # the public page's client address
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("counter_visits.id"))
    visited_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    slot: Mapped[Slot] = relationship()
    items: Mapped[list[ReservationItem]] = relationship(back_populates="reservation", order_by="ReservationItem.id",
                                                        cascade="all, delete-orphan")

    @property
    def booked(self) -> bool:
        return self.state is ReservationState.booked

    @property
    def visiting(self) -> bool:
        return self.state is ReservationState.visiting

    @property
    def is_open(self) -> bool:
        """Booked or being held: the questionnaire may still change the list."""
        return self.state in (ReservationState.booked, ReservationState.visiting)


class ReservationItem(db.Model):
    """One procedure that applies, from a rule of rules.yaml: a counter case opened at the
    visit, or handed over to its department with what was explained."""

    __tablename__ = "bereavement_items"
    __table_args__ = (
        Index("ix_bereavement_items_reservation_id", "reservation_id"),
        one_of("outcome", ItemOutcome),
        one_of("source", FactSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("bereavement_reservations.id"))
    rule: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(50))
    catalog_code: Mapped[str] = mapped_column(String(50), default="")
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[FactSource] = mapped_column(StrEnumType(FactSource, 20))
    outcome: Mapped[ItemOutcome] = mapped_column(StrEnumType(ItemOutcome, 20), default=ItemOutcome.pending)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_cases.id"))
    explained: Mapped[str] = mapped_column(Text, default="")
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reservation: Mapped[Reservation] = relationship(back_populates="items")

    @property
    def pending(self) -> bool:
        return self.outcome is ItemOutcome.pending
