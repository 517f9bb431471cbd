"""c4a9e2f1b7d3: existing payments get an empty 宛名 and existing terminals no sound on the way
up; the way down refuses while a day has been closed twice (the old schema holds one close)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.register import reopening, services
from tests.register.test_voids_and_close import count_for, pay

REVISION, BEFORE = "c4a9e2f1b7d3", "9e4b1d7c3a52"


def test_up_fills_the_new_columns_and_down_refuses_a_day_closed_twice(make_bill, register, cashier, staff,
                                                                      caplog) -> None:
    payment = pay(make_bill(), register, cashier, received=300)
    payment_id, day_id, register_id, paid_on = payment.id, payment.day.id, register.id, payment.paid_at.date()
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision=BEFORE)
    upgrade(revision=REVISION)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT addressee FROM payments WHERE id = :id"), {"id": payment_id}).scalar() == ""
        assert conn.execute(sa.text("SELECT sound FROM terminals WHERE id = :id"), {"id": register_id}).scalar() in (
            False, 0)

    day = services.find_day(register, paid_on)
    services.close_day(day, services.DrawerCount(count_for(300), 0, ""), cashier)
    reopening.reopen_day(day, "収納漏れ", staff("supervisor"))
    services.close_day(day, services.DrawerCount(count_for(300), 0, ""), cashier)
    db.session.commit()
    db.session.rollback()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        downgrade(revision=BEFORE)
    assert f"closed more than once (reopened); the old schema allows one close per day: {day_id}" in caplog.text
    upgrade()
