"""The paid hook: the domain that opened a bill is told, inside the paying transaction, that
its bill was paid; a replayed payment does not tell it twice, and a refusal undoes the payment."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.refusal import Refusal
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
    payment = services.take_payment(bill.id, register, services.PaymentInput("cash", 600, key), cashier).payment
    services.take_payment(other.id, register, services.PaymentInput("cash", 300, new_key()), cashier)
    db.session.commit()
    assert paid == [(bill.id, payment.id)]
    replay = services.take_payment(bill.id, register, services.PaymentInput("cash", 600, key), cashier)
    assert not replay.created and paid == [(bill.id, payment.id)]


def test_a_refusing_source_rolls_the_payment_back(fees, register, cashier, monkeypatch) -> None:
    def refuse(bill: Bill, payment: Payment) -> None:
        raise ValueError("refused")

    monkeypatch.setattr(services, "_hooks", {})
    services.on_bill_paid("test_source", refuse)
    bill = services.open_bill("test_source", 8, "山彦 一郎", [Item("seal_certificate", 1)])
    db.session.commit()
    with pytest.raises(ValueError, match="refused"):
        services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()), cashier)
    db.session.rollback()
    assert db.session.get(Bill, bill.id).state == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_a_source_type_must_be_well_formed() -> None:
    with pytest.raises(ValueError, match="source type"):
        services.on_bill_paid("Seal Certificate", lambda bill, payment: None)


class SourceRefused(Refusal):
    """A source domain's own refusal."""


def _pay_through_the_page(client, bill: Bill) -> Any:
    html = client.get(f"/register?bill={bill.id}").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', html)[1]
    return client.post(f"/register/bills/{bill.id}/pay", data={"method": "cash", "received": "300",
                                                                 "idempotency_key": key})


def _bill_paid_into(monkeypatch, handler: Any, source_id: int) -> Bill:
    """A bill of a source whose paid hook is `handler` (and no other hooks)."""
    monkeypatch.setattr(services, "_hooks", {})
    services.on_bill_paid("test_source", handler)
    bill = services.open_bill("test_source", source_id, "山彦 一郎", [Item("seal_certificate", 1)])
    db.session.commit()
    return bill


def test_a_source_refusal_is_shown_to_the_cashier_and_nothing_is_paid(
        client, login_as, fees, register, monkeypatch) -> None:
    def refuse(bill: Bill, payment: Payment) -> None:
        raise SourceRefused("この証明書はまだ交付できません。")

    bill = _bill_paid_into(monkeypatch, refuse, 9)
    login_as("operator")
    response = _pay_through_the_page(client, bill)
    assert response.status_code == 422
    assert "この証明書はまだ交付できません。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).state == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_a_bug_in_a_source_hook_is_an_error_not_a_refusal(client, login_as, fees, register, monkeypatch) -> None:
    """Only a Refusal becomes a message for the cashier: any other error (a programming error,
    even a ValueError) propagates, so the request fails with a 500 and its traceback is logged."""
    def broken(bill: Bill, payment: Payment) -> None:
        int("not a number")  # ValueError, but not a refusal

    bill = _bill_paid_into(monkeypatch, broken, 10)
    with pytest.raises(ValueError, match="invalid literal") as raised:
        services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()),
                              login_as("operator"))
    assert not isinstance(raised.value, Refusal)
    db.session.rollback()
    client.application.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page
    response = _pay_through_the_page(client, bill)
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).state == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
