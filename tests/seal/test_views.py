"""The pages, through the test client: counter → city review → certificate, refusals shown."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.extensions import db
from app.seal.models import SealApplication, SealCertificate, SealRecord
from tests.conftest import PASSWORD
from tests.seal.conftest import clerk, reviewer, seal

# the applicant is resident 1001 of the registry (the `applicant` fixture makes them)
FORM = {"resident_id": "1001", "applicant_kind": "self", "proxy_name": "", "identity_path": "photo_id",
        "id_document": "driver_license"}


def _png(image) -> io.BytesIO:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _switch(client, make_user, role: str) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout")
    user = make_user(role)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_register_review_and_issue_through_the_pages(app, client, login_as, make_user, city, applicant,
                                                     fees) -> None:
    applicant()
    login_as("operator")
    response = client.post("/seal/applications/new", data=FORM)
    assert response.status_code == 303
    application = db.session.scalar(select(SealApplication))
    url = f"/seal/applications/{application.id}"

    small = client.post(f"{url}/upload", data={"dpi": "600", "image": (_png(seal(7.0)), "small.png")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "この印影は登録できません" in small.get_data(as_text=True)
    assert "小さすぎます" in small.get_data(as_text=True)

    good = client.post(f"{url}/upload", data={"dpi": "600", "image": (_png(seal(15.0)), "ok.png")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "登録できる印影です" in good.get_data(as_text=True)
    assert client.get(f"{url}/image.png").mimetype == "image/png"
    client.post(f"{url}/confirm", data={"confirm_name": "y", "confirm_not_rubber": "y", "confirm_no_title": "y"})
    assert client.post(f"{url}/review-request").status_code == 303
    assert client.post(f"{url}/approve").status_code == 403  # only city staff approve

    _switch(client, make_user, "city_staff")
    assert "山田\u3000太郎" in client.get("/seal/reviews").get_data(as_text=True)
    approved = client.post(f"{url}/approve", follow_redirects=True)
    assert "承認しました" in approved.get_data(as_text=True)
    record = db.session.scalar(select(SealRecord))
    assert record.card_number in approved.get_data(as_text=True)

    _switch(client, make_user, "supervisor")
    refused = client.post("/seal/certificates/new", data={"card_number": "000000000", "copies": "1"})
    assert refused.status_code == 422 and "ありません" in refused.get_data(as_text=True)
    issued = client.post("/seal/certificates/new", data={"card_number": record.card_number, "copies": "2"})
    assert issued.status_code == 303
    certificate = db.session.scalar(select(SealCertificate))
    assert certificate.amount == 600
    pdf = client.get(f"/seal/certificates/{certificate.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_refused_application_shows_the_field_and_saves_nothing(app, client, login_as, applicant) -> None:
    from datetime import date

    applicant(birth_date=date(2020, 1, 1))
    login_as("operator")
    response = client.post("/seal/applications/new", data=FORM)
    assert response.status_code == 422 and "15歳未満" in response.get_data(as_text=True)
    assert db.session.scalar(select(SealApplication)) is None


def test_compare_page_shows_score_and_images(app, client, login_as, city, applicant) -> None:
    from datetime import date

    from app.seal import services

    application = services.open_registration(services.RegistrationInput(
        applicant(1, 1, "山田 太郎", kana="ヤマダ タロウ", birth_date=date(1980, 1, 1), address="山彦市"),
        applicant_kind="self", identity_path="photo_id", id_document="passport"), today=date(2026, 4, 1), by=clerk())
    services.attach_impression(application, seal(15.0, seed=1), 600, "テスト", by=clerk())
    services.confirm(application, services.Confirmation(True, True, True), by=clerk())
    services.request_review(application, by=clerk())
    record = services.approve(application, today=date(2026, 4, 1), by=reviewer())
    db.session.commit()
    login_as("operator")
    response = client.post("/seal/compare", data={
        "card_number": record.card_number, "source": "upload", "dpi": "600",
        "image": (_png(seal(15.0, seed=1, rotation_deg=33)), "p.png")}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert 'id="score"' in body and body.count("data:image/png;base64,") == 2
    turned = re.search(r"回転 (-?[\d.]+)°", body)
    assert turned is not None and abs(float(turned.group(1)) + 33) <= 1.0


def _inquiry_application(applicant) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from app.seal import services

    application = services.open_registration(services.RegistrationInput(
        applicant(), applicant_kind="self", identity_path="inquiry"), today=date(2020, 1, 6), by=clerk())
    services.send_inquiry(application, today=date(2020, 1, 6), by=clerk())  # long overdue today
    db.session.commit()
    return application.id


def test_a_late_reply_closes_the_application_and_that_stays(app, client, login_as, applicant) -> None:
    application_id = _inquiry_application(applicant)
    login_as("operator")
    db.session.rollback()
    response = client.post(f"/seal/applications/{application_id}/reply", data={"id_document": "passport"},
                           follow_redirects=True)
    assert "自動的に終了しました" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(SealApplication, application_id).state == "expired"


def test_a_step_refused_with_a_redirect_changes_nothing(app, client, login_as, applicant) -> None:
    from app.auth.models import AuditEntry

    application_id = _inquiry_application(applicant)
    login_as("operator")
    before = db.session.scalars(select(AuditEntry.id)).all()
    db.session.rollback()
    response = client.post(f"/seal/applications/{application_id}/review-request", follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "審査を依頼できません" in page
    db.session.rollback()
    assert db.session.get(SealApplication, application_id).state == "inquiry"
    # the refused POST kept nothing, not even its audited read of the application
    reads = db.session.scalars(select(AuditEntry.id).where(AuditEntry.id.not_in(before),
                                                           AuditEntry.action != "login")).all()
    assert len(reads) == 1  # the GET of the page that says why


def test_a_certificate_is_issued_for_a_full_width_card_number(client, login_as, applicant, fees) -> None:
    # issue 15 §5: a full-width 9-digit number was "not found".
    from tests.seal.test_services import approved

    record = approved(applicant())
    login_as("supervisor")
    full_width = record.card_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    issued = client.post("/seal/certificates/new", data={"card_number": f" {full_width} ", "copies": "２"})
    assert issued.status_code == 303
    assert db.session.scalar(select(SealCertificate)).amount == 600
