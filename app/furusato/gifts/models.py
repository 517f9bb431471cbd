"""Suppliers (返礼品提供事業者), their undertakings, the gifts' portal codes and stock per portal,
and each gift's history (issue 18 §1-2). The gift row itself is app.furusato.models.Gift,
extended by this issue's migration with the master's fields."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class UndertakingKind(Labelled):
    """What a supplier signs (004 §7(6)ケ): the local-product standard, the food labelling act
    and the other rules a gift must keep."""

    local_product = "local_product", "地場産品基準の遵守"
    food_labelling = "food_labelling", "食品表示法の遵守"
    other_rules = "other_rules", "その他関係法令の遵守"


class Supplier(db.Model):
    """返礼品提供事業者: who makes and ships a gift, and where the city pays them."""

    __tablename__ = "furusato_suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")  # 担当者
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    bank: Mapped[str] = mapped_column(String(200), default="")  # 振込先（金融機関・支店・種別・口座番号・名義）
    # 発注日: weekdays 0 (Mon) to 6 (Sun), comma separated; at least two unless the city approved
    # fewer (004 §7(6)イ: 週2回以上).
    order_weekdays: Mapped[str] = mapped_column(String(20), default="0,3")
    fewer_orders_approved: Mapped[bool] = mapped_column(default=False)
    # The carrier profile its parcels go with (app/furusato/shipping/carriers.py PROFILES).
    carrier: Mapped[str] = mapped_column(String(20), default="yamato_b2", server_default="yamato_b2")
    created_at: Mapped[datetime] = mapped_column(default=now)

    undertakings: Mapped[list[Undertaking]] = relationship(back_populates="supplier", order_by="Undertaking.signed_on")

    @property
    def weekdays(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.order_weekdays.split(",") if d.strip().isdigit())


class Undertaking(db.Model):
    """A dated undertaking (誓約書) a supplier signed, with the signed paper kept."""

    __tablename__ = "furusato_supplier_undertakings"
    __table_args__ = (one_of("kind", UndertakingKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("furusato_suppliers.id"), index=True)
    kind: Mapped[UndertakingKind] = mapped_column(StrEnumType(UndertakingKind, 20))
    signed_on: Mapped[date]
    valid_until: Mapped[date | None]
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=now)
    uploaded_by: Mapped[str] = mapped_column(String(64), default="")

    supplier: Mapped[Supplier] = relationship(back_populates="undertakings")

    def valid_on(self, day: date) -> bool:
        return self.signed_on <= day and (self.valid_until is None or day <= self.valid_until)


class GiftPortal(db.Model):
    """A gift on one portal: the portal's own code for it and the stock allocated to that portal
    (004 §7(5)イ). What is left is the allocation less the live donations for it (stock.py)."""

    __tablename__ = "furusato_gift_portals"
    __table_args__ = (UniqueConstraint("gift_id", "portal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("furusato_gifts.id"), index=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    portal_code: Mapped[str] = mapped_column(String(40), default="")
    allocated: Mapped[int] = mapped_column(default=0)

    portal = relationship("Portal")


class GiftEvent(db.Model):
    """履歴 of a gift: each change of state or of its price and cost, who and when."""

    __tablename__ = "furusato_gift_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("furusato_gifts.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    username: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")
