"""A card read in Chromium with a slow reader (5 s per card, the simulator's slow mode) behind
the counter PC's real agent: the operator starts the read (入力待ち), the visitor types the PIN on
the visitor-facing pad (issue 15 §1), the page shows 読取中 at once and updates by itself when
the agent has read the card: no click, no reload (issue #12 §5)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.core import services as core
from app.counter import catalog
from app.counter import visits as counter
from app.demo import DEMO_CITY
from app.devices import services as devices
from app.devices.models import DeviceJob
from app.extensions import db
from app.register.fees import seed_default_fees
from hardware.card_reader import Person, insert_card, make_my_number, remove_card, slot_state
from tests.browser.conftest import open_pin_pad, type_pin
from tests.live import LiveServer, start_agent, wait_connected
from tests.registry.factories import DEFAULT_ADDRESS, yamabiko_family

pytestmark = pytest.mark.browser
COUNTER_PC = "counter-slow"
PIN = "2468"
MY_NUMBER = make_my_number("55566677788")
READ_SECONDS = 5.0


@pytest.fixture
def counter_pc(live_app: Flask, live_server: LiveServer) -> Iterator[None]:
    """Counter 2 of the demo city with its PC's card reader and the real agent polling."""
    with live_app.app_context():
        core.save_municipality(DEMO_CITY)
        catalog.load()
        seed_default_fees(date(2020, 4, 1))
        yamabiko_family()
        desk = core.save_counter(None, 2, "証明書", "citizens")
        terminal, token = devices.create_terminal(devices.NewTerminal(COUNTER_PC, "2番窓口 端末", "counter_pc",
                                                                      desk.id))
        devices.save_binding(terminal, devices.BindingInput("card_reader", "card_reader", f"sim://{COUNTER_PC}"))
        db.session.commit()
        terminal_id = terminal.id
    _, stop_agent = start_agent(live_server.url, token)
    with live_app.app_context():
        wait_connected(terminal_id)
    yield
    remove_card(COUNTER_PC)
    stop_agent()


def _open_case(live_app: Flask, username: str) -> int:
    with live_app.app_context():
        operator = db.session.scalars(select(User).where(User.username == username)).one()
        case = counter.open_visit("山彦 太郎", ["resident_record_copy"], operator).cases[0]
        db.session.commit()
        return case.id


def test_a_slow_card_read_updates_the_page_by_itself(page, live_app, live_server, live_user, browser_login,
                                                     counter_pc, shots: Path) -> None:
    operator = live_user("operator", "op-slow")
    case_id = _open_case(live_app, operator)
    browser_login(operator)
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="2番窓口　証明書")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    page.goto(f"{live_server.url}/counter/cases/{case_id}")
    assert page.locator("#case-state").inner_text() == "受付"

    insert_card(COUNTER_PC, Person("山彦\u3000太郎", DEFAULT_ADDRESS, date(1980, 5, 5), "1", MY_NUMBER), PIN,
                read_seconds=READ_SECONDS)
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.method) if "/card/" in request.url else None)
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    pad = open_pin_pad(page, f"{live_server.url}/devices/pad")
    assert page.locator("input[name=pin]").count() == 0  # the operator's page has no PIN field
    page.get_by_role("button", name="カードを読み取る").click()
    page.locator("#card-pin-wait").wait_for()  # 入力待ち
    started = time.monotonic()
    type_pin(pad, PIN)
    page.locator("#card-reading", has_text="読取中").wait_for(timeout=3_000)
    answered = time.monotonic() - started
    assert answered < READ_SECONDS  # the PIN did not wait for the reader
    page.screenshot(path=str(shots / "card-read-1-reading.png"), full_page=True)

    page.locator("#card-done").wait_for(timeout=READ_SECONDS * 1000 + 15_000)
    assert time.monotonic() - started >= READ_SECONDS
    assert page.evaluate("window.__sameDocument") is True
    assert polls.count("GET") >= 2 and polls.count("POST") == 1  # polled, then took the result once
    # the pad's own poll brings the result a moment after the operator's page has it
    expect(pad.locator(".pin-pad")).to_contain_text("読み取りました")
    assert page.locator("#case-state").inner_text() == "確認"
    assert page.get_by_label("個人番号カード", exact=False).first.is_checked()
    assert page.url.endswith(f"/counter/cases/{case_id}")
    body = page.content()
    assert MY_NUMBER not in body and PIN not in body
    assert "読取中" not in body
    page.screenshot(path=str(shots / "card-read-2-done.png"), full_page=True)
    assert slot_state(COUNTER_PC)["tries_left"] == 3
    with live_app.app_context():
        assert db.session.scalars(select(DeviceJob.result)).all() == [{"taken": True}]


def test_a_wrong_pin_on_the_slow_reader_comes_back_by_itself(page, live_app, live_server, live_user,
                                                            browser_login, counter_pc) -> None:
    operator = live_user("operator", "op-slow")
    case_id = _open_case(live_app, operator)
    browser_login(operator)
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="2番窓口　証明書")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    page.goto(f"{live_server.url}/counter/cases/{case_id}")
    insert_card(COUNTER_PC, Person("山彦\u3000太郎", DEFAULT_ADDRESS, date(1980, 5, 5), "1", MY_NUMBER), PIN,
                read_seconds=2.0)
    pad = open_pin_pad(page, f"{live_server.url}/devices/pad")
    page.get_by_role("button", name="カードを読み取る").click()
    type_pin(pad, "0000")
    page.locator("#card-error").wait_for(timeout=15_000)
    assert "あと2回間違えるとロックされます" in page.locator("#card-error").inner_text()
    page.get_by_role("button", name="もう一度読み取る").click()  # the pad asks again, with the tries left
    pad.locator('.pin-pad[data-phase="pin"] .pad-tries', has_text="あと2回").wait_for()
    assert page.locator("#case-state").inner_text() == "受付"
