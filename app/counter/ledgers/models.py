"""Tables of the counter's ledgers: the temporary-plate inventory and its 発行管理簿, and the
register of postal requests (郵便請求)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db

#: 道路運送車両法 §35⑥: the permit and the plate are returned within five days of the day the
#: period ends (text as quoted by city rules; e-Gov's current text not checked).
RETURN_DAYS = 5


class TemporaryPlate(db.Model):
    """A 臨時運行許可番号標 the city lends (道路運送車両法 §35④): one pair with its number."""

    __tablename__ = "counter_temporary_plates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)


class TemporaryPermit(db.Model):
    """One line of the 発行管理簿: a 臨時運行許可 with the plate lent for it. A plate is out while
    its permit has no return date; the partial unique index lets each plate be out once only,
    on both databases, whatever two counters do at the same moment."""

    __tablename__ = "counter_temporary_permits"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "serial"),
        Index("uq_counter_temporary_permits_plate_out", "plate_id", unique=True,
              sqlite_where=text("returned_on IS NULL"), postgresql_where=text("returned_on IS NULL")),
        Index("ix_counter_temporary_permits_period_to", "period_to"),
        CheckConstraint("period_to >= period_from", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    serial: Mapped[int]
    plate_id: Mapped[int] = mapped_column(ForeignKey("counter_temporary_plates.id"))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_address: Mapped[str] = mapped_column(String(200))
    vehicle_name: Mapped[str] = mapped_column(String(60))  # 車名
    chassis_number: Mapped[str] = mapped_column(String(40))  # 車台番号
    purpose: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date]
    period_to: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=now)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reminded_on: Mapped[date | None]
    returned_on: Mapped[date | None]
    returned_by_name: Mapped[str] = mapped_column(String(100), default="")  # who brought it back
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plate: Mapped[TemporaryPlate] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])

    @property
    def permit_number(self) -> str:
        return f"{self.fiscal_year}-{self.serial:04d}"

    @property
    def due_return(self) -> date:
        return self.period_to + timedelta(days=RETURN_DAYS)

    @property
    def out(self) -> bool:
        return self.returned_on is None


class ChangeForm(Labelled):
    """How the change of a postal request goes back (the city's rule: 定額小為替 or stamps)."""

    none = "none", "なし"
    money_order = "money_order", "定額小為替"
    stamps = "stamps", "切手"


class PostalRequest(db.Model):
    """郵便請求 (000 §6(1)): a request for certificates that came by post, with the 定額小為替
    enclosed and the reply envelope; the certificate itself is a counter case (requester kind
    postal) that goes through input and review like any other, and its fee is paid at the
    register by 定額小為替."""

    __tablename__ = "counter_postal_requests"
    __table_args__ = (
        Index("ix_counter_postal_requests_open", "mailed_on", "received_on"),
        one_of("change_form", ChangeForm),
        CheckConstraint("copies > 0", name="copies_positive"),
        CheckConstraint("money_order_amount >= 0 AND money_order_count >= 0", name="money_orders_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date]
    requester_name: Mapped[str] = mapped_column(String(100))
    requester_address: Mapped[str] = mapped_column(String(200))
    procedure_code: Mapped[str] = mapped_column(String(50))
    copies: Mapped[int]
    money_order_amount: Mapped[int]
    money_order_count: Mapped[int]
    money_order_numbers: Mapped[str] = mapped_column(String(200), default="")
    reply_envelope: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_cases.id"), unique=True)
    change_amount: Mapped[int] = mapped_column(default=0)
    change_form: Mapped[ChangeForm] = mapped_column(StrEnumType(ChangeForm, 20), default=ChangeForm.none)
    mailed_on: Mapped[date | None]
    mailed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
