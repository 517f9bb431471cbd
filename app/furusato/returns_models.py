"""郵便物の戻り (issue 16 §4): a posted envelope of receipt certificates that came back, and the
follow-up with the donor until it is closed (004 §7(4)エ).

A return is of one envelope: the certificates of one donor in one batch. Its items are those
certificates; each printed certificate comes back at most once (a unique item), and the item
keeps the 再発行 made for it once the address is corrected.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class ReturnReason(Labelled):
    """Why the post brought it back (the reasons Japan Post stamps on returned mail)."""

    unknown_address = "unknown_address", "宛所不明"
    moved = "moved", "転居先不明"
    refused = "refused", "受取拒否"
    unclaimed = "unclaimed", "保管期間経過"
    other = "other", "その他"


class ReturnOutcome(Labelled):
    """How the follow-up call ended; every outcome closes the return."""

    corrected = "corrected", "住所を訂正して再送"
    unreachable = "unreachable", "連絡つかず"
    no_resend = "no_resend", "再送不要"


class ReturnedMail(db.Model):
    """One envelope that came back: which certificate was scanned, the donor, why, when, who
    recorded it; and how the follow-up closed it (blank outcome while it is open)."""

    __tablename__ = "furusato_returned_mail"
    __table_args__ = (one_of("reason", ReturnReason), one_of("outcome", ReturnOutcome, blank=True),
                      Index("ix_furusato_returned_mail_open", "closed_at", "returned_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("furusato_certificates.id"))
    donor_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    reason: Mapped[ReturnReason] = mapped_column(StrEnumType(ReturnReason, 20))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    returned_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    outcome: Mapped[ReturnOutcome | str] = mapped_column(StrEnumType(ReturnOutcome, 20), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    certificate = relationship("Certificate")
    donor = relationship("Donor")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    items: Mapped[list[ReturnedItem]] = relationship(back_populates="returned", order_by="ReturnedItem.id")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def reason_text(self) -> str:
        """The reason as a person reads it: its name, and the note for その他."""
        return f"{self.reason.label}（{self.reason_note}）" if self.reason_note else self.reason.label


class ReturnedItem(db.Model):
    """One certificate of a returned envelope, and its 再発行 once the address is corrected."""

    __tablename__ = "furusato_returned_mail_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("furusato_returned_mail.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("furusato_certificates.id"), unique=True)
    reissue_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_certificates.id"))

    returned: Mapped[ReturnedMail] = relationship(back_populates="items")
    certificate = relationship("Certificate", foreign_keys=[certificate_id])
    reissue = relationship("Certificate", foreign_keys=[reissue_id])
