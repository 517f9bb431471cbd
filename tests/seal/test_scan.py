"""スキャナで読み取る, through the counter PC's real agent and the scanner simulator: the POST
answers at once, the page polls the scan, and when the image is there it posts once more to use
it; the job row keeps no image. A failed scan, a timeout and an agent that went away say what to
do, and 印影照合 reads from the scanner the same way."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.devices import jobs
from app.devices import services as devices
from app.devices.models import DeviceJob
from app.extensions import db
from app.seal import services
from app.seal.models import SealApplication
from hardware.scanner.simulator import clear_slot, place_seal
from tests.live import polling_agent
from tests.seal.conftest import clerk, reviewer, seal

SLOT = "counter-scan"
FRAGMENT = {"HX-Request": "true"}
FORM = {"resident_id": "1001", "applicant_kind": "self", "proxy_name": "", "identity_path": "photo_id",
        "id_document": "driver_license"}


@pytest.fixture
def scanner(app, city) -> Iterator[tuple[int, Callable[[], None]]]:
    terminal, token = devices.create_terminal(devices.NewTerminal(SLOT, "4番窓口 端末", "counter_pc"))
    devices.save_binding(terminal, devices.BindingInput("scanner", "scanner", f"sim://{SLOT}?dpi=600"))
    db.session.commit()
    terminal_id = terminal.id
    with polling_agent(app, token, terminal_id) as stop_agent:
        yield terminal_id, stop_agent
    clear_slot(SLOT)


@pytest.fixture
def application_url(client, login_as, applicant, scanner) -> str:
    applicant()
    db.session.commit()
    login_as("operator")
    assert client.post("/seal/applications/new", data=FORM).status_code == 303
    application_id = db.session.scalars(select(SealApplication.id)).one()
    db.session.rollback()
    return f"/seal/applications/{application_id}"


def _start(client, url: str, terminal_id: int) -> str:
    response = client.post(f"{url}/scan", data={"terminal_id": terminal_id})
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"].split("#")[0]
    assert re.fullmatch(rf"{url}/scan/\d+", location)
    return location


def _poll(client, url: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url, headers=FRAGMENT).get_data(as_text=True)
        assert "<html" not in body
        if 'data-phase="waiting"' not in body:
            return body
        assert "読み取り中…" in body
        assert time.monotonic() < deadline, "the scan was never answered"
        time.sleep(0.1)


def _everything() -> list[Any]:
    """Every row of every table, but the terminals' last contact: the scanner's agent polls on
    its own meanwhile, and its heartbeat is not the page's write."""
    db.session.rollback()
    return [sorted(map(tuple, db.session.execute(_without_heartbeat(table)).all()), key=repr)
            for table in db.metadata.sorted_tables]


def _without_heartbeat(table: sa.Table) -> sa.Select[Any]:
    if table.name != "terminals":
        return sa.select(table)
    return sa.select(*(column for column in table.c if column.name != "last_seen_at"))


def test_a_scan_is_polled_then_taken_and_leaves_no_image_in_the_job(client, scanner, application_url) -> None:
    terminal_id, _ = scanner
    place_seal(SLOT, side_mm=15.0, shape="round", text="山田")
    url = _start(client, application_url, terminal_id)
    assert "読み取り中…" in client.get(url).get_data(as_text=True)  # the page the browser lands on
    body = _poll(client, url)
    assert 'data-phase="ready"' in body and f'hx-post="{url}"' in body and 'hx-trigger="load"' in body
    before = _everything()
    client.get(url, headers=FRAGMENT)
    assert _everything() == before  # polling writes nothing

    response = client.post(url)
    assert (response.status_code, response.headers["Location"]) == (303, application_url)
    page = client.get(application_url).get_data(as_text=True)
    assert "登録できる印影です" in page and "15.0mm" in page
    item = db.session.scalars(select(SealApplication)).one()
    assert item.check_ok and item.dpi == 600
    assert db.session.scalars(select(DeviceJob.result)).all() == [jobs.TAKEN]


def test_nothing_on_the_scanner_says_what_to_do(client, scanner, application_url) -> None:
    body = _poll(client, _start(client, application_url, scanner[0]))
    assert 'data-phase="failed"' in body and "読み取りできませんでした" in body
    assert "置き直して、もう一度読み取ってください" in body
    assert db.session.scalars(select(SealApplication.image_png)).one() is None


def test_a_scan_of_a_vanished_agent_times_out_by_a_post(client, scanner, application_url) -> None:
    terminal_id, stop_agent = scanner
    stop_agent()
    place_seal(SLOT, side_mm=15.0, shape="round", text="山田")
    url = _start(client, application_url, terminal_id)
    job = db.session.scalars(select(DeviceJob)).one()
    job.created_at -= jobs.PAGE_WAITS["scan"] + timedelta(seconds=1)
    db.session.commit()
    body = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="overdue"' in body and f'hx-post="{url}/cancel"' in body and 'hx-trigger="load"' in body
    body = client.post(f"{url}/cancel", headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="cancelled"' in body and "エージェントが応答しません" in body
    assert db.session.scalars(select(DeviceJob.state)).all() == ["cancelled"]


def test_a_scan_taken_for_an_application_past_its_counter_steps_is_refused_and_wiped(
        client, scanner, application_url) -> None:
    place_seal(SLOT, side_mm=15.0, shape="round", text="山田")
    url = _start(client, application_url, scanner[0])
    assert 'data-phase="ready"' in _poll(client, url)
    item = db.session.scalars(select(SealApplication)).one()
    item.state = "withdrawn"  # meanwhile the applicant withdrew
    db.session.commit()
    response = client.post(url)
    assert response.status_code == 303
    assert "変更できません" in client.get(application_url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(DeviceJob.result)).all() == [jobs.TAKEN]
    assert db.session.scalars(select(SealApplication.image_png)).one() is None


def test_compare_reads_from_the_scanner_without_waiting(client, login_as, scanner, applicant) -> None:
    application = services.open_registration(services.RegistrationInput(
        applicant(1, 1, "山田 太郎", kana="ヤマダ タロウ", birth_date=date(1980, 1, 1), address="山彦市"),
        applicant_kind="self", identity_path="photo_id", id_document="passport"), today=date(2026, 4, 1), by=clerk())
    services.attach_impression(application, seal(15.0, seed=1), 600, "テスト", by=clerk())
    services.confirm(application, services.Confirmation(True, True, True), by=clerk())
    services.request_review(application, by=clerk())
    record = services.approve(application, today=date(2026, 4, 1), by=reviewer())
    db.session.commit()
    card_number = record.card_number
    login_as("operator")
    place_seal(SLOT, side_mm=15.0, shape="round", text="山田", rotation_deg=20)
    response = client.post("/seal/compare", data={"card_number": card_number, "source": "scanner",
                                                  "terminal_id": scanner[0]})
    assert response.status_code == 303
    url = response.headers["Location"]
    assert re.fullmatch(r"/seal/compare/scan/\d+", url)
    assert 'data-phase="ready"' in _poll(client, url)
    body = client.post(url).get_data(as_text=True)
    assert 'id="score"' in body and body.count("data:image/png;base64,") == 2
    assert card_number in body
    assert db.session.scalars(select(DeviceJob.result)).all() == [jobs.TAKEN]
