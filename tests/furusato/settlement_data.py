"""A seeded November 2026 for the settlement tests, with values small enough to add up by hand
(the expected figures are written out in tests/furusato/test_settlement.py)."""

from __future__ import annotations

from datetime import date, datetime

from app.extensions import db
from app.furusato.batch_models import CertificateBatch, CertificateBatchState
from app.furusato.gifts.models import Supplier
from app.furusato.models import Channel, Gift, GiftState, ShippingClass
from app.furusato.onestop.models import ApplicationState, IntakeChannel, OneStopApplication
from app.furusato.settlement.models import AdSpend, RateKind, SettlementRate
from app.furusato.shipping.models import LineState, ShipmentLine
from tests.furusato.reporting_data import donation, donor

NOVEMBER = date(2026, 11, 1)


def rates() -> None:
    for kind, key, start, value in [
            (RateKind.commission, "", date(2026, 4, 1), 1000),  # 10.00%
            (RateKind.commission, "", date(2026, 11, 16), 1200),  # 12.00% from the 16th
            (RateKind.shipping, "60", date(2026, 4, 1), 900), (RateKind.shipping, "80", date(2026, 4, 1), 1200),
            (RateKind.cool, "", date(2026, 4, 1), 300), (RateKind.postage, "", date(2026, 4, 1), 110),
            (RateKind.onestop, "", date(2026, 4, 1), 550)]:
        db.session.add(SettlementRate(kind=kind, key=key, effective_from=start, value=value))


def _supplier(code: str, name: str) -> Supplier:
    row = Supplier(code=code, name=name)
    db.session.add(row)
    db.session.flush()
    return row


def _gift(code: str, name: str, supplier: Supplier, cost: int, size: int,
          shipping_class: ShippingClass = ShippingClass.ambient) -> Gift:
    row = Gift(code=code, name=name, amount=cost * 10 // 3, supplier_id=supplier.id, cost=cost, size=size,
               shipping_class=shipping_class, state=GiftState.listed)
    db.session.add(row)
    db.session.flush()
    return row


def _line(gift: Gift, shipped_on: date | None, quantity: int = 1, state: LineState = LineState.shipped) -> None:
    db.session.add(ShipmentLine(gift_id=gift.id, supplier_id=gift.supplier_id, quantity=quantity, state=state,
                                shipped_on=shipped_on, name="寄附 太郎", postal_code="100-0001",
                                address="東京都千代田区千代田1-1"))


def november() -> dict[str, object]:
    rates()
    orchard, ranch = _supplier("SET-1", "山彦果樹園"), _supplier("SET-2", "山彦牧場")
    apple = _gift("SET-G1", "りんご 5kg", orchard, 3_000, 60)
    beef = _gift("SET-G2", "黒毛和牛 500g", orchard, 9_000, 80, ShippingClass.frozen)
    milk = _gift("SET-G3", "牛乳セット", ranch, 4_000, 60)
    _line(apple, date(2026, 11, 5))
    _line(apple, date(2026, 11, 5))
    _line(beef, date(2026, 11, 5), quantity=2)
    _line(apple, date(2026, 11, 20))
    _line(apple, date(2026, 10, 31))  # October
    _line(apple, date(2026, 12, 1))  # December
    _line(apple, None, state=LineState.ordered)  # not shipped
    _line(milk, date(2026, 11, 12))
    person = donor()
    donation(person, date(2026, 11, 3), 10_000, order="N1")  # 10%
    donation(person, date(2026, 11, 20), 50_000, order="N2")  # 12%
    donation(person, date(2026, 11, 10), 30_000, portal="satofull", order="N3")  # §13(1)ア excluded
    donation(person, date(2026, 11, 11), 20_000, portal="own_site", order="N4")  # excluded
    at_counter = donation(person, date(2026, 11, 12), 100_000, portal="direct", order="N5")  # excluded: no gift
    at_counter.channel = Channel.counter
    with_gift = donation(person, date(2026, 11, 13), 10_000, portal="direct", order="N6")  # counted: a gift
    with_gift.channel, with_gift.gift_code = Channel.counter, "SET-G1"
    donation(person, date(2026, 11, 14), 99_000, order="N7", status="cancelled")
    donation(person, date(2026, 10, 31), 5_000, order="O1")  # October
    for posted, envelopes in [(datetime(2026, 11, 25, 15), 7), (datetime(2026, 12, 1, 15), 4)]:
        db.session.add(CertificateBatch(state=CertificateBatchState.posted, posted_at=posted, envelopes=envelopes))
    db.session.add(CertificateBatch(state=CertificateBatchState.printable, envelopes=9))
    for accepted in [datetime(2026, 11, 2, 10), datetime(2026, 11, 16, 10), datetime(2026, 11, 30, 16),
                     datetime(2026, 10, 30, 10)]:
        db.session.add(OneStopApplication(tax_year=2026, channel=IntakeChannel.paper, state=ApplicationState.accepted,
                                          received_on=accepted.date(), accepted_at=accepted))
    db.session.add(AdSpend(spent_on=date(2026, 11, 15), medium="ふるさとチョイス 有料広告", amount=20_000,
                           approved_on=date(2026, 11, 1), approval_ref="山彦市ふ第123号"))
    db.session.flush()
    return {"orchard": orchard, "ranch": ranch}
