"""問い合わせ (004 §7(8)ア): one call, letter or e-mail, who took it, the donor it is about,
what was said and done, its state and follow-up date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class InquiryCategory(Labelled):
    """The categories of 004 §7(8)ア."""

    donation = "donation", "寄附方法"
    gift = "gift", "返礼品"
    one_stop = "one_stop", "ワンストップ"
    cancel = "cancel", "キャンセル"
    complaint = "complaint", "苦情"
    supplier = "supplier", "事業者"


class CallerKind(Labelled):
    donor = "donor", "寄附者"
    supplier = "supplier", "返礼品提供事業者"
    prospect = "prospect", "事業者（参入希望）"
    other = "other", "その他"


class InquiryChannel(Labelled):
    phone = "phone", "電話"
    mail = "mail", "郵送"
    fax = "fax", "FAX"
    email = "email", "メール"


class InquiryState(Labelled):
    open = "open", "対応中"
    follow_up = "follow_up", "折り返し予定"
    closed = "closed", "完了"


class Inquiry(db.Model):
    """One inquiry (問い合わせ). The caller's name and contact as they gave them; the donor once
    matched. The city reads them (§7(8)イ)."""

    __tablename__ = "furusato_inquiries"
    __table_args__ = (one_of("category", InquiryCategory), one_of("caller_kind", CallerKind),
                      one_of("channel", InquiryChannel), one_of("state", InquiryState),
                      Index("ix_furusato_inquiries_received", "received_at"),
                      Index("ix_furusato_inquiries_state_follow", "state", "follow_up_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=now)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[InquiryChannel] = mapped_column(StrEnumType(InquiryChannel, 10))
    caller_kind: Mapped[CallerKind] = mapped_column(StrEnumType(CallerKind, 10))
    caller_name: Mapped[str] = mapped_column(String(100), default="")
    caller_contact: Mapped[str] = mapped_column(String(254), default="")
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    category: Mapped[InquiryCategory] = mapped_column(StrEnumType(InquiryCategory, 12))
    said: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InquiryState] = mapped_column(StrEnumType(InquiryState, 10), default=InquiryState.open)
    follow_up_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]

    taken_by = relationship("User")
    donor = relationship("Donor")
