"""Property-based: for any basket and amount received, the change and totals are right, and the
daily close balances against a drawer counted by denomination."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.devices import services as device_services
from app.extensions import db
from app.register import services
from app.register.fees import DEFAULT_FEES, FeeError, Item, Rate, change_due, price
from app.register.models import DENOMINATIONS
from tests.register.conftest import new_key

RATES = {code: Rate(code, label, unit, amount) for code, label, unit, amount in DEFAULT_FEES}
items = st.builds(Item, st.sampled_from(sorted(RATES)), st.integers(1, 99), st.booleans())
baskets = st.lists(items, min_size=1, max_size=6)


@given(baskets, st.integers(0, 200_000))
def test_price_and_change(basket: list[Item], received: int) -> None:
    quote = price(basket, RATES)
    expected = sum(RATES[i.fee_code].amount * i.quantity for i in basket if not i.official)
    assert quote.total == expected == sum(line.amount for line in quote.lines)
    assert all(line.amount == 0 for line in quote.lines if line.official)
    if received >= quote.total:
        assert change_due(quote.total, received) == received - quote.total >= 0
    else:
        try:
            change_due(quote.total, received)
        except FeeError as exc:
            assert exc.field == "received"
        else:
            raise AssertionError("too little cash was accepted")


def breakdown(amount: int, shuffle: list[int]) -> dict[int, int]:
    """A drawer holding `amount`: some notes and coins chosen by `shuffle`, the rest greedily."""
    counts = dict.fromkeys(DENOMINATIONS, 0)
    for denomination, wanted in zip(DENOMINATIONS, shuffle, strict=False):
        take = min(wanted, amount // denomination)
        counts[denomination] += take
        amount -= take * denomination
    for denomination in DENOMINATIONS:
        more, amount = divmod(amount, denomination)
        counts[denomination] += more
    return counts


_registers = itertools.count(1)
_sources = itertools.count(1)
payment_spec = st.tuples(baskets, st.sampled_from(["cash", "cash", "credit_card", "e_money"]),
                         st.integers(0, 20_000), st.booleans())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 50_000), st.lists(payment_spec, min_size=1, max_size=5), st.integers(-2000, 2000),
       st.lists(st.integers(0, 5), max_size=10))
def test_any_day_closes_balanced(fees, make_user, opening_float: int, specs, difference: int,
                                 shuffle: list[int]) -> None:
    n = next(_registers)
    terminal, _ = device_services.create_terminal(device_services.NewTerminal(f"register-p{n}", f"試験レジ{n}",
                                                                              "register"))
    cashier = make_user("operator", f"prop-cashier-{n}")
    day = services.day_for_business(terminal)
    services.set_opening_float(day, opening_float)
    db.session.commit()
    cash_in = 0
    grand_total = 0
    for basket, method, extra, void in specs:
        bill = services.open_bill("test", f"prop-{next(_sources)}", "試験", basket)
        total = services.quote_bill(bill).total
        payment = services.take_payment(bill.id, terminal, services.PaymentInput(method, total + extra, new_key()),
                                        cashier).payment
        if payment.method == "cash":
            assert payment.change == extra and payment.received - payment.change == total
        assert payment.total == total
        if void:
            supervisor = make_user("supervisor", f"prop-supervisor-{n}-{payment.id}")
            services.approve_void(services.request_void(payment, terminal, cashier, "取消"), supervisor)
        else:
            grand_total += total
            cash_in += total if payment.method == "cash" else 0
        db.session.commit()
    totals = services.day_totals(day)
    assert totals.total == grand_total == sum(f.amount for f in totals.by_fee)
    assert totals.total == sum(m.amount for m in totals.by_method)
    assert totals.expected_cash == opening_float + cash_in
    counted = max(0, totals.expected_cash + difference)
    counts = breakdown(counted, shuffle)
    assert services.counted_amount(counts) == counted
    reason = "" if counted == totals.expected_cash else "過不足あり"
    close = services.close_day(day, services.DrawerCount(counts, 0, reason), cashier)
    db.session.commit()
    assert close.counted_cash == counted
    assert close.difference == counted - totals.expected_cash
    assert close.expected_cash + close.difference == close.counted_cash
