"""Payments of donations (issue 16 §1): the rules, the correction history, the audit rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.core.dates import today
from app.extensions import db
from app.furusato import payments, services
from app.furusato.models import Donation, DonationPayment

PHONE = services.DonationInput(
    channel="phone", applied_on=date(2026, 10, 1), amount=30_000, payment_method="bank", status="unpaid",
    paid_on=None, gift_code="", quantity=1, one_stop=False, receipt_wish=True, name="髙﨑 太郎",
    kana="タカサキ タロウ", birth_date=None, phone="03-1234-5678", email="", postal_code="029-4102",
    address="岩手県西磐井郡平泉町平泉1", notes="")


@pytest.fixture
def donation(app, furusato) -> Donation:
    found = services.create_direct_donation(PHONE, None)
    db.session.commit()
    return found


def audit_details(donation: Donation) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "furusato_donation", AuditEntry.object_id == str(donation.id),
        AuditEntry.action.in_(["create", "update"])).order_by(AuditEntry.id)))


def test_a_payment_makes_the_donation_paid_on_its_receipt_day(donation, make_user) -> None:
    clerk = make_user("operator")
    payment = payments.record_payment(donation, date(2026, 10, 5), 30_000, "postal", clerk)
    db.session.commit()
    assert donation.status == "paid" and donation.paid_on == date(2026, 10, 5)
    assert donation.payment_method == "postal"
    assert payment.recorded_by == clerk.username and payment.recorded_at is not None
    assert payments.current_payment(donation) == payment
    assert "入金を記録 収納日 2026-10-05 30,000円 郵便振替" in audit_details(donation)[-1]


def test_bad_payments_are_refused_naming_each_field_and_change_nothing(donation) -> None:
    with pytest.raises(services.FurusatoError) as refused:
        payments.record_payment(donation, today() + timedelta(days=1), 3_000, "", None)
    fields = {p.field: p.message for p in refused.value.problems}
    assert set(fields) == {"received_on", "amount", "method"}
    assert "未来" in fields["received_on"] and "30,000円" in fields["amount"]
    with pytest.raises(services.FurusatoError) as unknown:
        payments.record_payment(999_999, date(2026, 10, 5), 30_000, "bank", None)
    assert unknown.value.field == "donation" and "寄附が見つかりません" in unknown.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DonationPayment)) == 0
    assert donation.status == "unpaid" and donation.paid_on is None


def test_a_cancelled_donation_takes_no_payment(donation) -> None:
    donation.status = "cancelled"
    db.session.commit()
    with pytest.raises(services.FurusatoError) as refused:
        payments.record_payment(donation, date(2026, 10, 5), 30_000, "bank", None)
    assert refused.value.field == "donation" and "キャンセル" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DonationPayment)) == 0


def test_a_second_payment_is_refused_the_first_is_corrected(donation, make_user) -> None:
    first = payments.record_payment(donation, date(2026, 10, 5), 30_000, "bank", None)
    db.session.commit()
    with pytest.raises(services.FurusatoError) as twice:
        payments.record_payment(donation, date(2026, 10, 6), 30_000, "bank", None)
    assert twice.value.field == "donation"
    db.session.rollback()
    supervisor = make_user("supervisor")
    with pytest.raises(services.FurusatoError) as no_reason:
        payments.correct_payment(donation, date(2026, 10, 4), 30_000, "bank", " ", supervisor)
    assert no_reason.value.field == "reason"
    db.session.rollback()
    second = payments.correct_payment(donation, date(2026, 10, 4), 30_000, "bank", "通帳で収納日を確認", supervisor)
    db.session.commit()
    # The first row is kept as it was; the donation follows the correction.
    assert [(p.id, p.received_on, p.supersedes_id) for p in payments.history(donation)] == [
        (first.id, date(2026, 10, 5), None), (second.id, date(2026, 10, 4), first.id)]
    assert donation.paid_on == date(2026, 10, 4) and donation.status == "paid"
    assert payments.current_payment(donation) == second
    assert "入金を訂正 収納日 2026-10-05→2026-10-04" in audit_details(donation)[-1]
    third = payments.correct_payment(donation, date(2026, 10, 4), 30_000, "postal", "郵便振替でした", None)
    db.session.commit()
    assert third.supersedes_id == second.id and donation.payment_method == "postal"


def test_a_correction_needs_a_payment_and_a_change(donation) -> None:
    with pytest.raises(services.FurusatoError) as nothing:
        payments.correct_payment(donation, date(2026, 10, 5), 30_000, "bank", "誤り", None)
    assert nothing.value.field == "donation"
    db.session.rollback()
    payments.record_payment(donation, date(2026, 10, 5), 30_000, "bank", None)
    db.session.commit()
    with pytest.raises(services.FurusatoError) as same:
        payments.correct_payment(donation, date(2026, 10, 5), 30_000, "bank", "誤り", None)
    assert same.value.field == "received_on"


def test_a_seven_digit_amount_must_match_exactly(app, furusato) -> None:
    # The payment rules read the donation's own amount: a 7-digit one is compared as typed.
    big = services.create_direct_donation(replace(PHONE, amount=1_234_567), None)
    db.session.commit()
    with pytest.raises(services.FurusatoError):
        payments.record_payment(big, date(2026, 10, 5), 123_456, "bank", None)
    db.session.rollback()
    payments.record_payment(big, date(2026, 10, 5), 1_234_567, "bank", None)
    db.session.commit()
    assert big.status == "paid"


def test_the_donation_page_records_and_corrects_a_payment(client, login_as, donation) -> None:
    login_as("operator")
    page = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "入金の記録はありません" in page and "入金を記録する" in page
    bad = client.post(f"/furusato/donations/{donation.id}/payment",
                      data={"received_on": (today() + timedelta(days=3)).isoformat(), "amount": "３，０００",
                            "method": "bank"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "収納日に未来の日付は入力できません" in body
    assert "入金額 3,000円 が寄附金額 30,000円 と一致しません" in body
    assert db.session.scalar(select(func.count()).select_from(DonationPayment)) == 0
    ok = client.post(f"/furusato/donations/{donation.id}/payment",
                     data={"received_on": "2026-10-05", "amount": "30000", "method": "bank"})
    assert ok.status_code == 303
    fixed = client.post(f"/furusato/donations/{donation.id}/payment",
                        data={"received_on": "2026-10-04", "amount": "30000", "method": "bank",
                              "reason": "通帳で確認"})
    assert fixed.status_code == 303
    page = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "2026-10-05" in page and "訂正済" in page and "通帳で確認" in page and "現在の記録" in page
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).paid_on == date(2026, 10, 4)


def test_a_receipt_day_on_an_issued_certificate_is_corrected_by_a_supervisor_with_a_reissue(
        donation, make_user) -> None:
    from app.furusato import certificate_numbers
    from app.furusato.models import Certificate

    clerk, lead = make_user("operator"), make_user("supervisor")
    payments.record_payment(donation, date(2025, 12, 31), 30_000, "bank", clerk)
    original = certificate_numbers.issue([donation], "B1", by=None)[0]
    db.session.commit()
    with pytest.raises(services.FurusatoError) as refused:
        payments.correct_payment(donation, date(2026, 1, 5), 30_000, "bank", "通帳で確認", clerk)
    assert refused.value.field == "received_on" and "再発行が必要" in refused.value.message
    assert f"第{original.number}号" in refused.value.message
    db.session.rollback()
    assert len(payments.history(donation)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    # The method alone does not touch the certificate: the clerk may correct it.
    payments.correct_payment(donation, date(2025, 12, 31), 30_000, "postal", "郵便振替でした", clerk)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    fixed = payments.correct_payment(donation, date(2026, 1, 5), 30_000, "postal", "通帳で確認", lead)
    db.session.commit()
    reissue = payments.pending_reissue(original)
    assert reissue is not None and (reissue.number, reissue.fiscal_year, reissue.batch) == (
        original.number, original.fiscal_year, "")
    notes = payments.correction_notes(date(2025, 12, 31), fixed)
    assert "再発行" in notes[0] and "2025年から2026年" in notes[1] and "寄附金控除" in notes[1]
    # A second correction before printing does not make a second reissue.
    payments.correct_payment(donation, date(2026, 1, 6), 30_000, "postal", "再確認", lead)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_the_page_tells_a_supervisor_a_reissue_waits_and_the_deduction_year_moved(
        client, login_as, donation) -> None:
    from app.furusato import certificate_numbers

    payments.record_payment(donation, date(2025, 12, 31), 30_000, "bank", None)
    certificate_numbers.issue([donation], "B1", by=None)
    db.session.commit()
    login_as("operator")
    refused = client.post(f"/furusato/donations/{donation.id}/payment",
                          data={"received_on": "2026-01-05", "amount": "30000", "method": "bank", "reason": "誤記"},
                          headers={"HX-Request": "true", "HX-Target": "money"})
    assert refused.status_code == 422 and "統括責任者が訂正してください" in refused.get_data(as_text=True)
    client.post("/logout")
    login_as("supervisor")
    done = client.post(f"/furusato/donations/{donation.id}/payment",
                       data={"received_on": "2026-01-05", "amount": "30000", "method": "bank", "reason": "誤記"},
                       headers={"HX-Request": "true", "HX-Target": "money"})
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "受領証明書の再発行を作成しました" in body and "2025年から2026年" in body
