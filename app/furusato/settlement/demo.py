"""The demo's settlement: the contract's rates, and the previous month shipped, confirmed by every
supplier, reconciled with the carrier's bill and invoiced to the city (accepted, not yet paid),
so the settlement pages and the report's sections are not empty on `flask demo load`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core.dates import fiscal_year, today
from app.extensions import db
from app.furusato.settlement import costs, services
from app.furusato.settlement.models import (
    AdSpend,
    CarrierInvoice,
    CityInvoice,
    InvoiceState,
    NoteKind,
    RateKind,
    SettlementRate,
    SupplierMonth,
    SupplierMonthNote,
    SupplierMonthState,
)
from app.furusato.settlement.periods import bill_due, month_end
from app.furusato.shipping.models import LineState, ShipmentLine
from app.reports.due import previous_month

RATES = [(RateKind.commission, "", 1200), (RateKind.shipping, "60", 990), (RateKind.shipping, "80", 1_210),
         (RateKind.shipping, "100", 1_430), (RateKind.shipping, "120", 1_650), (RateKind.cool, "", 330),
         (RateKind.postage, "", 110), (RateKind.onestop, "", 550),
         # the portals' and payment fees the city pays directly (§13(1)イ ただし書): demo figures, not any contract's
         *((RateKind.portal_fee, code, value) for code, value in [
             ("choice", 500), ("satofull", 1_000), ("rakuten", 1_000), ("furunavi", 800), ("ana", 900),
             ("amazon", 1_000), ("mynavi", 800), ("own_site", 0)]),
         *((RateKind.payment_fee, method, value) for method, value in [
             ("card", 150), ("convenience", 200), ("carrier", 300), ("e_money", 200), ("bank", 0), ("postal", 0),
             ("cash", 0), ("other", 0)])]
DEMO = "(demo)"


def _shipped_last_month(month: date) -> None:
    """A shipped copy of some of the open lines, spread over the previous month's weekdays."""
    days = [month + timedelta(days=i) for i in range((month_end(month) - month).days)
            if (month + timedelta(days=i)).weekday() < 5]
    open_lines = db.session.scalars(select(ShipmentLine).where(ShipmentLine.state == LineState.open)
                                    .order_by(ShipmentLine.id).limit(12))
    for number, line in enumerate(open_lines):
        db.session.add(ShipmentLine(gift_id=line.gift_id, supplier_id=line.supplier_id, quantity=line.quantity,
                                    state=LineState.shipped, shipped_on=days[(number * 3) % len(days)],
                                    name=line.name, postal_code=line.postal_code, address=line.address,
                                    building=line.building, tracking_number=f"4000{number:08d}"))
    db.session.flush()


def load() -> None:
    if db.session.scalar(select(SettlementRate.id).limit(1)) is not None:
        return
    start = date(fiscal_year(today()), 4, 1)
    db.session.add_all(SettlementRate(kind=k, key=key, effective_from=start, value=v, created_by=DEMO)
                       for k, key, v in RATES)
    month = previous_month(today().replace(day=1))
    _shipped_last_month(month)
    db.session.add(AdSpend(spent_on=month + timedelta(days=9), medium="ふるさとチョイス 特集バナー", amount=55_000,
                           approved_on=month + timedelta(days=2), approval_ref="山彦市ふ第101号", entered_by=DEMO))
    confirmed_at = datetime.combine(month_end(month), time(10))
    for found in services.statements(month):
        row = SupplierMonth(supplier_id=found.supplier.id, month=month, state=SupplierMonthState.confirmed,
                            parcels=found.parcels, procurement=found.procurement, shipping=found.shipping,
                            confirmed_at=confirmed_at, confirmed_by=DEMO)
        db.session.add(row)
        db.session.flush()
        db.session.add(SupplierMonthNote(supplier_month_id=row.id, kind=NoteKind.confirm, note="電話で確認（デモ）",
                                         at=confirmed_at, by=DEMO))
    reconciliation = services.reconciliation(month)
    db.session.add(CarrierInvoice(month=month, carrier="ヤマト運輸", number="Y-DEMO-1",
                                  parcels=reconciliation.parcels, amount=reconciliation.shipping, entered_by=DEMO))
    c = costs.costs(month, month_end(month))
    issued = month_end(month)
    db.session.add(CityInvoice(month=month, state=InvoiceState.accepted, commission=c.commission,
                               procurement=c.procurement, shipping=c.shipping, certificates=c.certificates,
                               onestop=c.onestop, advertising=c.advertising, total=c.total, issued_on=issued,
                               due_on=bill_due(month), issued_by=DEMO, accepted_on=issued,
                               pay_by=issued + timedelta(days=30)))
    db.session.flush()
