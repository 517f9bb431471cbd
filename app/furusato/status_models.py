"""The history of a donation's status and the list of 寄附の使い道 (issue 16 §1).

A status change is a row, never an update or a delete: キャンセル, 返金, 入金待ち, the 入金済 a
payment makes, and a supervisor's reversal (取消) of the last change, which is a new row
pointing at the one it reverses. The donation's status column is where the chain ends
(app/furusato/status.py keeps the two together).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db
from app.furusato.models import DonationState


class StatusAction(Labelled):
    """What a status event did."""

    wait = "wait", "入金待ちにする"
    pay = "pay", "入金の記録"
    cancel = "cancel", "キャンセル"
    refund = "refund", "返金"
    reverse = "reverse", "取消（統括責任者）"


class StatusEvent(db.Model):
    """One change of a donation's status: from, to, why, who and when; a refund's amount and
    date; the certificate a refund after posting voids; the event a reversal undoes."""

    __tablename__ = "furusato_status_events"
    __table_args__ = (one_of("action", StatusAction), one_of("from_state", DonationState),
                      one_of("to_state", DonationState),
                      Index("ix_furusato_status_events_donation", "donation_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"))
    action: Mapped[StatusAction] = mapped_column(StrEnumType(StatusAction, 10))
    from_state: Mapped[DonationState] = mapped_column(StrEnumType(DonationState, 10))
    to_state: Mapped[DonationState] = mapped_column(StrEnumType(DonationState, 10))
    reason: Mapped[str] = mapped_column(Text, default="")
    refund_amount: Mapped[int | None]
    refunded_on: Mapped[date | None]
    # A refund of a posted donation: its certificate is void while this event stands.
    voids_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_certificates.id"))
    # A reversal: the event it undoes (unique: an event is reversed once).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_status_events.id"), unique=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=now)


class DonationUse(db.Model):
    """寄附の使い道: the uses the city offers in a fiscal year, in the order it lists them."""

    __tablename__ = "furusato_uses"
    __table_args__ = (UniqueConstraint("fiscal_year", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
