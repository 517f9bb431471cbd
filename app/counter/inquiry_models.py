"""Inquiries and complaints at the window and by phone (000 §6(15)②, §14; issue 20 §2).

An inquiry is one question answered (or handed to city staff); a complaint (苦情) is kept open
until its handling and the answer given are recorded. Incidents (事故) are not here: they are the
staff domain's log (app/staff/incidents.py), which the counter links to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.counter.models import Category, Procedure
from app.extensions import db


class InquiryKind(Labelled):
    inquiry = "inquiry", "問い合わせ"
    complaint = "complaint", "苦情"


class InquiryChannel(Labelled):
    window = "window", "窓口"
    phone = "phone", "電話"


class Inquiry(db.Model):
    """One inquiry or complaint: when, by which channel, about what, what was answered, whether
    it was handed to city staff and how long it took."""

    __tablename__ = "counter_inquiries"
    __table_args__ = (
        Index("ix_counter_inquiries_received_at", "received_at"),
        one_of("kind", InquiryKind),
        one_of("channel", InquiryChannel),
        one_of("category", Category),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InquiryKind] = mapped_column(StrEnumType(InquiryKind, 20))
    channel: Mapped[InquiryChannel] = mapped_column(StrEnumType(InquiryChannel, 20))
    received_at: Mapped[datetime]
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 30))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("counter_procedures.id"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="")  # a complaint's 対応経過
    handed_to_city: Mapped[bool] = mapped_column(default=False)
    handed_to: Mapped[str] = mapped_column(String(100), default="")  # the city's department or person
    minutes: Mapped[int]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    answered_at: Mapped[datetime | None]  # a complaint is open until its answer is recorded

    procedure: Mapped[Procedure | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
