"""Settlement (004 §7(7), §13): the rates the invoice is computed with (dated), each supplier's
monthly statement and its confirmation, the carriers' invoices, the city-approved advertising,
and the month's invoice to the city tracked to paid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class RateKind(Labelled):
    """What a dated rate prices. Yen include consumption tax; the commission and the fees are in
    0.01% units. The fees are the portals' and the payment providers' that the city pays directly
    (004 §13(1)イ ただし書): keyed by the portal's code and by the payment method."""

    commission = "commission", "基本委託料の率（寄附金額に対する割合、0.01%単位）"
    shipping = "shipping", "配送料（荷物のサイズごと、1個あたり・円）"
    cool = "cool", "クール便の加算（1個あたり・円）"
    postage = "postage", "受領証明書等の発送費（1通あたり・円）"
    onestop = "onestop", "ワンストップ特例申請の処理費（1件あたり・円、税込）"
    portal_fee = "portal_fee", "ポータルサイトの手数料率（そのポータル経由の寄附金額に対する割合、0.01%単位）"
    payment_fee = "payment_fee", "決済手数料率（その決済方法の寄附金額に対する割合、0.01%単位）"


class SupplierMonthState(Labelled):
    open = "open", "確認待ち"
    disputed = "disputed", "相違の申出あり"
    confirmed = "confirmed", "確認済（締め）"


class NoteKind(Labelled):
    dispute = "dispute", "相違の申出"
    resolve = "resolve", "相違の解消"
    confirm = "confirm", "確認"
    reopen = "reopen", "締めの解除"


class InvoiceState(Labelled):
    issued = "issued", "請求済（市の受理待ち）"
    accepted = "accepted", "受理（支払待ち）"
    paid = "paid", "支払済"


class SettlementRate(db.Model):
    """A rate from its effective date on: the latest one on or before a day applies that day, so a
    change mid-year applies from its date (004 §13 leaves the figures to the contract)."""

    __tablename__ = "furusato_settlement_rates"
    __table_args__ = (one_of("kind", RateKind), UniqueConstraint("kind", "key", "effective_from"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RateKind] = mapped_column(StrEnumType(RateKind, 12))
    # the parcel size (shipping), the portal's code (portal_fee), the payment method (payment_fee)
    key: Mapped[str] = mapped_column(String(20), default="")
    effective_from: Mapped[date]
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class SupplierMonth(db.Model):
    """One supplier's month (004 §7(7)ア): the statement is the lines shipped that month; the
    supplier confirms it or says where it differs; a confirmed month is closed, its totals kept."""

    __tablename__ = "furusato_supplier_months"
    __table_args__ = (one_of("state", SupplierMonthState), UniqueConstraint("supplier_id", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("furusato_suppliers.id"), index=True)
    month: Mapped[date]  # the first of the month
    state: Mapped[SupplierMonthState] = mapped_column(StrEnumType(SupplierMonthState, 10),
                                                      default=SupplierMonthState.open)
    parcels: Mapped[int] = mapped_column(default=0)  # kept at confirmation
    procurement: Mapped[int] = mapped_column(default=0)
    shipping: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str] = mapped_column(String(64), default="")

    supplier = relationship("Supplier")
    notes: Mapped[list[SupplierMonthNote]] = relationship(order_by="SupplierMonthNote.id")


class SupplierMonthNote(db.Model):
    """What was said about a supplier's month: a dispute, its resolution, the confirmation, a
    supervisor's reopening with its reason."""

    __tablename__ = "furusato_supplier_month_notes"
    __table_args__ = (one_of("kind", NoteKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_month_id: Mapped[int] = mapped_column(ForeignKey("furusato_supplier_months.id"), index=True)
    kind: Mapped[NoteKind] = mapped_column(StrEnumType(NoteKind, 10))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=now)
    by: Mapped[str] = mapped_column(String(64), default="")


class CarrierInvoice(db.Model):
    """A carrier's bill for a month (004 §7(7)イ), reconciled against the shipped lines."""

    __tablename__ = "furusato_carrier_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    carrier: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(40), default="")  # the carrier's invoice number
    parcels: Mapped[int]
    amount: Mapped[int]
    entered_at: Mapped[datetime] = mapped_column(default=now)
    entered_by: Mapped[str] = mapped_column(String(64), default="")


class AdSpend(db.Model):
    """広告・PR費 the city approved beforehand (004 §13(6), §7(10))."""

    __tablename__ = "furusato_ad_spend"

    id: Mapped[int] = mapped_column(primary_key=True)
    spent_on: Mapped[date]
    medium: Mapped[str] = mapped_column(String(100))  # the portal's paid ad, a magazine, …
    description: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[int]
    approved_on: Mapped[date]
    approval_ref: Mapped[str] = mapped_column(String(100), default="")  # the city's approval (文書番号)
    entered_by: Mapped[str] = mapped_column(String(64), default="")


class CityInvoice(db.Model):
    """The month's invoice to the city (004 §13 with the §7(7)イ statement): issued by the 10th of
    the next month, accepted by the city, paid within 30 days (§7(7)ウ). Amounts kept as issued."""

    __tablename__ = "furusato_city_invoices"
    __table_args__ = (one_of("state", InvoiceState), UniqueConstraint("month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    state: Mapped[InvoiceState] = mapped_column(StrEnumType(InvoiceState, 10), default=InvoiceState.issued)
    commission: Mapped[int] = mapped_column(default=0)
    procurement: Mapped[int] = mapped_column(default=0)
    shipping: Mapped[int] = mapped_column(default=0)
    certificates: Mapped[int] = mapped_column(default=0)
    onestop: Mapped[int] = mapped_column(default=0)
    advertising: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    issued_on: Mapped[date]
    due_on: Mapped[date]  # the 10th of the next month, rolled
    issued_by: Mapped[str] = mapped_column(String(64), default="")
    accepted_on: Mapped[date | None]
    pay_by: Mapped[date | None]
    paid_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
