"""A donation's status and its history (issue 16 §1): キャンセル, 返金, 入金待ち and a supervisor's
取消, each a status event and an audit row; refused steps change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.dates import today
from app.extensions import db
from app.furusato import certificate_numbers, payments, services, status
from app.furusato.models import Donation, DonationState
from app.furusato.status_models import StatusAction, StatusEvent
from tests.furusato.test_payments import PHONE, audit_details


@pytest.fixture
def donation(app, furusato) -> Donation:
    found = services.create_direct_donation(PHONE, None)
    db.session.commit()
    return found


@pytest.fixture
def paid(donation) -> Donation:
    payments.record_payment(donation, date(2026, 10, 5), 30_000, "bank", None)
    db.session.commit()
    return donation


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StatusEvent)) or 0


def refused_fields(step, *args) -> dict[str, str]:
    with pytest.raises(services.FurusatoError) as refused:
        step(*args)
    db.session.rollback()
    return {p.field: p.message for p in refused.value.problems}


def test_a_cancellation_needs_a_reason_and_is_kept_in_the_history(donation, make_user) -> None:
    clerk = make_user("operator")
    assert "reason" in refused_fields(status.cancel, donation, "  ", clerk)
    assert event_count() == 0 and donation.status == DonationState.unpaid
    event = status.cancel(donation, "寄附者から電話で取りやめ", clerk)
    db.session.commit()
    assert donation.status == DonationState.cancelled
    assert (event.from_state, event.to_state, event.username, event.reason) == (
        "unpaid", "cancelled", clerk.username, "寄附者から電話で取りやめ")
    assert "キャンセル 入金待ち→キャンセル：寄附者から電話で取りやめ" in audit_details(donation)[-1]
    # A cancelled donation takes no payment and cannot be cancelled again.
    assert "donation" in refused_fields(status.cancel, donation, "二度目", clerk)
    assert not payments.can_record(donation)


def test_a_paid_donation_is_refunded_not_cancelled(paid, make_user) -> None:
    clerk = make_user("operator")
    fields = refused_fields(status.cancel, paid, "取りやめ", clerk)
    assert "返金として記録してください" in fields["donation"]
    assert paid.status == DonationState.paid and event_count() == 1  # the payment's 入金済


def test_a_refund_of_an_unpaid_donation_is_refused_naming_the_fields(donation, make_user) -> None:
    clerk = make_user("operator")
    fields = refused_fields(status.refund, donation, None, today() + timedelta(days=1), "", clerk)
    assert set(fields) == {"donation", "refund_amount", "refunded_on", "reason"}
    assert "入金のあった寄附（入金済）に限ります" in fields["donation"]
    assert "未来" in fields["refunded_on"]
    assert event_count() == 0 and donation.status == DonationState.unpaid


def test_a_refund_records_amount_date_and_reason(paid, make_user) -> None:
    clerk = make_user("operator")
    fields = refused_fields(status.refund, paid, 40_000, date(2026, 10, 1), "過入金", clerk)
    assert "30,000円 を超えています" in fields["refund_amount"] and "収納日" in fields["refunded_on"]
    event = status.refund(paid, 30_000, date(2026, 10, 20), "返礼品の在庫切れ", clerk)
    db.session.commit()
    assert paid.status == DonationState.refunded
    assert (event.refund_amount, event.refunded_on, event.from_state) == (30_000, date(2026, 10, 20), "paid")
    assert "返金 入金済→返金 30,000円 返金日 2026-10-20：返礼品の在庫切れ" in audit_details(paid)[-1]
    # Money is not taken in again on a refunded donation.
    assert "donation" in refused_fields(payments.record_payment, paid, date(2026, 10, 21), 30_000, "bank", clerk)


def test_a_supervisor_reverses_the_last_change_only(donation, make_user) -> None:
    clerk, lead = make_user("operator"), make_user("supervisor")
    cancelled = status.cancel(donation, "取りやめ", clerk)
    db.session.commit()
    assert not status.can_reverse(donation, clerk) and status.can_reverse(donation, lead)
    assert "統括責任者" in refused_fields(status.reverse, donation, "誤操作", clerk)["donation"]
    assert "reason" in refused_fields(status.reverse, donation, "", lead)
    undo = status.reverse(donation, "別の寄附と取り違え", lead)
    db.session.commit()
    assert donation.status == DonationState.unpaid
    assert (undo.action, undo.reverses_id, undo.from_state, undo.to_state) == ("reverse", cancelled.id, "cancelled",
                                                                             "unpaid")
    # Nothing is deleted: both rows stay, and a reversal is not reversed in its turn.
    assert [e.action for e in status.history(donation)] == [StatusAction.cancel, StatusAction.reverse]
    assert "取り消せる状態の変更がありません" in refused_fields(status.reverse, donation, "もう一度", lead)["donation"]
    assert "状態の変更を取消（キャンセル）キャンセル→入金待ち：別の寄附と取り違え" in audit_details(donation)[-1]


def test_a_payment_is_corrected_not_reversed(paid, make_user) -> None:
    lead = make_user("supervisor")
    assert [e.action for e in status.history(paid)] == [StatusAction.pay]
    assert not status.can_reverse(paid, lead)
    assert "入金の記録を訂正" in refused_fields(status.reverse, paid, "誤り", lead)["donation"]


def test_applied_becomes_waiting_and_back_by_reversal(donation, make_user) -> None:
    lead = make_user("supervisor")
    donation.status = DonationState.applied
    db.session.commit()
    status.mark_waiting(donation, "納付書を送付", lead)
    db.session.commit()
    assert donation.status == DonationState.unpaid
    assert "donation" in refused_fields(status.mark_waiting, donation, "", lead)
    status.reverse(donation, "まだ送っていない", lead)
    db.session.commit()
    assert donation.status == DonationState.applied


def test_a_posted_donation_is_refunded_by_a_supervisor_and_its_certificate_voided(paid, make_user) -> None:
    clerk, lead = make_user("operator"), make_user("supervisor")
    certificate = certificate_numbers.issue([paid], "B1", by=None)[0]
    paid.status = DonationState.posted
    db.session.commit()
    assert not status.can_refund(paid, clerk)
    assert "統括責任者" in refused_fields(status.refund, paid, 30_000, date(2026, 11, 1), "取消", clerk)["donation"]
    event = status.refund(paid, 30_000, date(2026, 11, 1), "二重の寄附", lead)
    db.session.commit()
    assert event.voids_certificate_id == certificate.id
    assert status.voided_certificate_ids(paid) == {certificate.id}
    assert "発行済の受領証明書は無効" in audit_details(paid)[-1]
    status.reverse(paid, "返金していなかった", lead)
    db.session.commit()
    assert paid.status == DonationState.posted and status.voided_certificate_ids(paid) == set()


HTMX = {"HX-Request": "true", "HX-Target": "money"}


def test_the_page_cancels_and_a_supervisor_reverses(client, login_as, donation) -> None:
    login_as("operator")
    page = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "キャンセルする" in page and "取り消す" not in page and "状態の変更はありません" in page
    refused = client.post(f"/furusato/donations/{donation.id}/status/cancel", data={"cancel-reason": ""})
    assert refused.status_code == 422 and "キャンセルの理由を入力してください" in refused.get_data(as_text=True)
    assert event_count() == 0
    done = client.post(f"/furusato/donations/{donation.id}/status/cancel", data={"cancel-reason": "取りやめ"})
    assert done.status_code == 303
    assert client.post(f"/furusato/donations/{donation.id}/status/reverse",
                       data={"reverse-reason": "誤操作"}).status_code == 403
    client.post("/logout")
    login_as("supervisor")
    page = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "取りやめ" in page and "取り消す" in page
    assert "operator 太郎" in page and "operator-furusato-user" not in page  # names people see, not login ids
    undone = client.post(f"/furusato/donations/{donation.id}/status/reverse", data={"reverse-reason": "誤操作"},
                         headers=HTMX)
    body = undone.get_data(as_text=True)
    assert undone.status_code == 200 and 'id="money"' in body and "<html" not in body
    assert "直前の状態の変更を取り消しました" in body
    assert 'hx-swap-oob="true">入金待ち' in body
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).status == DonationState.unpaid


def test_a_refused_htmx_payment_comes_back_in_place_with_the_typed_input(client, login_as, donation) -> None:
    login_as("operator")
    future = (today() + timedelta(days=2)).isoformat()
    refused = client.post(f"/furusato/donations/{donation.id}/payment", headers=HTMX,
                          data={"received_on": future, "amount": "3000", "method": "bank"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<html" not in body
    assert "収納日に未来の日付は入力できません" in body and f'value="{future}"' in body and 'value="3000"' in body
    ok = client.post(f"/furusato/donations/{donation.id}/payment", headers=HTMX,
                     data={"received_on": "2026-10-05", "amount": "30000", "method": "bank"})
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "入金を記録しました" in body and "入金を訂正する" in body
    assert "返金を記録する" in body and "キャンセルする" not in body


def test_a_payment_for_an_unknown_donation_is_404(client, login_as, furusato) -> None:
    login_as("operator")
    assert client.post("/furusato/donations/999999/payment",
                       data={"received_on": "2026-10-05", "amount": "30000", "method": "bank"}).status_code == 404
    assert client.post("/furusato/donations/999999/status/cancel", data={"cancel-reason": "x"}).status_code == 404
