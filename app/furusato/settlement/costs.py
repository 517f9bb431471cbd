"""What the programme cost in a period, each figure from the records of the other parts
(004 §13(1)-(6)), never typed in:

- 基本委託料 (§13(1)ア): the rate in force on each donation's 入金日 times the donations received
  (入金済・証明書発送済 with a 入金日 in the period), less those through さとふる or the city's own
  site (the portals marked `limited`) and those brought to the city's counter without a gift
  (channel 窓口 and no gift code). The total is rounded down to the yen once, not per donation.
- 返礼品調達費 (§13(2)): each shipped line's quantity times the gift's 調達費 (packing and tax
  included, as the gift master keeps it); 返礼品配送料 (§13(3)): per parcel, the shipping rate of
  the gift's parcel size on the day it shipped, plus the cool surcharge for a chilled or frozen
  gift. Reshipments count: the carrier and supplier were paid for them too.
- 受領証明書等発送費 (§13(4)): envelopes of the certificate batches posted in the period times
  the postage rate on the day of posting.
- ワンストップ特例申請処理費 (§13(5)): applications accepted (受理) in the period times the rate.
- 広告・PR費 (§13(6)): the city-approved ad spend of the period (models.AdSpend).

Outside the invoice, for the cost ratio only: the portals' and the payment providers' fees the
city pays directly (§13(1)イ ただし書), `fees`: the donations received in the period times the
portal's fee rate and the payment method's fee rate in force on each donation's 入金日, from one
grouped query; each portal's and each method's total is rounded down to the yen once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from app.extensions import db
from app.furusato.batch_models import CertificateBatch
from app.furusato.gifts.models import Supplier
from app.furusato.models import Channel, Donation, DonationState, Gift, PaymentMethod, Portal, PortalKind, ShippingClass
from app.furusato.onestop.models import OneStopApplication
from app.furusato.settlement.models import AdSpend, RateKind
from app.furusato.settlement.rates import COMMISSION_UNIT, FEES, history, in_force, rate_on
from app.furusato.shipping.models import LineState, ShipmentLine

RECEIVED = (DonationState.paid, DonationState.posted)


@dataclass(frozen=True)
class StatementLine:
    """One row of a supplier's statement: a gift shipped on a day (004 §7(7)ア・イ)."""

    shipped_on: date
    supplier: str
    gift_code: str
    gift_name: str
    parcels: int
    count: int
    unit_cost: int
    procurement: int
    shipping: int

    @property
    def amount(self) -> int:
        return self.procurement + self.shipping


def _between(column: object, start: date, end: date) -> list[ColumnElement[bool]]:
    return [column >= start, column < end]  # type: ignore[operator]


def _stamped(column: object, start: date, end: date) -> list[ColumnElement[bool]]:
    return _between(column, datetime.combine(start, time.min), datetime.combine(end, time.min))  # type: ignore[arg-type]


def parcel_fee(gift: Gift, day: date, known: dict[tuple[object, ...], int] | None = None) -> int:
    """The carrier's fee for one parcel of the gift shipped on `day` (0 when no rate is set);
    `known` keeps the fees already looked up (a year's lines share a few sizes and days)."""
    known = {} if known is None else known
    key = (gift.size, gift.shipping_class, day)
    if key not in known:
        fee = rate_on(RateKind.shipping, day, str(gift.size)) or 0
        if gift.shipping_class != ShippingClass.ambient:
            fee += rate_on(RateKind.cool, day) or 0
        known[key] = fee
    return known[key]


def statement_lines(start: date, end: date, supplier_id: int | None = None) -> list[StatementLine]:
    """The lines shipped in [start, end), by day, supplier and gift."""
    query = (select(ShipmentLine, Gift, Supplier).join(Gift, Gift.id == ShipmentLine.gift_id)
             .join(Supplier, Supplier.id == ShipmentLine.supplier_id)
             .where(ShipmentLine.state == LineState.shipped, *_between(ShipmentLine.shipped_on, start, end))
             .order_by(ShipmentLine.shipped_on, Supplier.code, Gift.code, ShipmentLine.id))
    if supplier_id is not None:
        query = query.where(ShipmentLine.supplier_id == supplier_id)
    grouped: dict[tuple[date, str, str], list[int]] = {}
    names: dict[tuple[date, str, str], tuple[str, str, int]] = {}
    fees: dict[tuple[object, ...], int] = {}
    for line, gift, supplier in db.session.execute(query):
        assert line.shipped_on is not None
        key = (line.shipped_on, supplier.code, gift.code)
        parcels, count, shipping = grouped.get(key, [0, 0, 0])
        grouped[key] = [parcels + 1, count + line.quantity, shipping + parcel_fee(gift, line.shipped_on, fees)]
        names[key] = (supplier.name, gift.name, gift.cost)
    rows = []
    for key, (parcels, count, shipping) in grouped.items():
        supplier_name, gift_name, cost = names[key]
        rows.append(StatementLine(key[0], supplier_name, key[2], gift_name, parcels, count, cost, cost * count,
                                  shipping))
    return rows


def suppliers_shipping(start: date, end: date) -> list[int]:
    """The suppliers with a line shipped in the period."""
    return list(db.session.scalars(select(ShipmentLine.supplier_id).where(
        ShipmentLine.state == LineState.shipped, *_between(ShipmentLine.shipped_on, start, end))
        .distinct().order_by(ShipmentLine.supplier_id)))


def commission_excluded() -> ColumnElement[bool]:
    """§13(1)ア: さとふる and the city's own site (portals marked limited), and donations brought
    to the counter without a gift."""
    limited = select(Portal.id).where(Portal.limited.is_(True))
    return or_(Donation.portal_id.in_(limited), and_(Donation.channel == Channel.counter, Donation.gift_code == ""))


