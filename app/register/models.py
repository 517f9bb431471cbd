"""公金収納 (000 §6(10), §6(1)③): fees, bills, payments and receipts, the daily close.

Money is integer yen. Payments are append-only: a void is a second payment row that reverses
the first (negative amounts), never an edit, and the migration adds database triggers that
refuse UPDATE and DELETE on payments and their lines.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.devices.models import Terminal
from app.extensions import db


class PaymentMethod(Labelled):
    """How a visitor pays: cash goes into the drawer; the others are recorded, not handled here.
    定額小為替 (a postal request's money orders, 000 §6(1)) are kept apart from the drawer: the
    close counts them on their own line, and their change goes back as 小為替 or stamps."""

    cash = "cash", "現金"
    credit_card = "credit_card", "クレジットカード"
    e_money = "e_money", "電子マネー"
    qr_code = "qr_code", "QRコード決済"
    free = "free", "公用・無料"
    postal_money_order = "postal_money_order", "定額小為替"


CASHLESS_METHODS = (PaymentMethod.credit_card, PaymentMethod.e_money, PaymentMethod.qr_code)

#: Japanese notes and coins, largest first, for the cash count at the daily close
DENOMINATIONS: tuple[int, ...] = (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)


class BillState(Labelled):
    open = "open", "未収"
    paid = "paid", "収納済"
    cancelled = "cancelled", "取消"


class DayState(Labelled):
    open = "open", "日計前"
    closed = "closed", "日計済"


class PaymentKind(Labelled):
    payment = "payment", "収納"
    void = "void", "取消"


class VoidRequestState(Labelled):
    pending = "pending", "承認待ち"
    approved = "approved", "承認済"
    rejected = "rejected", "却下"


class Fee(db.Model):
    """One version of a fee in the schedule (手数料条例の別表). A change is a new row with a
    later `effective_from`; payments copy the amount they charged, so no change rewrites them."""

    __tablename__ = "fees"
    __table_args__ = (
        UniqueConstraint("code", "effective_from"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(10), default="通")
    amount: Mapped[int]
    effective_from: Mapped[date]
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Bill(db.Model):
    """A request for payment (請求) that another domain opens, e.g. a counter case sent to the
    cashier. Lines name fees and quantities; the amounts come from the schedule on the day the
    bill is paid."""

    __tablename__ = "bills"
    __table_args__ = (Index("ix_bills_state_opened_at", "state", "opened_at"),
                      Index("ix_bills_source", "source_type", "source_id"),
                      one_of("state", BillState))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(64))
    visitor_label: Mapped[str] = mapped_column(String(100))
    ticket_number: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[BillState] = mapped_column(StrEnumType(BillState, 12), default=BillState.open)
    opened_at: Mapped[datetime] = mapped_column(default=now)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    lines: Mapped[list[BillLine]] = relationship(
        back_populates="bill", order_by="BillLine.position", cascade="all, delete-orphan")


    @property
    def is_open(self) -> bool:
        """Still to be paid (or cancelled)."""
        return self.state == BillState.open


class BillLine(db.Model):
    __tablename__ = "bill_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"))
    position: Mapped[int]
    fee_code: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int]
    official: Mapped[bool] = mapped_column(default=False)

    bill: Mapped[Bill] = relationship(back_populates="lines")


class RegisterDay(db.Model):
    """One register's business day: the float it started with and, once closed, nothing more
    may be charged or refunded on it. Payments and the close lock this row first, so a payment
    cannot slip in while the day is being closed."""

    __tablename__ = "register_days"
    __table_args__ = (UniqueConstraint("terminal_id", "business_date"), one_of("state", DayState))

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    business_date: Mapped[date]
    opening_float: Mapped[int] = mapped_column(default=0)
    state: Mapped[DayState] = mapped_column(StrEnumType(DayState, 10), default=DayState.open)
    opened_at: Mapped[datetime] = mapped_column(default=now)

    terminal: Mapped[Terminal] = relationship()
    closes: Mapped[list[DailyClose]] = relationship(back_populates="day", order_by="DailyClose.id")
    reopenings: Mapped[list[RegisterReopening]] = relationship(
        back_populates="day", order_by="RegisterReopening.id")


    @property
    def closed(self) -> bool:
        return self.state == DayState.closed

    @property
    def close(self) -> DailyClose | None:
        """The day's last close (a reopened day that was closed again has several)."""
        return self.closes[-1] if self.closes else None


class ReceiptSequence(db.Model):
    """The last receipt number given in a fiscal year. Read under a row lock in the paying
    transaction, so numbers are gap-free and never repeated, and a payment that fails gives its
    number back with its rollback."""

    __tablename__ = "receipt_sequences"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Payment(db.Model):
    """A payment, or (kind "void") the 取消 record reversing one with negative amounts."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "receipt_number"),
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("reverses_id"),
        Index("ix_payments_day", "register_day_id", "id"),
        Index("ix_payments_bill", "bill_id"),
        one_of("kind", PaymentKind),
        one_of("method", PaymentMethod),
        CheckConstraint("kind = 'void' OR receipt_number IS NOT NULL", name="payment_numbered"),
        CheckConstraint("kind = 'payment' OR reverses_id IS NOT NULL", name="void_reverses"),
        CheckConstraint("received - change = total", name="cash_balances"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PaymentKind] = mapped_column(StrEnumType(PaymentKind, 10), default=PaymentKind.payment)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"))
    register_day_id: Mapped[int] = mapped_column(ForeignKey("register_days.id"))
    fiscal_year: Mapped[int]
    receipt_number: Mapped[int | None]
    idempotency_key: Mapped[str] = mapped_column(String(64))
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod, 20))
    method_reference: Mapped[str] = mapped_column(String(60), default="")
    total: Mapped[int]
    received: Mapped[int]
    change: Mapped[int]
    paid_at: Mapped[datetime] = mapped_column(default=now)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    addressee: Mapped[str] = mapped_column(String(100), default="", server_default="")  # 宛名, as given

    bill: Mapped[Bill] = relationship()
    day: Mapped[RegisterDay] = relationship()
    cashier: Mapped[User] = relationship(foreign_keys=[cashier_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    reverses: Mapped[Payment | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])
    lines: Mapped[list[PaymentLine]] = relationship(
        back_populates="payment", order_by="PaymentLine.position")


    @property
    def is_void(self) -> bool:
        return self.kind == PaymentKind.void

    @property
    def in_cash(self) -> bool:
        """Cash changed hands (a receipt shows the cash received and the change)."""
        return self.method == PaymentMethod.cash

    @property
    def receipt_no(self) -> str:
        """The printed receipt number; a void has none of its own."""
        return receipt_label(self.fiscal_year, self.receipt_number) if self.receipt_number else ""


def receipt_label(fiscal_year: int, number: int) -> str:
    """The receipt number as printed and searched: fiscal year and a six-digit serial."""
    return f"{fiscal_year}-{number:06d}"


class PaymentLine(db.Model):
    """What one payment charged for one fee: the label and unit amount copied from the
    schedule in force on the payment date."""

    __tablename__ = "payment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    position: Mapped[int]
    fee_code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int]
    unit_amount: Mapped[int]
    official: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[int]

    payment: Mapped[Payment] = relationship(back_populates="lines")


class VoidRequest(db.Model):
    """A cashier's request to void a payment, with the reason; a supervisor other than the
    cashier approves (creating the 取消 record) or rejects it."""

    __tablename__ = "void_requests"
    __table_args__ = (Index("ix_void_requests_state", "state", "id"), one_of("state", VoidRequestState))

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    reason: Mapped[str] = mapped_column(Text)
    reopen_bill: Mapped[bool] = mapped_column(default=True)
    state: Mapped[VoidRequestState] = mapped_column(StrEnumType(VoidRequestState, 10),
                                                    default=VoidRequestState.pending)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    payment: Mapped[Payment] = relationship(foreign_keys=[payment_id])
    terminal: Mapped[Terminal] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])



class DailyClose(db.Model):
    """日計: the close of one register's day, with the cash counted against the expected amount
    and the float the next day starts with. Written once; a day a supervisor reopened and that
    was closed again has a second close, and the last one is the day's close."""

    __tablename__ = "daily_closes"
    __table_args__ = (Index("ix_daily_closes_day", "register_day_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    register_day_id: Mapped[int] = mapped_column(ForeignKey("register_days.id"))
    closed_at: Mapped[datetime] = mapped_column(default=now)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expected_cash: Mapped[int]
    counted_cash: Mapped[int]
    difference: Mapped[int]
    difference_reason: Mapped[str] = mapped_column(Text, default="")
    next_float: Mapped[int]

    day: Mapped[RegisterDay] = relationship(back_populates="closes")
    closed_by: Mapped[User] = relationship()
    counts: Mapped[list[CashCount]] = relationship(
        back_populates="close", order_by="CashCount.denomination.desc()")


class CashCount(db.Model):
    __tablename__ = "cash_counts"
    __table_args__ = (UniqueConstraint("daily_close_id", "denomination"),
                      CheckConstraint("quantity >= 0", name="quantity_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    daily_close_id: Mapped[int] = mapped_column(ForeignKey("daily_closes.id"))
    denomination: Mapped[int]
    quantity: Mapped[int]

    close: Mapped[DailyClose] = relationship(back_populates="counts")

    @property
    def amount(self) -> int:
        return self.denomination * self.quantity


class RegisterReopening(db.Model):
    """A supervisor's reopening of a closed day, with the reason: the close it undid stays as it
    was (the 日計表 lists it), payments and calls work again until the day is closed anew.
    Written once."""

    __tablename__ = "register_reopenings"
    __table_args__ = (Index("ix_register_reopenings_day", "register_day_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    register_day_id: Mapped[int] = mapped_column(ForeignKey("register_days.id"))
    daily_close_id: Mapped[int] = mapped_column(ForeignKey("daily_closes.id"))
    reopened_at: Mapped[datetime] = mapped_column(default=now)
    reopened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    day: Mapped[RegisterDay] = relationship(back_populates="reopenings")
    undone: Mapped[DailyClose] = relationship()
    reopened_by: Mapped[User] = relationship()
