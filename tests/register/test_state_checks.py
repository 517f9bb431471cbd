"""64637a07edd9: the register's states and kinds are checked by the database, the upgrade stops
on a value it does not know (naming the row), and payments stay append-only on SQLite, where the
migration recreated their table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.register import services
from tests.register.conftest import new_key


def test_the_database_refuses_a_state_no_enum_has(make_bill) -> None:
    bill = make_bill()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE bills SET state = 'unpaid' WHERE id = :id"), {"id": bill.id})
    db.session.rollback()


def test_an_unknown_value_stops_the_upgrade_with_its_row(make_bill, register, cashier, caplog) -> None:
    bill = make_bill()
    payment = services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()), cashier).payment
    db.session.commit()
    bill_id, payment_id, register_id, cashier_id = bill.id, payment.id, register.id, cashier.id
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision="64c7071097be")
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE bills SET state = 'unpaid' WHERE id = :id"), {"id": bill_id})
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        upgrade(revision="64637a07edd9")
    assert f"bills.state id={bill_id}: 'unpaid'" in caplog.text
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE bills SET state = 'paid' WHERE id = :id"), {"id": bill_id})
    upgrade()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE payments SET total = 0 WHERE id = :id"), {"id": payment_id})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO void_requests (payment_id, terminal_id, reason, reopen_bill, state,"
                             " requested_at, requested_by_id) VALUES (:p, :t, 'x', true, 'maybe',"
                             " CURRENT_TIMESTAMP, :u)"), {"p": payment_id, "t": register_id, "u": cashier_id})
