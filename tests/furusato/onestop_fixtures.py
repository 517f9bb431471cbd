"""Shared makers for the one-stop tests: paid phone donations and typed applications."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core.dates import today
from app.extensions import db
from app.furusato import payments, services
from app.furusato.onestop import applications
from hardware.card_reader.my_number import make_my_number

# Numbers used by the tests (valid check digits); the leak test greps for each.
NUMBERS = [make_my_number(f"{n:011d}") for n in (31415926535, 27182818284, 16180339887, 14142135623)]
YEAR = today().year if today().month > 1 else today().year - 1
# (name, kana, birth, phone, postal, address): 横浜市中区 (a designated city's ward) and 盛岡市.
PEOPLE = [("佐々木 健", "ササキ ケン", date(1975, 3, 3), "019-000-0001", "020-0021", "岩手県盛岡市中央通1-1-1"),
          ("鈴木 美咲", "スズキ ミサキ", date(1990, 8, 8), "045-000-0002", "231-0023", "神奈川県横浜市中区山下町1-1"),
          ("高橋 一郎", "タカハシ イチロウ", date(1968, 1, 20), "019-000-0003", "020-0021", "岩手県盛岡市中央通2-2-2")]


def paid_donation(person: tuple[Any, ...], amount: int, days_ago: int = 10) -> Any:
    name, kana, birth, phone, postal, address = person
    paid_on = max(date(YEAR, 1, 5), min(today(), date(YEAR, 12, 31)) - timedelta(days=days_ago))
    donation = services.create_direct_donation(services.DonationInput(
        channel="phone", applied_on=paid_on - timedelta(days=2), amount=amount, payment_method="postal",
        status="unpaid", paid_on=None, gift_code="", quantity=1, one_stop=True, receipt_wish=True, name=name,
        kana=kana, birth_date=birth, phone=phone, email="", postal_code=postal, address=address, notes=""), None)
    payments.record_payment(donation, paid_on, amount, "postal", None)
    db.session.flush()
    return donation


def form(person: tuple[Any, ...], number: str, **overrides: Any) -> applications.IntakeInput:
    name, kana, birth, phone, postal, address = person
    values: dict[str, Any] = dict(
        tax_year=YEAR, received_on=today(), name=name, kana=kana, birth_date=birth, gender="男",
        postal_code=postal, address=address, phone=phone, email="donor@example.jp", number=number,
        documents=["card_front", "card_back"], declared_no_return=True, declared_five_or_fewer=True,
        form_complete=True)
    values.update(overrides)
    return applications.IntakeInput(**values)
