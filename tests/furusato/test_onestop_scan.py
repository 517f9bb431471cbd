"""A page of a paper one-stop application read from the counter terminal's scanner through the
real agent and the scanner simulator: the job is queued at once, answered by the agent, taken
once, and the page attached encrypted; the job row keeps no image."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy import select

from app.devices import jobs
from app.devices import services as devices
from app.devices.models import DeviceJob
from app.extensions import db
from app.furusato.onestop import applications, scans, vault
from app.furusato.onestop.models import OneStopApplication, OneStopImage
from hardware.scanner.simulator import clear_slot, place_image
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, YEAR, form, paid_donation
from tests.live import polling_agent

SLOT = "onestop-scan"


@pytest.fixture
def scanner(app, furusato) -> Iterator[int]:
    terminal, token = devices.create_terminal(devices.NewTerminal(SLOT, "ふるさと納税 受付端末", "counter_pc"))
    devices.save_binding(terminal, devices.BindingInput("scanner", "scanner", f"sim://{SLOT}?dpi=300"))
    db.session.commit()
    terminal_id = terminal.id
    with polling_agent(app, token, terminal_id):
        yield terminal_id
    clear_slot(SLOT)


def test_a_scanned_page_is_attached_encrypted_and_leaves_nothing_in_the_job(scanner, make_user) -> None:
    clerk = make_user("operator", "clerk1", number_handler=True)
    paid_donation(PEOPLE[0], 10_000)
    application = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=clerk)
    db.session.commit()
    place_image(SLOT, Image.new("RGB", (240, 340), "white"))
    job = scans.start_scan(application, scans.scanner_terminal(scanner), by=clerk)
    db.session.commit()
    job_id, deadline = job.id, time.monotonic() + 20
    while scans.scan_status(db.session.get_one(DeviceJob, job_id, populate_existing=True)).waiting:
        db.session.rollback()
        assert time.monotonic() < deadline, "the scan was never answered"
        time.sleep(0.1)
    job = scans.scan_job(job_id, application, by=clerk)
    assert job is not None and scans.scan_status(job).ready
    image = scans.attach_scan(application, job, by=clerk)
    db.session.commit()
    assert image.mime == "image/png" and b"PNG" not in image.cipher
    assert vault.open_bytes(image.cipher).startswith(b"\x89PNG")
    assert applications.open_image(image, by=clerk).startswith(b"\x89PNG")
    assert db.session.scalars(select(DeviceJob.result)).all() == [jobs.TAKEN]
    assert db.session.scalars(select(OneStopImage.application_id)).all() == [application.id]


def test_a_terminal_without_a_scanner_is_refused_by_name(furusato) -> None:
    with pytest.raises(applications.OneStopError) as refused:
        scans.scanner_terminal(999)
    assert refused.value.field == "terminal_id"


def _typed(person, number, **extra) -> dict:
    name, kana, birth, phone, postal, address = person
    return {"tax_year": str(YEAR), "name": name, "kana": kana, "birth_date": birth.isoformat(), "gender": "男",
            "postal_code": postal, "address": address, "phone": phone, "email": "donor@example.jp", "number": number,
            "documents": ["card_front", "card_back"], "declared_no_return": "y", "declared_five_or_fewer": "y",
            "form_complete": "y", **extra}


def test_the_intake_page_receives_then_reads_the_page_from_the_scanner(scanner, client, login_as) -> None:
    login_as("operator", number_handler=True)
    paid_donation(PEOPLE[0], 10_000)
    db.session.commit()
    place_image(SLOT, Image.new("RGB", (240, 340), "white"))
    answer = client.post("/furusato/onestop/new", data=_typed(PEOPLE[0], NUMBERS[0], scan="1", terminal_id=scanner))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    scan_page = answer.headers["Location"]
    application_id = int(scan_page.split("/onestop/")[1].split("/")[0])
    assert "scan-status" in client.get(scan_page).get_data(as_text=True)  # answered at once, the job queued
    deadline = time.monotonic() + 20
    fragment = {"HX-Request": "true"}
    while 'data-phase="waiting"' in (part := client.get(scan_page, headers=fragment).get_data(as_text=True)):
        assert time.monotonic() < deadline, "the scan was never answered"
        time.sleep(0.2)
    assert 'data-phase="ready"' in part and "申請書を確認しています" in part
    taken = client.post(scan_page.split("#")[0])
    assert taken.status_code == 303 and taken.headers["Location"].startswith(f"/furusato/onestop/{application_id}")
    db.session.rollback()
    (image,) = db.session.scalars(select(OneStopImage)).all()
    assert image.application_id == application_id and b"PNG" not in image.cipher
    page = client.get(f"/furusato/onestop/{application_id}").get_data(as_text=True)
    assert "申請書の画像（1枚）" in page and "申請書を読み取り、画像を暗号化して添付しました" in page


def test_a_scan_asked_for_without_a_scanner_is_refused_in_japanese_and_nothing_is_received(
        furusato, client, login_as) -> None:
    login_as("operator", number_handler=True)
    answer = client.post("/furusato/onestop/new", data=_typed(PEOPLE[0], NUMBERS[0], scan="1", terminal_id="999"))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "スキャナのある端末を選んでください" in body
    assert 'value="佐々木 健"' in body and NUMBERS[0] not in body
    assert db.session.scalar(select(OneStopApplication.id)) is None


def test_a_failed_scan_on_the_application_page_says_why_in_japanese(scanner, client, login_as) -> None:
    clerk = login_as("operator", number_handler=True)
    application = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=clerk)
    db.session.commit()
    clear_slot(SLOT)  # nothing on the scanner
    answer = client.post(f"/furusato/onestop/{application.id}/scan", data={"terminal_id": scanner})
    assert answer.status_code == 303
    scan_page, deadline = answer.headers["Location"].split("#")[0], time.monotonic() + 20
    fragment = {"HX-Request": "true"}
    while 'data-phase="waiting"' in (part := client.get(scan_page, headers=fragment).get_data(as_text=True)):
        assert time.monotonic() < deadline, "the scan was never answered"
        time.sleep(0.2)
    assert 'data-phase="failed"' in part and "読み取りできませんでした" in part
    assert "申請書をスキャナに置き直して" in part
    db.session.rollback()
    assert db.session.scalars(select(OneStopImage)).all() == []
