"""The register's pages that show a visitor's name write a read row (issue #14 §2; the demo
has no payment, so the walk of tests/auth/test_reads_are_audited.py does not reach these)."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import AuditEntry
from app.extensions import db
from tests.register.test_payments import pay


def _reads(object_type: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read", AuditEntry.object_type == object_type).order_by(AuditEntry.id)))


def test_the_payment_page_and_the_day_list_are_reads(client, make_bill, register, cashier, login_as) -> None:
    payment = pay(make_bill(visitor="山彦 三郎"), register, cashier, received=1000).payment
    user = login_as("operator")
    assert "山彦 三郎" in client.get(f"/register/payments/{payment.id}").get_data(as_text=True)
    assert [(e.object_id, e.user_id) for e in _reads("payment")] == [(str(payment.id), user.id)]
    assert "山彦 三郎" in client.get("/register/payments").get_data(as_text=True)
    assert "日計前の収納" in _reads("payment")[-1].detail and f"#{payment.id}" in _reads("payment")[-1].detail
    client.get(f"/register/payments?q={payment.receipt_no}")
    assert "領収番号で検索" in _reads("payment")[-2].detail


def test_the_cashier_screen_is_a_read_of_the_open_bills(client, make_bill, register, login_as) -> None:
    bill = make_bill(visitor="山彦 四郎")
    login_as("operator")
    assert "山彦 四郎" in client.get("/register").get_data(as_text=True)
    (entry,) = _reads("bill")
    assert entry.object_id == "list" and f"#{bill.id}" in entry.detail and entry.programme == "counter"
