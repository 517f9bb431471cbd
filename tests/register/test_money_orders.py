"""定額小為替 (issue 21, 000 §6(1) postal requests): a register payment method kept apart from the
cash drawer. The close expects only the cash in the drawer, and counts the money orders — the
face value taken in and the change sent back as 小為替 or stamps — on their own line."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.register import services
from app.register.pdf import close_pdf
from app.register.services import RegisterError
from tests.register.conftest import new_key
from tests.register.test_voids_and_close import count_for, pay


def test_the_daily_close_counts_money_orders_apart_from_the_cash_drawer(make_bill, register, cashier, staff) -> None:
    day = services.day_for_business(register)
    services.set_opening_float(day, 10000)
    db.session.commit()
    pay(make_bill(("resident_record_copy", 1)), register, cashier, received=500)  # 300 cash, 200 change
    by_post = pay(make_bill(("family_register_copy", 1)), register, cashier, method="postal_money_order",
                  received=500)  # 450 by 定額小為替, 50 back as 小為替 or stamps
    voided = pay(make_bill(("resident_record_copy", 1)), register, cashier, method="postal_money_order",
                 received=300)
    services.approve_void(services.request_void(voided, register, cashier, "二重受付"), staff("supervisor"))
    db.session.commit()
    assert (by_post.received, by_post.change, by_post.total) == (500, 50, 450)
    assert not by_post.in_cash  # no drawer kick, no cash change on the receipt

    totals = services.day_totals(day)
    assert totals.expected_cash == 10000 + 300  # the drawer: float + cash only
    assert totals.money_orders_net == 450
    assert (totals.money_orders_received, totals.money_orders_change) == (500 + 300 - 300, 50)
    assert {m.method: (m.count, m.amount) for m in totals.by_method} == {
        "cash": (1, 300), "postal_money_order": (1, 450)}
    assert totals.total == 300 + 450

    # the drawer holds only the cash: counting it balances, the money orders are not in it
    close = services.close_day(day, services.DrawerCount(count_for(10300), 10000, ""), staff("operator", "closer"))
    db.session.commit()
    assert (close.expected_cash, close.counted_cash, close.difference) == (10300, 10300, 0)
    assert close_pdf(close).startswith(b"%PDF")


def test_money_orders_below_the_fee_are_refused(make_bill, register, cashier) -> None:
    bill = make_bill(("family_register_copy", 1))
    for received in (None, 400):
        with pytest.raises(RegisterError) as refused:
            services.take_payment(bill.id, register, services.PaymentInput("postal_money_order", received, new_key()),
                                  cashier)
        assert refused.value.field == "received" and "450円以上" in refused.value.message
    db.session.rollback()
    assert db.session.get(type(bill), bill.id).is_open


def test_the_close_page_shows_the_money_orders_apart(client, login_as, make_bill, register) -> None:
    user = login_as("operator")
    pay(make_bill(("family_register_copy", 1)), register, user, method="postal_money_order", received=500)
    body = client.get("/register/close").get_data(as_text=True)
    assert "定額小為替（ドロワー外）" in body and "450円" in body and "おつり（小為替・切手で返送） 50円" in body
