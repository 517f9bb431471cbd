"""07a7f083ca2a gives the receipt and void-slip jobs from before it their payment, read from the
summary that the payment page used to search (so the page still finds them)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.register import receipts, services
from tests.register.conftest import new_key


def test_receipt_jobs_from_before_the_sources_name_their_payments(make_bill, register, cashier, staff) -> None:
    bill = make_bill(("resident_record_copy", 1))
    paid = services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()), cashier).payment
    receipt = receipts.print_receipt(paid, register, cashier)
    reprint = receipts.print_receipt(paid, register, cashier, reissue=True)
    reversal = services.approve_void(services.request_void(paid, register, cashier, "誤り"), staff("supervisor"))
    slip = receipts.print_void(reversal, register, cashier)
    db.session.commit()
    expected = {receipt.id: ("payment", paid.id), reprint.id: ("payment", paid.id),
                slip.id: ("payment", reversal.id)}
    db.session.rollback()  # no transaction held while the migrations run

    downgrade(revision="f4b2e87101bc")
    upgrade(revision="07a7f083ca2a")
    with db.engine.connect() as conn:
        found = {job_id: (source_type, source_id) for job_id, source_type, source_id in conn.execute(
            sa.text("SELECT id, source_type, source_id FROM device_jobs"))}
    assert found == expected
    upgrade()
    assert receipts.print_job(paid).id == reprint.id and receipts.print_job(reversal).id == slip.id
