"""The seal registration rules, without a request: registration, checks, household rule,
inquiry letters and their expiry, city review, abolition and loss, certificates and fees."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.seal import services
from app.seal.models import SealApplication
from app.seal.services import SealError
from tests.seal.conftest import seal

TODAY = date(2026, 4, 1)


def register(applicant, *, text: str = "山田", side_mm: float = 15.0, shape: str = "round",
             identity_path: str = "photo_id", **kwargs):  # type: ignore[no-untyped-def]
    application = services.open_registration(applicant, applicant_kind="self", identity_path=identity_path,
                                             id_document="driver_license", today=TODAY, **kwargs)
    services.attach_impression(application, seal(side_mm, text=text, shape=shape, seed=1), 600, "テスト")
    services.confirm(application, name=True, not_rubber=True, no_title=True)
    return application


def approved(applicant, **kwargs):  # type: ignore[no-untyped-def]
    application = register(applicant, **kwargs)
    services.request_review(application)
    return services.approve(application, None, TODAY)


def test_immediate_registration_goes_through_city_review_to_a_record_and_card(app, applicant) -> None:
    application = register(applicant())
    assert application.check_ok and application.side_mm == pytest.approx(15.0, abs=0.1)
    assert services.ready_for_review(application) == []
    services.request_review(application)
    assert application.state == "review"
    record = services.approve(application, None, TODAY)
    assert record is not None and record.status == "active" and record.card_valid
    assert len(record.card_number) == 9 and record.card_number.isdigit()
    assert application.state == "approved" and application.record_id == record.id
    actions = {(e.action, e.object_type) for e in db.session.scalars(select(AuditEntry))}
    assert {("create", "seal_application"), ("update", "seal_application"), ("approve", "seal_application"),
            ("create", "seal_record")} <= actions


def test_a_refused_impression_keeps_its_reasons_and_blocks_review(app, applicant) -> None:
    application = register(applicant(), side_mm=7.5)
    assert application.check_ok is False
    assert "too_small" in application.check_result["codes"]
    assert any("小さすぎます" in r for r in application.check_result["reasons"])
    with pytest.raises(SealError, match="基準を満たしていません"):
        services.request_review(application)


def test_operator_confirmations_are_required(app, applicant) -> None:
    application = register(applicant())
    services.confirm(application, name=True, not_rubber=False, no_title=True)
    with pytest.raises(SealError, match="目視確認"):
        services.request_review(application)


@pytest.mark.parametrize(("birth", "allowed"), [(date(2011, 4, 1), True), (date(2011, 4, 2), False)])
def test_only_from_fifteen(app, applicant, birth, allowed) -> None:
    person = applicant(birth_date=birth)
    if allowed:
        services.open_registration(person, applicant_kind="self", identity_path="photo_id",
                                   id_document="passport", today=TODAY)
    else:
        with pytest.raises(SealError, match="15歳未満"):
            services.open_registration(person, applicant_kind="self", identity_path="photo_id",
                                       id_document="passport", today=TODAY)


def test_a_proxy_goes_through_the_inquiry_letter_and_photo_id_needs_a_document(app, applicant) -> None:
    with pytest.raises(SealError, match="照会書"):
        services.open_registration(applicant(), applicant_kind="proxy", proxy_name="山田 花子",
                                   identity_path="photo_id", id_document="passport", today=TODAY)
    with pytest.raises(SealError, match="写真付き"):
        services.open_registration(applicant(), applicant_kind="self", identity_path="photo_id", today=TODAY)
    application = services.open_registration(applicant(), applicant_kind="proxy", proxy_name="山田 花子",
                                             identity_path="inquiry", today=TODAY)
    assert application.applicant_label == "代理人（山田 花子）"


def test_one_seal_per_person(app, applicant) -> None:
    approved(applicant())
    with pytest.raises(SealError, match="1人1個"):
        services.open_registration(applicant(), applicant_kind="self", identity_path="photo_id",
                                   id_document="passport", today=TODAY)


def test_a_seal_like_one_in_the_same_household_is_refused(app, applicant) -> None:
    approved(applicant())
    same_household = register(applicant(resident_id=1002, name="山田 花子"))
    assert same_household.check_ok is False
    assert "household_similar" in same_household.check_result["codes"]
    assert any("山田\u3000太郎さんの登録印" in r for r in same_household.check_result["reasons"])
    other_design = register(applicant(resident_id=1003, name="山田 次郎"), text="次郎")
    assert other_design.check_ok, other_design.check_result
    elsewhere = register(applicant(resident_id=2001, household_id=777, name="山田 一郎"))
    assert elsewhere.check_ok


def test_inquiry_letter_path_reply_then_review(app, applicant, city) -> None:
    application = register(applicant(), identity_path="inquiry")
    assert "回答書" in " ".join(services.ready_for_review(application))
    services.send_inquiry(application, TODAY)
    assert application.state == "inquiry"
    assert application.reply_deadline == TODAY + timedelta(days=services.INQUIRY_REPLY_DAYS)
    pdf = services.inquiry_letter(application)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    with pytest.raises(SealError, match="本人確認書類"):
        services.record_reply(application, TODAY + timedelta(days=10), "")
    services.record_reply(application, TODAY + timedelta(days=10), "my_number_card")
    assert application.state == "received" and application.reply_received_on == TODAY + timedelta(days=10)
    services.request_review(application)
    assert services.approve(application, None, TODAY + timedelta(days=10)) is not None


def test_expired_inquiries_close_themselves_and_say_so(app, applicant) -> None:
    application = register(applicant(), identity_path="inquiry")
    services.send_inquiry(application, TODAY)
    deadline = application.reply_deadline
    assert services.expire_overdue(deadline) == []
    assert services.expire_overdue(deadline + timedelta(days=1)) == [application]
    assert application.state == "expired"
    assert "回答期限" in application.closed_reason and deadline.isoformat() in application.closed_reason
    late = register(applicant(resident_id=1010, household_id=510), identity_path="inquiry")
    services.send_inquiry(late, TODAY)
    with pytest.raises(SealError, match="自動的に終了"):
        services.record_reply(late, late.reply_deadline + timedelta(days=1), "passport")
    assert late.state == "expired"


def test_return_for_correction_needs_a_reason_and_comes_back(app, applicant) -> None:
    application = register(applicant())
    services.request_review(application)
    with pytest.raises(SealError, match="理由"):
        services.return_for_correction(application, None, " ")
    services.return_for_correction(application, None, "氏名の確認欄を見直してください")
    assert application.state == "returned" and application.return_reason
    services.request_review(application)
    assert application.state == "review" and application.return_reason == ""


def test_abolition_and_loss_invalidate_the_card_after_review(app, applicant, fees) -> None:
    record = approved(applicant())
    certificate = services.issue_certificate(record.card_number, 2, today=TODAY)
    assert (certificate.fee_code, certificate.unit_fee, certificate.amount) == ("seal_certificate", 300, 600)
    bill = services.certificate_bill(certificate)
    assert certificate.payment_id is None and bill is not None and bill.state == "open"

    abolition = services.open_abolition(record, "abolition", applicant_kind="self", id_document="passport")
    assert abolition.state == "review" and record.card_valid  # valid until the city approves ...
    with pytest.raises(SealError, match="廃止の手続き中"):  # ... but no certificate meanwhile
        services.issue_certificate(record.card_number, 1, today=TODAY)
    services.approve(abolition, None, TODAY)
    assert record.status == "abolished" and not record.card_valid and record.abolished_on == TODAY
    with pytest.raises(SealError, match="無効"):
        services.issue_certificate(record.card_number, 1, today=TODAY)

    lost = approved(applicant(resident_id=3001, household_id=901, name="佐藤 一郎"), text="佐藤")
    services.open_abolition(lost, "loss", applicant_kind="self", id_document="passport")
    assert not lost.card_valid  # a lost card is invalid at once
    with pytest.raises(SealError, match="無効"):
        services.issue_certificate(lost.card_number, 1, today=TODAY)


def test_certificate_needs_a_known_card_and_sane_copies(app, applicant) -> None:
    record = approved(applicant())
    with pytest.raises(SealError, match="通数"):
        services.issue_certificate(record.card_number, 0, today=TODAY)
    with pytest.raises(SealError, match="ありません"):
        services.issue_certificate("000000000", 1, today=TODAY)


def test_reading_a_record_is_audited(app, applicant) -> None:
    record = approved(applicant())
    services.get_record(record.id)
    services.search_records("山田")
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert {e.object_id for e in reads} >= {str(record.id), "search"}


def test_states_are_enforced(app, applicant) -> None:
    application = register(applicant())
    with pytest.raises(SealError, match="承認できません"):
        services.approve(application, None, TODAY)
    services.withdraw(application)
    with pytest.raises(SealError, match="変更できません"):
        services.attach_impression(application, seal(15.0), 600, "テスト")
    assert db.session.get(SealApplication, application.id).state == "withdrawn"


def test_overdue_inquiries_are_closed_by_scheduled_work(app, applicant) -> None:
    from app.tasks import engine

    application = register(applicant(), identity_path="inquiry")
    services.send_inquiry(application, TODAY)
    application.reply_deadline = TODAY - timedelta(days=2)  # long before the real today
    db.session.commit()
    job = engine.PERIODIC["seal.expire_inquiries"]
    assert job.at_start and job.when(datetime(2026, 12, 2, 0, 5)) and not job.when(datetime(2026, 12, 2, 0, 6))
    engine.run_periodic(job)
    assert db.session.get(SealApplication, application.id).state == "expired"
