"""Several cashiers paying at once (threads, each with its own session and connection): the
receipt numbers are gap-free and duplicate-free, a double submission charges once, and a
payment that fails mid-way gives its number back. Meant for PostgreSQL (row locks); on SQLite
the same test shows that BEGIN IMMEDIATE serialises the writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.auth.models import User
from app.devices.models import Terminal
from app.extensions import db
from app.register import services
from app.register.fees import Item
from app.register.models import Bill, Payment
from tests.register.conftest import new_key

CASHIERS = 6
BILLS_EACH = 6


def run_together(app: Flask, work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread and app context, all starting at once."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = work[index]()
            except Exception as exc:  # collected and checked by the test
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_concurrent_cashiers_get_gap_free_unique_receipt_numbers(app, fees, make_register, make_user) -> None:
    registers = [make_register(f"register-c{n}").id for n in range(CASHIERS)]
    cashiers = [make_user("operator", f"cashier-c{n}").id for n in range(CASHIERS)]
    bills = [[services.open_bill("test", f"c{n}-{k}", f"来庁者{n}-{k}", [Item("resident_record_copy", 1 + k % 3)]).id
              for k in range(BILLS_EACH)] for n in range(CASHIERS)]
    shared = services.open_bill("test", "double-click", "二度押し", [Item("seal_certificate", 1)]).id
    db.session.commit()
    shared_key = new_key()

    def cashier_work(n: int) -> Callable[[], list[int]]:
        def work() -> list[int]:
            numbers = []
            terminal = db.session.get_one(Terminal, registers[n])
            user = db.session.get_one(User, cashiers[n])
            for k, bill_id in enumerate(bills[n]):
                if k == 2:  # a payment with too little cash fails and must not use a number
                    try:
                        services.take_payment(bill_id, terminal, services.PaymentInput("cash", 1, new_key()), user)
                    except services.RegisterError:
                        db.session.rollback()
                result = services.take_payment(bill_id, terminal, services.PaymentInput("cash", 1000, new_key()), user)
                numbers.append(result.payment.receipt_number)
                db.session.commit()
            return numbers
        return work

    def double_click(n: int) -> Callable[[], tuple[int, bool]]:
        def work() -> tuple[int, bool]:
            terminal = db.session.get_one(Terminal, registers[n % CASHIERS])
            user = db.session.get_one(User, cashiers[n % CASHIERS])
            result = services.take_payment(shared, terminal, services.PaymentInput("cash", 300, shared_key), user)
            db.session.commit()
            return result.payment.id, result.created
        return work

    results = run_together(app, [cashier_work(n) for n in range(CASHIERS)] + [double_click(n) for n in range(3)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []

    numbers = sorted(n for r in results[:CASHIERS] for n in r)
    clicks = results[CASHIERS:]
    assert len({payment_id for payment_id, _ in clicks}) == 1  # one payment for three submissions
    assert sum(created for _, created in clicks) == 1

    db.session.expire_all()
    stored = db.session.scalars(sa.select(Payment.receipt_number).order_by(Payment.receipt_number)).all()
    expected_count = CASHIERS * BILLS_EACH + 1
    assert stored == list(range(1, expected_count + 1))  # gap-free, no duplicates
    assert set(numbers) < set(stored)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.state == "open")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.bill_id == shared)) == 1


def test_two_registers_racing_for_one_bill_charge_once(app, fees, make_register, make_user) -> None:
    terminals = [make_register(f"register-r{n}").id for n in range(4)]
    users = [make_user("operator", f"cashier-r{n}").id for n in range(4)]
    bill_id = services.open_bill("test", "race", "競合", [Item("family_register_copy", 2)]).id
    db.session.commit()

    def attempt(n: int) -> Callable[[], int]:
        def work() -> int:
            result = services.take_payment(bill_id, db.session.get_one(Terminal, terminals[n]),
                                           services.PaymentInput("cash", 1000, new_key()), db.session.get_one(User,
                                                                                                              users[n]))
            db.session.commit()
            return result.payment.id
        return work

    results = run_together(app, [attempt(n) for n in range(4)])
    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, services.RegisterError)]
    assert len(paid) == 1 and len(refused) == 3
    assert all("収納済" in r.message for r in refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
