"""a7c3e5f1d2b4: widening the payment method CHECK (SQLite recreates `payments`) keeps the
payments and their append-only triggers, and the way down refuses while a payment by 定額小為替
exists (append-only rows: nothing to turn them into)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.register.test_voids_and_close import pay

REVISION, BEFORE = "a7c3e5f1d2b4", "5f1c8a2d7e44"


def test_payments_survive_the_new_method_and_down_refuses_money_orders(make_bill, register, cashier,
                                                                       caplog) -> None:
    cash = pay(make_bill(), register, cashier, received=500)
    cash_id, total = cash.id, cash.total
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision=BEFORE)
    upgrade(revision=REVISION)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT method, total FROM payments WHERE id = :id"),
                            {"id": cash_id}).one() == ("cash", total)
    with db.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError):  # still append-only
        conn.execute(sa.text("UPDATE payments SET total = 1 WHERE id = :id"), {"id": cash_id})

    upgrade()  # the code of today pays (it reads tables of later revisions), and the way down passes them
    pay(make_bill(("family_register_copy", 1)), register, cashier, method="postal_money_order", received=500)
    db.session.rollback()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        downgrade(revision=BEFORE)
    assert "Payments by 定額小為替 exist" in caplog.text
    upgrade()
