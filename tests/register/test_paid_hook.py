"""The paid hook: the domain that opened a bill is told, inside the paying transaction, that
its bill was paid; a replayed payment does not tell it twice, and a refusal undoes the payment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.register import services
from app.register.fees import Item
from app.register.models import Bill, Payment
from tests.register.conftest import new_key


@pytest.fixture
def paid(monkeypatch) -> list[tuple[int, int]]:
    """Bills of source type "test_source" report here as (bill id, payment id)."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(services, "_hooks", {})
    services.on_bill_paid("test_source", lambda bill, payment: calls.append((bill.id, payment.id)))
    return calls


def test_the_source_is_told_once_with_its_bill_and_payment(fees, register, cashier, paid) -> None:
    bill = services.open_bill("test_source", 7, "山彦 一郎", [Item("seal_certificate", 2)])
    other = services.open_bill("case", 7, "山彦 一郎", [Item("resident_record_copy", 1)])
    db.session.commit()
    key = new_key()
    payment = services.take_payment(bill.id, register, cashier, "cash", 600, key).payment
    services.take_payment(other.id, register, cashier, "cash", 300, new_key())
    db.session.commit()
    assert paid == [(bill.id, payment.id)]
    replay = services.take_payment(bill.id, register, cashier, "cash", 600, key)
    assert not replay.created and paid == [(bill.id, payment.id)]


def test_a_refusing_source_rolls_the_payment_back(fees, register, cashier, monkeypatch) -> None:
    def refuse(bill: Bill, payment: Payment) -> None:
        raise ValueError("refused")

    monkeypatch.setattr(services, "_hooks", {})
    services.on_bill_paid("test_source", refuse)
    bill = services.open_bill("test_source", 8, "山彦 一郎", [Item("seal_certificate", 1)])
    db.session.commit()
    with pytest.raises(ValueError, match="refused"):
        services.take_payment(bill.id, register, cashier, "cash", 300, new_key())
    db.session.rollback()
    assert db.session.get(Bill, bill.id).state == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_a_source_type_must_be_well_formed() -> None:
    with pytest.raises(ValueError, match="source type"):
        services.on_bill_paid("Seal Certificate", lambda bill, payment: None)
