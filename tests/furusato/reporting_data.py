"""Donations seeded directly for the reporting tests: a donor, a day, an amount, a portal."""

from __future__ import annotations

from datetime import date, datetime

from app.extensions import db
from app.furusato import services
from app.furusato.models import Donation, Donor


def donor(name: str = "髙橋 一郎", phone: str = "0190000001") -> Donor:
    person = Donor(name=name, kana="タカハシ イチロウ", kana_key="タカハシイチロウ", phone=phone, phone_key=phone,
                   postal_code="0210000", prefecture="岩手県", address="一関市1-1")
    db.session.add(person)
    db.session.flush()
    return person


def donation(person: Donor, day: date, amount: int, *, portal: str = "choice", order: str = "",
             gift: str = "", use: str = "", status: str = "paid", prefecture: str = "岩手県") -> Donation:
    found = services.portal_by_code(portal)
    assert found is not None
    row = Donation(order_id=order or f"{portal}-{day:%Y%m%d}-{amount}", portal_id=found.id, donor_id=person.id,
                   amount=amount, name=person.name, kana=person.kana, phone=person.phone,
                   postal_code=person.postal_code, address=person.address, prefecture=prefecture,
                   applied_at=datetime.combine(day, datetime.min.time()).replace(hour=10), applied_on=day,
                   paid_on=day, payment_method="card", status=status, gift_name=gift, use=use)
    db.session.add(row)
    db.session.flush()
    return row
