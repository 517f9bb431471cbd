"""The seal domain on the others: the applicant from the registry (and its household for the
similar-seal rule), a counter case linked both ways, and the certificate's fee as a register
bill whose payment comes back to the certificate."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.counter import catalog, checks, inputs, issue
from app.counter import visits as counter
from app.devices import services as device_services
from app.extensions import db
from app.register import services as register
from app.registry import services as registry
from app.registry.adapter import MoveOrder
from app.seal import certificates, services
from app.seal.certificates import CertificateInput
from app.seal.models import SealApplication, SealCertificate
from app.seal.services import AbolitionInput, Confirmation, RegistrationInput, SealError
from tests.seal.conftest import clerk, reviewer, seal

TODAY = date(2026, 4, 1)


def _receive(resident_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return services.open_registration(RegistrationInput(resident_id, applicant_kind="self", identity_path="photo_id",
                                                        id_document="passport", **kwargs), today=TODAY, by=clerk())


def _ready(application, text: str = "山田"):  # type: ignore[no-untyped-def]
    services.attach_impression(application, seal(15.0, text=text, seed=1), 600, "テスト", by=clerk())
    services.confirm(application, Confirmation(True, True, True), by=clerk())
    services.request_review(application, by=clerk())
    return application


def test_the_snapshot_comes_from_the_registry_and_the_read_is_audited(app, applicant) -> None:
    resident = applicant(1001, 501, "山田 太郎", kana="ヤマダ タロウ", address="岩手県山彦市本町二丁目3番4号")
    application = _receive(resident)
    assert (application.resident_id, application.household_id) == (1001, 501)
    assert (application.name, application.kana) == ("山田\u3000太郎", "ヤマダ\u3000タロウ")
    assert application.birth_date == date(1980, 5, 6) and application.address == "岩手県山彦市本町二丁目3番4号"
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "resident")).all()
    assert [(e.action, e.object_id) for e in reads] == [("read", "1001")]


def test_only_a_person_in_the_registry_may_apply(app, applicant) -> None:
    with pytest.raises(SealError, match="住民記録から") as unknown:
        _receive(4242)
    assert unknown.value.field == "resident_id"
    moved_out = applicant(1002, 502, "山田 次郎", status="moved_out")
    with pytest.raises(SealError, match="転出のため印鑑登録ができません"):
        _receive(moved_out)


def test_the_household_rule_follows_the_registry_household(app, applicant) -> None:
    first = _ready(_receive(applicant(1001, 501)))
    services.approve(first, today=TODAY, by=reviewer())
    # the same seal in another household is fine at reception ...
    other = _ready(_receive(applicant(1002, 502, "山田 花子")))
    assert other.check_ok, other.check_result
    # ... but she joins the first household before the city decides: refused at approval
    registry.apply_move(MoveOrder(kind="move_within", moved_on=TODAY, notified_on=TODAY, member_ids=(1002,),
                                  join_household_id=501), "テスト", by=None)
    with pytest.raises(SealError, match="同じ世帯の山田\u3000太郎さんの登録印と同一または類似"):
        services.approve(other, today=TODAY, by=reviewer())


def test_the_record_takes_the_registry_record_at_approval(app, applicant) -> None:
    application = _ready(_receive(applicant(1001, 501)))
    registry.apply_move(MoveOrder(kind="move_within", moved_on=TODAY, notified_on=TODAY, member_ids=(1001,),
                                  postal_code="0290001", address="岩手県山彦市川原町5番6号"), "テスト", by=None)
    record = services.approve(application, today=TODAY, by=reviewer())
    assert record is not None and record.address == "岩手県山彦市川原町5番6号"
    assert application.address == "岩手県山彦市本町二丁目3番4号"  # the application keeps what was received


@pytest.fixture
def seal_case(app, make_user):  # type: ignore[no-untyped-def]
    catalog.load()
    operator = make_user("operator", "op-case")

    def make(code: str = "seal_registration"):  # type: ignore[no-untyped-def]
        return counter.open_visit("山田 太郎", [code], operator).cases[0]

    return make


def test_an_application_opened_from_a_seal_case_keeps_it(app, applicant, seal_case) -> None:
    case = seal_case()
    application = _receive(applicant(), case_id=case.id)
    assert application.case_id == case.id and application.case is case
    assert services.applications_for_case(case.id) == [application]
    with pytest.raises(SealError, match="印鑑登録の窓口案件"):
        _receive(applicant(1002, 501, "山田 花子"), case_id=seal_case("resident_record_copy").id)


def test_an_abolition_opened_from_a_case_keeps_it(app, applicant, seal_case) -> None:
    record = services.approve(_ready(_receive(applicant())), today=TODAY, by=reviewer())
    case = seal_case("seal_abolition")
    abolition = services.open_abolition(record, AbolitionInput("abolition", "self", "passport", case_id=case.id),
                                        by=clerk())
    assert abolition.case_id == case.id


def test_a_certificate_opens_a_bill_and_its_payment_and_void_come_back(app, applicant, fees, make_user) -> None:
    record = services.approve(_ready(_receive(applicant())), today=TODAY, by=reviewer())
    certificate = certificates.issue_certificate(CertificateInput(record.card_number, 3), today=TODAY, by=clerk())
    bill = certificates.certificate_bill(certificate)
    assert bill is not None and (bill.source_type, bill.source_id, bill.state) == (
        "seal_certificate", str(certificate.id), "open")
    assert bill.visitor_label == "山田\u3000太郎"
    assert [(line.fee_code, line.quantity, line.official) for line in bill.lines] == [("seal_certificate", 3, False)]
    assert register.quote_bill(bill).total == certificate.amount == 900
    db.session.commit()

    terminal, _ = device_services.create_terminal(device_services.NewTerminal("register-seal", "会計 レジ", "register"))
    cashier = make_user("operator", "cashier")
    payment = register.take_payment(bill.id, terminal, register.PaymentInput("cash", 1000, uuid.uuid4().hex),
                                    cashier).payment
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SealCertificate, certificate.id).payment_id == payment.id
    updates = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "seal_certificate", AuditEntry.action == "update")).all()
    assert [e.detail for e in updates] == [f"手数料収納 領収番号{payment.receipt_no}"]

    supervisor = make_user("supervisor", "chief")
    register.approve_void(register.request_void(payment, terminal, cashier, "通数の誤り"), supervisor)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SealCertificate, certificate.id).payment_id is None
    assert db.session.get(type(bill), bill.id).state == "open"
    assert db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "seal_certificate", AuditEntry.action == "update")).all()[-1] == (
        f"手数料収納の取消 領収番号{payment.receipt_no}（未収納に戻す）")


def test_a_cancelled_certificate_bill_is_recorded_on_the_certificate(app, applicant, fees, make_user) -> None:
    record = services.approve(_ready(_receive(applicant())), today=TODAY, by=reviewer())
    certificate = certificates.issue_certificate(CertificateInput(record.card_number, 1), today=TODAY, by=clerk())
    register.cancel_bill(certificates.certificate_bill(certificate), "会計前に帰られた",
                         make_user("supervisor", "chief"))
    db.session.commit()
    assert certificates.certificate_bill(certificate).state == "cancelled"
    assert db.session.get(SealCertificate, certificate.id).payment_id is None
    assert db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "seal_certificate", AuditEntry.object_id == str(certificate.id))).all()[-1] == (
        "手数料請求の取消：会計前に帰られた（supervisor 太郎）")


def test_without_a_fee_schedule_no_certificate_is_issued(app, applicant) -> None:
    record = services.approve(_ready(_receive(applicant())), today=TODAY, by=reviewer())
    with pytest.raises(SealError, match="会計へ送れませんでした"):
        certificates.issue_certificate(CertificateInput(record.card_number, 1), today=TODAY, by=clerk())
    db.session.rollback()
    assert db.session.scalar(select(SealCertificate)) is None


# --- the pages ---------------------------------------------------------------------------------

def test_the_operator_picks_the_applicant_from_a_registry_search(app, client, login_as, applicant) -> None:
    applicant(1001, 501, "山田 太郎")
    applicant(1002, 502, "佐藤 花子", kana="サトウ ハナコ")
    db.session.commit()
    login_as("operator")
    page = client.get("/seal/applications/new").get_data(as_text=True)
    assert 'name="kana"' in page and "受け付ける" not in page  # nothing to receive before a pick

    rows = client.get("/seal/applications/new?kana=やまだ", headers={"HX-Request": "true",
                                                                   "HX-Target": "resident-rows"})
    body = rows.get_data(as_text=True)
    assert rows.status_code == 200 and "HX-Request" in rows.headers["Vary"]
    assert "<html" not in body and "山田\u3000太郎" in body and "佐藤" not in body
    assert "/seal/applications/new?resident_id=1001" in body
    searches = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "resident_search")).all()
    assert len(searches) == 1 and "印鑑登録申請の申請者検索" in searches[0].detail

    by_birth = client.get("/seal/applications/new?birth_date=1980-05-06").get_data(as_text=True)
    assert "山田\u3000太郎" in by_birth and "佐藤\u3000花子" in by_birth

    chosen = client.get("/seal/applications/new?resident_id=1001").get_data(as_text=True)
    assert 'id="applicant-name">山田\u3000太郎（ヤマダ\u3000タロウ）' in chosen and "受け付ける" in chosen
    assert client.post("/seal/applications/new", data={"resident_id": "1001", "applicant_kind": "self",
                                                       "identity_path": "photo_id",
                                                       "id_document": "passport"}).status_code == 303
    assert db.session.scalar(select(SealApplication.name)) == "山田\u3000太郎"


def test_typed_applicant_details_are_ignored(app, client, login_as, applicant) -> None:
    applicant(1001, 501, "山田 太郎")
    db.session.commit()
    login_as("operator")
    client.post("/seal/applications/new", data={"resident_id": "1001", "name": "別人 太郎", "household_id": "9",
                                                "applicant_kind": "self", "identity_path": "photo_id",
                                                "id_document": "passport"})
    application = db.session.scalar(select(SealApplication))
    assert (application.name, application.household_id) == ("山田\u3000太郎", 501)


def test_case_and_application_link_to_each_other(app, client, login_as, applicant, seal_case) -> None:
    applicant()
    case = seal_case()
    db.session.commit()
    login_as("operator")
    case_page = client.get(f"/counter/cases/{case.id}").get_data(as_text=True)
    assert f"/seal/applications/new?case_id={case.id}" in case_page
    new = client.get(f"/seal/applications/new?case_id={case.id}&resident_id=1001").get_data(as_text=True)
    assert f'name="case_id" type="hidden" value="{case.id}"' in new and 'id="seal-case"' in new
    response = client.post("/seal/applications/new", data={**_form(), "case_id": str(case.id)})
    assert response.status_code == 303
    application = db.session.scalar(select(SealApplication))
    assert application.case_id == case.id
    shown = client.get(f"/seal/applications/{application.id}").get_data(as_text=True)
    assert f'href="/counter/cases/{case.id}"' in shown and f"{case.id:06d}（印鑑登録申請）" in shown
    case_page = client.get(f"/counter/cases/{case.id}").get_data(as_text=True)
    assert f'href="/seal/applications/{application.id}"' in case_page and "受付番号" in case_page


def test_a_case_of_another_procedure_is_not_linked(app, client, login_as, applicant, seal_case) -> None:
    applicant()
    other = seal_case("resident_record_copy")
    db.session.commit()
    login_as("operator")
    page = client.get(f"/seal/applications/new?case_id={other.id}&resident_id=1001").get_data(as_text=True)
    assert "印鑑登録の窓口案件から開いてください" in page
    client.post("/seal/applications/new", data={**_form(), "case_id": str(other.id)})
    assert db.session.scalar(select(SealApplication.case_id)) is None
    assert "seal-applications" not in client.get(f"/counter/cases/{other.id}").get_data(as_text=True)


def _form() -> dict[str, str]:
    return {"resident_id": "1001", "applicant_kind": "self", "identity_path": "photo_id", "id_document": "passport"}


def test_a_seal_case_is_issued_only_after_city_staff_approved_its_application(
        app, applicant, fees, seal_case, make_user) -> None:
    from app.counter.cases import CaseError
    from app.counter.checks import CheckInput

    operator = make_user("operator", "op-issue")
    case = seal_case()
    checks.save_checks(case, CheckInput(requester_name="山田 太郎", identity_docs=["passport"], content_checked=True,
                                        documents_checked=list(case.procedure.documents)), operator)
    checks.confirm_checks(case, operator)
    inputs.save_input(case, {"route": "same_day", "seal_text": "山田"}, operator)
    inputs.finish_input(case, operator)  # no second review at the counter: the seal review is the city's
    with pytest.raises(CaseError) as none_yet:
        issue.issue(case, operator)
    assert "まだ受け付けられていません" in none_yet.value.problems[0].message
    application = _ready(_receive(applicant(), case_id=case.id))
    with pytest.raises(CaseError) as waiting:
        issue.issue(case, operator)
    reason = waiting.value.problems[0].message
    assert f"受付番号{application.id}" in reason and "審査待ち" in reason
    assert case.state == "issue"
    services.approve(application, today=TODAY, by=reviewer())
    issue.issue(case, operator)
    assert case.state in ("payment", "done")
