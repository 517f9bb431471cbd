"""Shipping (issue 18 §3): shipment lines, order runs per supplier, problems, the delivery
e-mail template. A line is one gift to one address for one donation; a reshipment is a new
line pointing at the one it replaces."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class LineState(Labelled):
    open = "open", "未発注"
    ordered = "ordered", "発注済"
    shipped = "shipped", "発送済"
    blocked = "blocked", "送付不可（市内在住）"
    cancelled = "cancelled", "取消"


class LineSource(Labelled):
    donation = "donation", "寄附"
    reshipment = "reshipment", "再送"
    pre_operation = "pre_operation", "運用開始前の寄附"


class TimeBand(Labelled):
    """配達時間帯 as the carrier's codes (B2クラウド: 0812 午前中 … 2021)."""

    morning = "0812", "午前中"
    b1214 = "1214", "12時～14時"
    b1416 = "1416", "14時～16時"
    b1618 = "1618", "16時～18時"
    b1820 = "1820", "18時～20時"
    b2021 = "2021", "20時～21時"


class MailState(Labelled):
    sent = "sent", "送信済"
    bounced = "bounced", "不達"


class ProblemKind(Labelled):
    delay = "delay", "配送の遅延"
    damage = "damage", "破損"
    wrong_item = "wrong_item", "誤配送・品違い"
    returned = "returned", "返送（受取なし）"


class OrderRun(db.Model):
    """出荷依頼: one supplier's open lines ordered at once, with the order sheet it produced."""

    __tablename__ = "furusato_order_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("furusato_suppliers.id"), index=True)
    ordered_at: Mapped[datetime] = mapped_column(default=now)
    ship_on: Mapped[date]  # 出荷予定日
    line_count: Mapped[int] = mapped_column(default=0)
    username: Mapped[str] = mapped_column(String(64), default="")

    supplier = relationship("Supplier")


class ShipmentLine(db.Model):
    """出荷明細: what to send to whom (the ship-to is a snapshot taken when the line was made)."""

    __tablename__ = "furusato_shipment_lines"
    __table_args__ = (one_of("state", LineState), one_of("source", LineSource),
                      one_of("time_band", TimeBand, blank=True), one_of("mail_state", MailState, blank=True),
                      Index("ix_furusato_shipment_lines_supplier_state", "supplier_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("furusato_gifts.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("furusato_suppliers.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    state: Mapped[LineState] = mapped_column(StrEnumType(LineState, 10), default=LineState.open)
    source: Mapped[LineSource] = mapped_column(StrEnumType(LineSource, 15), default=LineSource.donation)
    reference: Mapped[str] = mapped_column(String(64), default="")  # the portal's order number
    name: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    building: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    wish_date: Mapped[date | None]
    time_band: Mapped[TimeBand | str] = mapped_column(StrEnumType(TimeBand, 4), default="")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_order_runs.id"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(20), default="")
    shipped_on: Mapped[date | None]
    reshipment_of_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_shipment_lines.id"))
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    mail_state: Mapped[MailState | str] = mapped_column(StrEnumType(MailState, 10), default="")
    mailed_at: Mapped[datetime | None]
    mail_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    gift = relationship("Gift")
    supplier = relationship("Supplier")
    run = relationship(OrderRun)


class ShippingProblem(db.Model):
    """配送の事故・苦情 (004 §7(6)オ・カ): what happened, how the donor was reached, what the
    supplier answered, and the reshipment line that goes into the next run."""

    __tablename__ = "furusato_shipping_problems"
    __table_args__ = (one_of("kind", ProblemKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("furusato_shipment_lines.id"), index=True)
    kind: Mapped[ProblemKind] = mapped_column(StrEnumType(ProblemKind, 15))
    detail: Mapped[str] = mapped_column(Text)
    donor_contact: Mapped[str] = mapped_column(Text, default="")
    supplier_answer: Mapped[str] = mapped_column(Text, default="")
    complaint: Mapped[bool] = mapped_column(default=False)
    reshipment_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_shipment_lines.id"))
    # The call centre's inquiry that opened it (a gift complaint, 004 §7(8)ウ).
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_inquiries.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")

    line = relationship(ShipmentLine, foreign_keys=[line_id])
    inquiry = relationship("app.furusato.calls.models.Inquiry")


class DeliveryMailTemplate(db.Model):
    """The pre-delivery e-mail (004 §7(6)エ): one editable row; {name}, {gift}, {tracking},
    {ship_on} are filled per line."""

    __tablename__ = "furusato_delivery_mail_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
