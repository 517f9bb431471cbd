"""The seal registration rules, without a request: registration, checks, household rule,
inquiry letters and their expiry, city review, abolition and loss, certificates and fees."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.seal import certificates, services
from app.seal.certificates import CertificateInput
from app.seal.models import SealApplication
from app.seal.services import (
    AbolitionInput,
    Confirmation,
    RegistrationInput,
    ReplyInput,
    ReturnInput,
    SealError,
)
from tests.seal.conftest import clerk, reviewer, seal

TODAY = date(2026, 4, 1)


def register(applicant, *, text: str = "山田", side_mm: float = 15.0, shape: str = "round",
             identity_path: str = "photo_id", **kwargs):  # type: ignore[no-untyped-def]
    application = open_registration(applicant, applicant_kind="self", identity_path=identity_path,
                                    id_document="driver_license", **kwargs)
    services.attach_impression(application, seal(side_mm, text=text, shape=shape, seed=1), 600, "テスト", by=clerk())
    services.confirm(application, Confirmation(True, True, True), by=clerk())
    return application


def open_registration(resident_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return services.open_registration(RegistrationInput(resident_id, **kwargs), today=TODAY, by=clerk())


def approved(applicant, **kwargs):  # type: ignore[no-untyped-def]
    application = register(applicant, **kwargs)
    services.request_review(application, by=clerk())
    return services.approve(application, today=TODAY, by=reviewer())


def test_immediate_registration_goes_through_city_review_to_a_record_and_card(app, applicant) -> None:
    application = register(applicant())
    assert application.check_ok and application.side_mm == pytest.approx(15.0, abs=0.1)
    assert services.ready_for_review(application) == []
    services.request_review(application, by=clerk())
    assert application.state == "review"
    record = services.approve(application, today=TODAY, by=reviewer())
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
        services.request_review(application, by=clerk())


def test_operator_confirmations_are_required(app, applicant) -> None:
    application = register(applicant())
    services.confirm(application, Confirmation(True, False, True), by=clerk())
    with pytest.raises(SealError, match="目視確認"):
        services.request_review(application, by=clerk())


@pytest.mark.parametrize(("birth", "allowed"), [(date(2011, 4, 1), True), (date(2011, 4, 2), False)])
def test_only_from_fifteen(app, applicant, birth, allowed) -> None:
    person = applicant(birth_date=birth)
    if allowed:
        open_registration(person, applicant_kind="self", identity_path="photo_id", id_document="passport")
    else:
        with pytest.raises(SealError, match="15歳未満"):
            open_registration(person, applicant_kind="self", identity_path="photo_id", id_document="passport")


def test_a_proxy_goes_through_the_inquiry_letter_and_photo_id_needs_a_document(app, applicant) -> None:
    with pytest.raises(SealError, match="照会書"):
        open_registration(applicant(), applicant_kind="proxy", proxy_name="山田 花子", identity_path="photo_id",
                          id_document="passport")
    with pytest.raises(SealError, match="写真付き"):
        open_registration(applicant(), applicant_kind="self", identity_path="photo_id")
    application = open_registration(applicant(), applicant_kind="proxy", proxy_name="山田 花子",
                                    identity_path="inquiry")
    assert application.applicant_label == "代理人（山田 花子）"


def test_one_seal_per_person(app, applicant) -> None:
    approved(applicant())
    with pytest.raises(SealError, match="1人1個"):
        open_registration(applicant(), applicant_kind="self", identity_path="photo_id", id_document="passport")


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
    services.send_inquiry(application, today=TODAY, by=clerk())
    assert application.state == "inquiry"
    assert application.reply_deadline == TODAY + timedelta(days=services.INQUIRY_REPLY_DAYS)
    pdf = services.inquiry_letter(application, by=clerk())
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    with pytest.raises(SealError, match="本人確認書類"):
        services.record_reply(application, ReplyInput(""), today=TODAY + timedelta(days=10), by=clerk())
    services.record_reply(application, ReplyInput("my_number_card"), today=TODAY + timedelta(days=10),
                          by=clerk())
    assert application.state == "received" and application.reply_received_on == TODAY + timedelta(days=10)
    services.request_review(application, by=clerk())
    assert services.approve(application, today=TODAY + timedelta(days=10), by=reviewer()) is not None


def test_expired_inquiries_close_themselves_and_say_so(app, applicant) -> None:
    application = register(applicant(), identity_path="inquiry")
    services.send_inquiry(application, today=TODAY, by=clerk())
    deadline = application.reply_deadline
    assert services.expire_overdue(deadline) == []
    assert services.expire_overdue(deadline + timedelta(days=1)) == [application]
    assert application.state == "expired"
    assert "回答期限" in application.closed_reason and deadline.isoformat() in application.closed_reason
    late = register(applicant(resident_id=1010, household_id=510), identity_path="inquiry")
    services.send_inquiry(late, today=TODAY, by=clerk())
    with pytest.raises(SealError, match="自動的に終了"):
        services.record_reply(late, ReplyInput("passport"), today=late.reply_deadline + timedelta(days=1), by=clerk())
    assert late.state == "expired"


def test_return_for_correction_needs_a_reason_and_comes_back(app, applicant) -> None:
    application = register(applicant())
    services.request_review(application, by=clerk())
    with pytest.raises(SealError, match="理由"):
        services.return_for_correction(application, ReturnInput(" "), by=reviewer())
    services.return_for_correction(application, ReturnInput("氏名の確認欄を見直してください"), by=reviewer())
    assert application.state == "returned" and application.return_reason
    services.request_review(application, by=clerk())
    assert application.state == "review" and application.return_reason == ""


def test_abolition_and_loss_invalidate_the_card_after_review(app, applicant, fees) -> None:
    record = approved(applicant())
    certificate = certificates.issue_certificate(CertificateInput(record.card_number, 2), today=TODAY, by=clerk())
    assert (certificate.fee_code, certificate.unit_fee, certificate.amount) == ("seal_certificate", 300, 600)
    bill = certificates.certificate_bill(certificate)
    assert certificate.payment_id is None and bill is not None and bill.state == "open"

    abolition = services.open_abolition(record, AbolitionInput("abolition", "self", "passport"), by=clerk())
    assert abolition.state == "review" and record.card_valid  # valid until the city approves ...
    with pytest.raises(SealError, match="廃止の手続き中"):  # ... but no certificate meanwhile
        certificates.issue_certificate(CertificateInput(record.card_number, 1), today=TODAY, by=clerk())
    services.approve(abolition, today=TODAY, by=reviewer())
    assert record.status == "abolished" and not record.card_valid and record.abolished_on == TODAY
    with pytest.raises(SealError, match="無効"):
        certificates.issue_certificate(CertificateInput(record.card_number, 1), today=TODAY, by=clerk())

    lost = approved(applicant(resident_id=3001, household_id=901, name="佐藤 一郎"), text="佐藤")
    services.open_abolition(lost, AbolitionInput("loss", "self", "passport"), by=clerk())
    assert not lost.card_valid  # a lost card is invalid at once
    with pytest.raises(SealError, match="無効"):
        certificates.issue_certificate(CertificateInput(lost.card_number, 1), today=TODAY, by=clerk())


def test_certificate_needs_a_known_card_and_sane_copies(app, applicant) -> None:
    record = approved(applicant())
    with pytest.raises(SealError, match="通数"):
        certificates.issue_certificate(CertificateInput(record.card_number, 0), today=TODAY, by=clerk())
    with pytest.raises(SealError, match="ありません"):
        certificates.issue_certificate(CertificateInput("000000000", 1), today=TODAY, by=clerk())


def test_reading_a_record_is_audited(app, applicant) -> None:
    record = approved(applicant())
    services.get_record(record.id, by=clerk())
    services.search_records("山田", by=clerk())
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert {e.object_id for e in reads} >= {str(record.id), "search"}


def test_states_are_enforced(app, applicant) -> None:
    application = register(applicant())
    with pytest.raises(SealError, match="承認できません"):
        services.approve(application, today=TODAY, by=reviewer())
    services.withdraw(application, by=clerk())
    with pytest.raises(SealError, match="変更できません"):
        services.attach_impression(application, seal(15.0), 600, "テスト", by=clerk())
    assert db.session.get(SealApplication, application.id).state == "withdrawn"


def test_overdue_inquiries_are_closed_by_scheduled_work(app, applicant) -> None:
    from app.tasks import engine

    application = register(applicant(), identity_path="inquiry")
    services.send_inquiry(application, today=TODAY, by=clerk())
    application.reply_deadline = TODAY - timedelta(days=2)  # long before the real today
    db.session.commit()
    job = engine.PERIODIC["seal.expire_inquiries"]
    assert job.at_start and job.when(datetime(2026, 12, 2, 0, 5)) and not job.when(datetime(2026, 12, 2, 0, 6))
    engine.run_periodic(job)
    assert db.session.get(SealApplication, application.id).state == "expired"


@pytest.mark.parametrize(("column", "value"), [("state", "lost"), ("kind", "renewal"), ("applicant_kind", "agent"),
                                               ("identity_path", "phone"), ("id_document", "library_card")])
def test_the_database_keeps_applications_to_their_enums(app, applicant, column, value) -> None:
    import sqlalchemy as sa

    application_id = register(applicant()).id
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        table = sa.table("seal_applications", sa.column("id"), sa.column(column))  # no enum in between
        db.session.execute(sa.update(table).where(table.c.id == application_id).values({column: value}))
    db.session.rollback()
