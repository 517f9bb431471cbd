"""One visitor's whole visit in Chromium, across the queue, the counter and the register, with
every device simulated behind a real agent:

- issue 5: the ticket is called at a counter → the My Number card is read (PIN typed by the
  visitor on the pad that faces them, issue 15 §1) → a 住民票の写し request goes through the
  checks → city staff return it once, then approve → issue with the certificate PDF → the number is sent to the cashier;
- issue 6: the number is called onto the cashier display from /register → paid in cash → the
  receipt comes out of the register's printer and shows on /devices/sim → the daily close
  balances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import services as core
from app.counter import catalog
from app.counter.models import Case
from app.demo import DEMO_CITY
from app.devices import services as devices
from app.devices.models import Terminal
from app.devices.simulation import bind_simulators
from app.extensions import db
from app.queue import services as queue
from app.queue.models import Ticket
from app.register.fees import seed_default_fees
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from hardware.printer import SimulatedPrinter, simulated_printer
from tests.browser.conftest import expect_call, open_display, open_pin_pad, type_pin
from tests.live import LiveServer, start_agent, wait_connected
from tests.registry.factories import DEFAULT_ADDRESS, yamabiko_family

pytestmark = pytest.mark.browser
COUNTER_PC, REGISTER = "counter-visit", "register-visit"
CARD_PIN = "4321"
MY_NUMBER = make_my_number("11122233344")


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"DEMO_MODE": True}  # every member of staff may open /devices/sim, as in `make run`


@dataclass(frozen=True)
class Office:
    ticket_id: int
    receipt_printer: SimulatedPrinter


@pytest.fixture
def office(live_app: Flask, live_server: LiveServer) -> Iterator[Office]:
    """The demo city with its catalog, fees and a registry household; counter 4 with its PC
    (card reader, call board, printer) and a register, each with a real agent polling the live
    server; one 証明書 ticket waiting."""
    with live_app.app_context():
        core.save_municipality(DEMO_CITY)
        catalog.load()
        seed_default_fees(date(2020, 4, 1))
        yamabiko_family()
        desk = core.save_counter(None, 4, "証明書", "citizens")
        category = queue.save_category(None, queue.CategoryInput(
            code="certificate", name="証明書", letter="A", counter_ids=(desk.id,), minutes_per_ticket=5,
            sort_order=1))
        devices.create_terminal(devices.NewTerminal(COUNTER_PC, "4番窓口 端末", "counter_pc", desk.id))
        devices.create_terminal(devices.NewTerminal(REGISTER, "会計 レジ", "register"))
        ticket = queue.issue_ticket(category, check_hours=False)
        db.session.commit()
        ticket_id = ticket.id
        tokens = bind_simulators()
    printer = simulated_printer(REGISTER)
    printer.clear()
    stops = [start_agent(live_server.url, tokens[code])[1] for code in (COUNTER_PC, REGISTER)]
    with live_app.app_context():  # card reads need the counter's agent key
        wait_connected(db.session.scalars(select(Terminal.id).where(Terminal.code == COUNTER_PC)).one())
    yield Office(ticket_id, printer)
    remove_card(COUNTER_PC)
    for stop in stops:
        stop()


def _logout(page: Any) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login**")


def _state(page: Any) -> str:
    return page.locator("#case-state").inner_text()


def _ticket_state(live_app: Flask, ticket_id: int) -> str:
    with live_app.app_context():
        return db.session.get_one(Ticket, ticket_id).state


def test_a_visit_from_the_ticket_to_the_daily_close(page, screen, live_app, live_server, live_user, browser_login,
                                                    office: Office, shots: Path) -> None:
    operator, city = live_user("operator", "op"), live_user("city_staff", "city")
    cashier_display = open_display(screen, f"{live_server.url}/displays/cashier")

    # -- issue 5: the counter ------------------------------------------------------------------
    browser_login(operator)
    pad = open_pin_pad(page, f"{live_server.url}/devices/pad")  # the screen that faces the visitor
    case_url = _receive_at_counter_4(page, live_server)
    _read_the_card(page, pad, shots)
    pad.close()
    _check_and_enter(page)
    _logout(page)
    _city_staff_return_it(page, browser_login, city)
    _the_operator_corrects_it(page, browser_login, operator)
    _city_staff_approve(page, browser_login, city, case_url)
    _issue_to_the_cashier(page, browser_login, operator, case_url, live_app, live_server, office, cashier_display,
                          shots)

    # -- issue 6: the register -----------------------------------------------------------------
    browser_login(live_user("operator", "cashier"))
    receipt_number = _pay_at_the_register(page, live_server, cashier_display, shots)
    _the_receipt_is_printed(page, live_server, office, receipt_number, shots)
    page.goto(case_url)
    assert _state(page) == "完了"
    assert _ticket_state(live_app, office.ticket_id) == "finished"
    _close_the_day(page, live_server, shots)

    with live_app.app_context():
        case = db.session.scalar(select(Case))
        assert [e.action for e in case.events if e.action in ("card_read", "return", "approve")] == [
            "card_read", "return", "approve"]
        assert case.visit.ticket_id == office.ticket_id


def _receive_at_counter_4(page: Any, live_server: LiveServer) -> str:
    """The ticket is called at counter 4, and the visitor received for a 住民票の写し."""
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="4番窓口　証明書")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    page.get_by_role("button", name="次の方を呼出").click()
    assert page.locator("#current-label").inner_text() == "A-001"

    # the called ticket offers its category's procedures; the full reception is one link away
    page.locator("#ticket-reception").get_by_role("link", name="ほかの手続・複数の手続で受付").click()
    assert "呼出中の番号札 A-001 の方として受け付けます" in page.locator("#reception-ticket").inner_text()
    assert page.locator("#ticket-procedures").get_by_label("住民票の写しの交付").is_visible()
    page.go_back()
    page.locator("#ticket-reception").get_by_role("button", name="住民票の写しの交付").click()
    page.get_by_text("受付しました（1件）").wait_for()
    assert (_state(page), page.locator("#case-ticket").inner_text()) == ("受付", "A-001")
    assert "番号札 A-001 の方" in page.content()  # no name typed: the card gives it
    return page.url.split("/card/")[0].split("#")[0]


def _read_the_card(page: Any, pad: Any, shots: Path) -> None:
    """The visitor puts the card on counter 4's reader and types the PIN on the pad that faces
    them (the read was started at reception); a wrong PIN first, then the right one."""
    holder = Person("山彦\u3000太郎", DEFAULT_ADDRESS, date(1980, 5, 5), "1", MY_NUMBER)
    insert_card(COUNTER_PC, holder, CARD_PIN)
    page.locator("#card-pin-wait").wait_for()
    type_pin(pad, "9999")
    page.locator("#card-error").wait_for(timeout=30_000)
    assert "あと2回" in page.locator("#card-error").inner_text()
    page.get_by_role("button", name="もう一度読み取る").click()
    pad.locator(".pad-tries", has_text="あと2回").wait_for()
    type_pin(pad, CARD_PIN)
    page.locator("#card-done").wait_for(timeout=30_000)
    assert "山彦 太郎 様" in page.content() or "山彦\u3000太郎 様" in page.content()  # the name from the card
    assert _state(page) == "確認"
    assert page.get_by_label("個人番号カード", exact=False).first.is_checked()  # a verified card is photo ID
    body = page.content()
    assert MY_NUMBER not in body and CARD_PIN not in body
    page.screenshot(path=str(shots / "visit-1-card-read.png"), full_page=True)


def _check_and_enter(page: Any) -> None:
    """The checks: the card stands as photo ID; the content and the request form still need
    ticking. Then the request is entered and sent to review."""
    page.get_by_role("button", name="確認完了（入力へ）").click()
    page.locator("#problems").wait_for()
    assert "何も保存されていません" in page.locator("#problems").inner_text()
    page.get_by_label("請求書・届書の記載内容を点検した").check()
    page.get_by_label("交付請求書").check()
    page.get_by_role("button", name="確認完了（入力へ）").click()
    page.get_by_text("確認が済みました").wait_for()
    assert _state(page) == "入力"

    assert page.locator("#f-copies").input_value() == "1"  # the default
    page.locator("#f-scope").select_option("household")
    page.get_by_label("世帯主・続柄を記載する").check()
    page.locator("#f-purpose").fill("勤務先へ提出")
    page.get_by_role("button", name="保存して審査依頼").click()
    page.get_by_text("審査を依頼しました").wait_for()
    assert _state(page) == "審査依頼"


def _city_staff_return_it(page: Any, browser_login: Any, city: Any) -> None:
    browser_login(city)
    page.locator("nav.side-nav").get_by_role("link", name="案件一覧・審査").click()
    page.locator("#case-rows").get_by_role("link").first.click()
    page.get_by_role("button", name="審査開始").click()
    page.get_by_text("審査開始しました").wait_for()
    page.get_by_label("差戻しの理由").fill("通数は2通の請求です。請求書を確認してください。")
    page.get_by_role("button", name="差し戻す").click()
    page.get_by_text("差戻ししました").wait_for()
    _logout(page)


def _the_operator_corrects_it(page: Any, browser_login: Any, operator: Any) -> None:
    """The operator corrects it from the returned list."""
    browser_login(operator)
    page.locator("nav.side-nav").get_by_role("link", name="案件一覧・審査").click()
    page.get_by_role("link", name="差戻し").click()
    # the tab is boosted: wait for the returned list before opening its first case
    page.locator('nav.tabs a[aria-current="page"]', has_text="差戻し").wait_for()
    page.locator("#case-rows").get_by_role("link").first.click()
    assert "通数は2通の請求です" in page.locator(".returned").inner_text()
    page.locator("#f-copies").fill("2")
    page.get_by_role("button", name="保存して審査依頼").click()
    page.get_by_text("審査を依頼しました").wait_for()
    _logout(page)


def _city_staff_approve(page: Any, browser_login: Any, city: Any, case_url: str) -> None:
    browser_login(city)
    page.goto(case_url)
    page.get_by_role("button", name="審査開始").click()
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("承認しました").wait_for()
    _logout(page)


def _issue_to_the_cashier(page: Any, browser_login: Any, operator: Any, case_url: str, live_app: Flask,
                          live_server: LiveServer, office: Office, cashier_display: Any, shots: Path) -> None:
    """Issue with the certificate, and the number goes to the cashier."""
    browser_login(operator)
    page.goto(case_url)
    assert _state(page) == "交付"
    pdf = page.request.get(live_server.url + page.locator("#certificate-link").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (shots / "visit-juminhyo.pdf").write_bytes(pdf.body())
    page.get_by_role("button", name="交付して会計へ").click()
    page.get_by_text("番号札 A-001 の方を会計待ちにしました").wait_for()
    assert (_state(page), page.locator("#fee-total").inner_text()) == ("会計", "600円")
    cashier_display.locator(".waiting-numbers li", has_text="A-001").wait_for()
    assert _ticket_state(live_app, office.ticket_id) == "cashier_waiting"
    page.screenshot(path=str(shots / "visit-2-sent-to-cashier.png"), full_page=True)
    _logout(page)


def _pay_at_the_register(page: Any, live_server: LiveServer, cashier_display: Any, shots: Path) -> str:
    """The number is called onto the cashier display from /register and paid in cash; the
    receipt number is returned."""
    page.goto(f"{live_server.url}/register")
    page.get_by_role("button", name="次の方を呼ぶ（会計呼出表示へ）").click()
    page.get_by_text("A-001番の方を会計 レジへお呼びしました").wait_for()
    expect_call(cashier_display, "A-001", "会計 レジ", "Aの1番の方、会計 レジへお越しください")
    cashier_display.screenshot(path=str(shots / "visit-3-cashier-display.png"))

    assert page.locator("#bill-heading .big-ticket").inner_text() == "A-001"
    assert page.locator("#bill-total").inner_text() == "600円"
    page.get_by_label("お預かり金額（円）").fill("1000")
    page.get_by_role("button", name="収納してレシートを印刷").click()
    page.get_by_role("heading", name="収納しました").wait_for()
    assert page.locator("#change").inner_text() == "400円"
    receipt_number = page.locator("#receipt-number").inner_text()
    page.screenshot(path=str(shots / "visit-4-paid.png"), full_page=True)
    return receipt_number


def _the_receipt_is_printed(page: Any, live_server: LiveServer, office: Office, receipt_number: str,
                            shots: Path) -> None:
    """The receipt comes out of the register's printer and shows on /devices/sim."""
    printed = office.receipt_printer.wait_for_pages(1, timeout=30)[0]
    assert "領　収　書" in printed.text_lines and f"領収番号 {receipt_number}" in printed.text_lines
    assert printed.drawer_kicks == [2]
    page.goto(f"{live_server.url}/devices/sim")
    receipt = page.locator(f"figure.paper img[alt*='{receipt_number}']")
    receipt.wait_for()
    alt = receipt.get_attribute("alt") or ""
    assert "住民票の写し" in alt and "600円" in alt and "お釣り" in alt and "400円" in alt
    page.screenshot(path=str(shots / "visit-5-devices-sim.png"), full_page=True)


def _close_the_day(page: Any, live_server: LiveServer, shots: Path) -> None:
    """The daily close balances."""
    page.goto(f"{live_server.url}/register/close")
    assert page.locator("#expected-cash").inner_text() == "600円"
    page.get_by_label("500円硬貨（枚）").fill("1")
    page.get_by_label("100円硬貨（枚）").fill("1")
    page.get_by_label("翌日の釣銭準備金（円）").fill("0")
    page.get_by_role("button", name="日計を締める", exact=True).click()
    confirm = page.get_by_role("button", name="確認して日計を締める")  # the close is confirmed (issue 15 §2)
    confirm.wait_for()
    page.screenshot(path=str(shots / "visit-6-close-confirm.png"), full_page=True)
    confirm.click()
    page.get_by_text("の日計を締めました").wait_for()
    assert page.locator("#close-expected").inner_text() == "600円"
    assert page.locator("#close-counted").inner_text() == "600円"
    assert page.locator("#close-difference").inner_text() == "0円"
    page.screenshot(path=str(shots / "visit-6-closed.png"), full_page=True)
