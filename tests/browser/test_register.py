"""The cashier in a real browser: a bill opened through the register's service is paid in cash
at /register, the receipt comes out of the simulated printer (through a real agent) and shows
on /devices/sim, and the daily close balances.

The lead adds the steps before (a counter case sent to the cashier, the ticket called on the
cashier display) once the counter and queue domains are merged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.core import services as core_services
from app.demo import DEMO_CITY
from app.devices import services as device_services
from app.devices.simulation import bind_simulators
from app.extensions import db
from app.register import services
from app.register.fees import Item, seed_default_fees
from hardware.printer import SimulatedPrinter, simulated_printer
from tests.live import LiveServer, start_agent

pytestmark = pytest.mark.browser
REGISTER = "register-browser"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"DEMO_MODE": True}  # every member of staff may open /devices/sim, as in `make run`


@pytest.fixture
def register_printer(live_app: Flask, live_server: LiveServer) -> Iterator[SimulatedPrinter]:
    """The register terminal bound to a simulated TCP printer, with a real agent polling."""
    with live_app.app_context():
        core_services.save_municipality(DEMO_CITY)
        seed_default_fees(date(2020, 4, 1))
        device_services.create_terminal(REGISTER, "会計 レジ", "register")
        db.session.commit()
        token = bind_simulators()[REGISTER]
    printer = simulated_printer(REGISTER)
    printer.clear()
    _, stop_agent = start_agent(live_server.url, token)
    yield printer
    stop_agent()


def test_cash_payment_prints_a_receipt_and_the_day_closes_balanced(
        page, live_app, live_server, live_user, browser_login, register_printer, tmp_path: Path) -> None:
    with live_app.app_context():
        services.open_bill("test", 4201, "山彦 一郎", [Item("resident_record_copy", 2), Item("seal_certificate", 1)],
                           ticket_number="C-201")
        db.session.commit()
    browser_login(live_user("operator"))

    page.goto(f"{live_server.url}/register")
    page.get_by_role("link", name="C-201の会計").click()
    page.locator("#bill-total").filter(has_text="900円").wait_for()
    page.get_by_label("お預かり金額（円）").fill("2000")
    page.screenshot(path=str(tmp_path / "register-bill.png"), full_page=True)
    page.get_by_role("button", name="収納してレシートを印刷").click()
    page.get_by_role("heading", name="収納しました").wait_for()
    assert page.locator("#change").inner_text() == "1,100円"
    receipt_number = page.locator("#receipt-number").inner_text()
    page.screenshot(path=str(tmp_path / "register-paid.png"), full_page=True)

    printed = register_printer.wait_for_pages(1, timeout=30)[0]
    assert "領　収　書" in printed.text_lines and f"領収番号 {receipt_number}" in printed.text_lines
    assert printed.drawer_kicks == [2]

    page.goto(f"{live_server.url}/devices/sim")
    receipt = page.locator(f"figure.paper img[alt*='{receipt_number}']")
    receipt.wait_for()
    alt = receipt.get_attribute("alt") or ""
    assert "領　収　書" in alt and "住民票の写し" in alt and "お釣り" in alt and "1,100円" in alt
    page.screenshot(path=str(tmp_path / "devices-sim.png"), full_page=True)

    page.goto(f"{live_server.url}/register/close")
    assert page.locator("#expected-cash").inner_text() == "900円"
    page.get_by_label("500円硬貨（枚）").fill("1")
    page.get_by_label("100円硬貨（枚）").fill("4")
    page.get_by_label("翌日の釣銭準備金（円）").fill("0")
    page.get_by_role("button", name="日計を締める").click()
    page.get_by_text("の日計を締めました").wait_for()
    assert page.locator("#close-expected").inner_text() == "900円"
    assert page.locator("#close-counted").inner_text() == "900円"
    assert page.locator("#close-difference").inner_text() == "0円"
    page.screenshot(path=str(tmp_path / "register-closed.png"), full_page=True)