def received(start: date, end: date) -> list[ColumnElement[bool]]:
    return [Donation.status.in_(RECEIVED), *_between(Donation.paid_on, start, end)]


def donations_received(start: date, end: date) -> int:
    """Every donation received in the period (the cost ratio's denominator: all portals)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Donation.amount), 0))
                                 .where(*received(start, end))) or 0)


def commission_base(start: date, end: date) -> dict[date, int]:
    """The amounts the commission is a share of, by 入金日."""
    rows = db.session.execute(select(Donation.paid_on, func.sum(Donation.amount))
                              .where(*received(start, end), not_(commission_excluded()))
                              .group_by(Donation.paid_on))
    return {day: int(amount) for day, amount in rows if day is not None}


def commission(start: date, end: date) -> int:
    base = commission_base(start, end)
    total = sum(amount * (rate_on(RateKind.commission, day) or 0) for day, amount in base.items())
    return total // COMMISSION_UNIT


def certificate_mailing(start: date, end: date) -> int:
    batches = db.session.execute(select(CertificateBatch.posted_at, CertificateBatch.envelopes)
                                 .where(CertificateBatch.posted_at.is_not(None),
                                        *_stamped(CertificateBatch.posted_at, start, end)))
    return sum(envelopes * (rate_on(RateKind.postage, posted.date()) or 0) for posted, envelopes in batches)


def onestop_processing(start: date, end: date) -> tuple[int, int]:
    """(applications accepted in the period, their processing fee)."""
    per_day: dict[date, int] = defaultdict(int)
    for accepted in db.session.scalars(select(OneStopApplication.accepted_at).where(
            OneStopApplication.accepted_at.is_not(None), *_stamped(OneStopApplication.accepted_at, start, end))):
        per_day[accepted.date()] += 1
    return sum(per_day.values()), sum(n * (rate_on(RateKind.onestop, day) or 0) for day, n in per_day.items())


def advertising(start: date, end: date) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(AdSpend.amount), 0))
                                 .where(*_between(AdSpend.spent_on, start, end))) or 0)


@dataclass(frozen=True)
class Costs:
    """The §13 figures of a period."""

    commission_base: int
    commission: int
    procurement: int
    shipping: int
    certificates: int
    onestop_count: int
    onestop: int
    advertising: int

    @property
    def total(self) -> int:
        return self.commission + self.procurement + self.shipping + self.certificates + self.onestop + self.advertising


def costs(start: date, end: date) -> Costs:
    lines = statement_lines(start, end)
    count, onestop = onestop_processing(start, end)
    return Costs(commission_base=sum(commission_base(start, end).values()), commission=commission(start, end),
                 procurement=sum(line.procurement for line in lines), shipping=sum(line.shipping for line in lines),
                 certificates=certificate_mailing(start, end), onestop_count=count, onestop=onestop,
                 advertising=advertising(start, end))


@dataclass(frozen=True)
class FeeLine:
    """One portal's or one payment method's fee over the period."""

    kind: RateKind
    key: str
    label: str
    base: int  # the donations the fee is a share of
    amount: int


@dataclass(frozen=True)
class Fees:
    """The fees the city pays directly (§13(1)イ ただし書), and what could not be priced: a portal
    or a payment method that received donations on a day no rate of it was in force."""

    lines: list[FeeLine]
    unrated_portals: list[str]  # the portals' names
    unrated_methods: list[str]  # the methods' labels

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def missing(self) -> list[str]:
        return ([f"{name}の手数料率が未登録です" for name in self.unrated_portals]
                + [f"決済方法「{label}」の手数料率が未登録です" for label in self.unrated_methods])


def fees(start: date, end: date) -> Fees:
    """Every donation received in the period, grouped by portal, payment method and 入金日 in one
    query; the rates read once (rates.history). The direct-intake row is not a portal: no
    portal fee; a donation whose method the portal's file did not give has no payment fee."""
    rows = db.session.execute(
        select(Portal.code, Portal.name, Portal.kind, Donation.payment_method, Donation.paid_on,
               func.sum(Donation.amount))
        .join(Portal, Portal.id == Donation.portal_id).where(*received(start, end))
        .group_by(Portal.code, Portal.name, Portal.kind, Donation.payment_method, Donation.paid_on)
        .order_by(Portal.code, Donation.payment_method, Donation.paid_on))
    rates = history(FEES)
    shares: dict[tuple[RateKind, str], list[int]] = {}  # base, amount × rate
    labels: dict[tuple[RateKind, str], str] = {}
    unrated: dict[RateKind, list[str]] = {RateKind.portal_fee: [], RateKind.payment_fee: []}
    for code, name, kind, method, day, amount in rows:
        keys = []
        if kind == PortalKind.portal:
            keys.append((RateKind.portal_fee, code, name))
        if method:
            keys.append((RateKind.payment_fee, str(method), PaymentMethod(method).label))
        for fee_kind, key, label in keys:
            rate = in_force(rates, fee_kind, key, day)
            if rate is None:
                if label not in unrated[fee_kind]:
                    unrated[fee_kind].append(label)
                continue
            base, share = shares.get((fee_kind, key), [0, 0])
            shares[(fee_kind, key)] = [base + int(amount), share + int(amount) * rate]
            labels[(fee_kind, key)] = label
    lines = [FeeLine(kind, key, labels[(kind, key)], base, share // COMMISSION_UNIT)
             for (kind, key), (base, share) in sorted(shares.items(), key=lambda i: (FEES.index(i[0][0]), i[0][1]))]
    return Fees(lines, unrated[RateKind.portal_fee], unrated[RateKind.payment_fee])
