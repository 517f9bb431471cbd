"""Voids need a supervisor other than the cashier and reverse the payment; the daily close
counts the drawer, records any difference with its reason, locks the day and sets the float."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.auth.models import AuditEntry
from app.extensions import db
from app.register import services
from app.register.models import Bill, Payment, RegisterDay, VoidRequest
from app.register.services import RegisterError
from tests.register.conftest import new_key


def pay(bill, register, cashier, method="cash", received=None, at=None):
    payment = services.take_payment(bill.id, register, services.PaymentInput(method, received, new_key()), cashier,
                                    at=at).payment
    db.session.commit()
    return payment


def test_a_void_needs_a_supervisor_other_than_the_cashier(make_bill, register, cashier, staff) -> None:
    payment = pay(make_bill(), register, cashier, received=300)
    request = services.request_void(payment, register, cashier, "請求書の記入誤り")
    db.session.commit()
    other_operator = staff("operator", "2")
    with pytest.raises(RegisterError, match="統括責任者"):
        services.approve_void(request, other_operator)
    supervisor_cashier = staff("supervisor", "cashier")
    payment_by_supervisor = pay(make_bill(), register, supervisor_cashier, received=300)
    own = services.request_void(payment_by_supervisor, register, cashier, "金額誤り")
    with pytest.raises(RegisterError, match="本人"):
        services.approve_void(own, supervisor_cashier)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.kind == "void")) == 0


def test_an_approved_void_reverses_the_payment_and_reopens_the_bill(make_bill, register, cashier, staff) -> None:
    bill = make_bill(("resident_record_copy", 2), ("seal_certificate", 1))
    payment = pay(bill, register, cashier, received=1000)
    request = services.request_void(payment, register, cashier, "別人の住民票を請求していた")
    db.session.commit()
    supervisor = staff("supervisor")
    reversal = services.approve_void(request, supervisor)
    db.session.commit()
    assert reversal.kind == "void" and reversal.reverses_id == payment.id and reversal.receipt_number is None
    assert (reversal.total, reversal.received, reversal.change) == (-900, -900, 0)
    assert [(line.quantity, line.amount) for line in reversal.lines] == [(-2, -600), (-1, -300)]
    assert reversal.approved_by_id == supervisor.id and reversal.reason == "別人の住民票を請求していた"
    assert db.session.get(Payment, payment.id).total == 900  # the original is untouched
    assert db.session.get(Bill, bill.id).state == "open"
    assert db.session.get(VoidRequest, request.id).state == "approved"
    totals = services.day_totals(payment.day)
    assert totals.total == 0 and totals.cash_net == 0 and totals.payments == 1 and totals.voids == 1
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.object_type)).all()
    assert ("void", "payment") in actions and ("approve", "void_request") in actions
    again = pay(bill, register, cashier, received=1000)  # the corrected bill is paid again
    assert again.receipt_number == 2


def test_a_payment_is_voided_once(make_bill, register, cashier, staff) -> None:
    payment = pay(make_bill(), register, cashier, received=300)
    first = services.request_void(payment, register, cashier, "誤り")
    with pytest.raises(RegisterError, match="承認待ち"):
        services.request_void(payment, register, cashier, "誤り")
    services.approve_void(first, staff("supervisor"))
    db.session.commit()
    with pytest.raises(RegisterError, match="既に取り消"):
        services.request_void(payment, register, cashier, "誤り")
    with pytest.raises(RegisterError, match="承認済"):
        services.approve_void(first, staff("supervisor", "2"))


def test_a_void_needs_a_reason_and_can_be_rejected(make_bill, register, cashier, staff) -> None:
    payment = pay(make_bill(), register, cashier, received=300)
    with pytest.raises(RegisterError, match="理由"):
        services.request_void(payment, register, cashier, "  ")
    request = services.request_void(payment, register, cashier, "誤り")
    services.reject_void(request, staff("supervisor"))
    db.session.commit()
    assert request.state == "rejected" and services.void_of(payment) is None
    assert services.pending_void_requests() == []


def count_for(amount: int) -> dict[int, int]:
    """A drawer holding exactly `amount`, in the fewest notes and coins."""
    counts = {}
    for denomination in (10000, 5000, 1000, 500, 100, 50, 10, 5, 1):
        counts[denomination], amount = divmod(amount, denomination)
    return counts


def test_the_close_balances_and_locks_the_day(make_bill, register, cashier, staff) -> None:
    day = services.day_for_business(register)
    services.set_opening_float(day, 20000)
    db.session.commit()
    pay(make_bill(("resident_record_copy", 2)), register, cashier, received=1000)       # 600
    pay(make_bill(("removed_family_register_copy", 1)), register, cashier, method="credit_card")  # 750
    voided = pay(make_bill(("seal_certificate", 1)), register, cashier, received=300)  # 300, voided
    services.approve_void(services.request_void(voided, register, cashier, "取下げ"), staff("supervisor"))
    db.session.commit()
    totals = services.day_totals(day)
    assert totals.expected_cash == 20000 + 600
    assert {m.method: (m.count, m.amount) for m in totals.by_method} == {"cash": (1, 600), "credit_card": (1, 750)}
    assert {(f.fee_code, f.quantity, f.amount) for f in totals.by_fee} == {
        ("resident_record_copy", 2, 600), ("removed_family_register_copy", 1, 750), ("seal_certificate", 0, 0)}
    closer = staff("operator", "closer")
    close = services.close_day(day, services.DrawerCount(count_for(20600), 20000, ""), closer)
    db.session.commit()
    assert (close.expected_cash, close.counted_cash, close.difference) == (20600, 20600, 0)
    assert db.session.get(RegisterDay, day.id).closed
    with pytest.raises(RegisterError, match="締め済み"):
        services.take_payment(make_bill().id, register, services.PaymentInput("cash", 300, new_key()), cashier)
    with pytest.raises(RegisterError, match="既に済んで"):
        services.close_day(day, services.DrawerCount(count_for(20600), 0, ""), closer)
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "daily_close"))
    assert audit is not None and "過不足+0円" in audit.detail


def test_a_difference_needs_a_reason(make_bill, register, cashier, staff) -> None:
    payment = pay(make_bill(("family_register_copy", 1)), register, cashier, received=500)
    closer = staff("operator", "closer")
    with pytest.raises(RegisterError, match="過不足（-10円）") as refused:
        services.close_day(payment.day, services.DrawerCount(count_for(440), 0, " "), closer)
    assert refused.value.field == "reason"
    close = services.close_day(payment.day, services.DrawerCount(count_for(440), 0, "10円硬貨の釣銭誤り"), closer)
    assert close.difference == -10 and close.difference_reason == "10円硬貨の釣銭誤り"


def test_the_next_day_starts_with_the_float_set_at_the_close(make_bill, register, cashier, staff) -> None:
    monday = pay(make_bill(), register, cashier, received=300, at=datetime(2026, 6, 1, 10, 0))
    services.close_day(monday.day, services.DrawerCount(count_for(300), 200, ""), staff("operator", "closer"))
    db.session.commit()
    tuesday = pay(make_bill(), register, cashier, received=300, at=datetime(2026, 6, 2, 10, 0))
    assert tuesday.day.opening_float == 200
    assert services.day_totals(tuesday.day).expected_cash == 500


def test_an_unclosed_day_blocks_the_next_one(make_bill, register, cashier) -> None:
    pay(make_bill(), register, cashier, received=300, at=datetime(2026, 6, 1, 10, 0))
    with pytest.raises(RegisterError, match="2026-06-01の日計が済んでいません"):
        services.take_payment(make_bill().id, register, services.PaymentInput("cash", 300, new_key()), cashier,
                              at=datetime(2026, 6, 2, 10, 0))


def test_a_void_after_the_close_is_a_refund_on_the_current_day(make_bill, register, cashier, staff) -> None:
    monday = pay(make_bill(), register, cashier, received=300, at=datetime(2026, 6, 1, 10, 0))
    monday_close = services.close_day(monday.day, services.DrawerCount(count_for(300), 0, ""), staff("operator",
                                                                                                     "closer"))
    db.session.commit()
    request = services.request_void(monday, register, cashier, "翌日に返金")
    reversal = services.approve_void(request, staff("supervisor"), at=datetime(2026, 6, 2, 9, 0))
    db.session.commit()
    assert reversal.day.business_date.isoformat() == "2026-06-02"
    assert services.day_totals(monday.day).total == 300 and monday_close.difference == 0
    assert services.day_totals(reversal.day).expected_cash == -300


def test_a_void_refused_by_its_source_domain_changes_nothing_although_answered_by_a_redirect(
        app, client, make_bill, register, cashier, login_as) -> None:
    def refuse(bill, reversal):
        raise RegisterError("この証明書はすでに交付済みのため、取り消せません。")

    services.on_bill_voided("test", refuse)
    try:
        payment = pay(make_bill(), register, cashier, received=300)
        request = services.request_void(payment, register, cashier, "金額誤り")
        db.session.commit()
        login_as("supervisor")
        response = client.post(f"/register/voids/{request.id}/approve")
        assert response.status_code == 303
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.kind == "void")) == 0
        assert db.session.get(VoidRequest, request.id).state == "pending"
        assert db.session.get(Bill, payment.bill_id).state == "paid"
    finally:
        services._hooks.pop(("voided", "test"), None)
