"""The cashier's screen in Chromium: the list of open bills follows the register's bill events
(register:bills over Server-Sent Events), so a bill opened at a counter, or one paid at another
register, shows without a reload."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.extensions import db
from app.register import services
from app.register.fees import Item, seed_default_fees
from tests.register.conftest import new_key

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("displays_end")]


@pytest.fixture
def live_register(live_app: Any) -> int:
    from app.devices import services as devices

    with live_app.app_context():
        seed_default_fees(date(2020, 4, 1))
        terminal, _ = devices.create_terminal(devices.NewTerminal("register-live", "会計 レジ", "register"))
        devices.save_binding(terminal, devices.BindingInput("printer", "printer", "sim://register-live"))
        db.session.commit()
        return terminal.id


def _open_bill(live_app: Any, ticket: str) -> int:
    with live_app.app_context():
        bill = services.open_bill("test", ticket, "山彦 一郎", [Item("resident_record_copy", 1)], ticket_number=ticket)
        db.session.commit()
        return bill.id


def _pay_elsewhere(live_app: Any, bill_id: int, terminal_id: int, username: str) -> None:
    from sqlalchemy import select

    from app.auth.models import User
    from app.devices.models import Terminal

    with live_app.app_context():
        cashier = db.session.scalar(select(User).where(User.username == username))
        services.take_payment(bill_id, db.session.get_one(Terminal, terminal_id),
                              services.PaymentInput("cash", 300, new_key()), cashier)
        db.session.commit()


def test_a_new_bill_shows_on_the_open_cashier_screen_without_a_reload(
        page, live_server, live_app, live_user, browser_login, live_register) -> None:
    cashier = live_user("operator", "cashier")
    browser_login(cashier)
    first = _open_bill(live_app, "A-001")
    with page.expect_request("**/register/bills/stream*"):
        page.goto(f"{live_server.url}/register")
    page.locator("#open-bills", has_text="A-001").wait_for()
    page.evaluate("window.__noReload = true")

    _open_bill(live_app, "B-002")  # a case sent to the cashier at a counter
    page.locator("#open-bills", has_text="B-002").wait_for()
    _pay_elsewhere(live_app, first, live_register, cashier)  # another register took A-001's fees
    page.locator("#open-bills .ticket", has_text="A-001").wait_for(state="detached")
    assert page.locator("#open-bills .ticket").all_inner_texts() == ["B-002"]
    assert page.evaluate("window.__noReload") is True


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_every_denomination_of_the_daily_close_can_be_clicked(
        page, live_server, live_app, live_user, browser_login, live_register, size) -> None:
    """Issue 15 §2: 「翌日の釣銭準備金」 was drawn over the 2,000円 and 1,000円 fields, so the
    1,000円 count could not be clicked. Each field is the element at its own centre and takes
    a click (Playwright refuses a click on a covered element)."""
    cashier = live_user("operator", "cashier")
    _pay_elsewhere(live_app, _open_bill(live_app, "A-009"), live_register, cashier)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(cashier)
    page.goto(f"{live_server.url}/register/close")
    counts = page.locator(".counts input")
    assert counts.count() == 10
    for i in range(counts.count()):
        box = counts.nth(i)
        box.scroll_into_view_if_needed()
        assert box.evaluate("el => { const r = el.getBoundingClientRect();"
                            " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"), \
            box.get_attribute("name")
        box.click(timeout=2000)
        box.fill("1")
    next_float = page.get_by_label("翌日の釣銭準備金（円）")
    next_float.click(timeout=2000)


def test_the_bill_offers_the_exact_amount_and_shows_the_change_before_confirming(
        page, live_server, live_app, live_user, browser_login, live_register) -> None:
    """Issue 15 §1: the bill opens with its amount, a ちょうど button, and お預かり shows the change
    before the payment is confirmed (nothing is paid until the cashier presses the button)."""
    browser_login(live_user("operator", "cashier"))
    bill = _open_bill(live_app, "C-003")
    page.goto(f"{live_server.url}/register?bill={bill}")
    received = page.get_by_label("お預かり金額（円）")
    received.fill("１０００")  # full-width, as an IME may give it
    assert page.locator("#change-preview").inner_text() == "700円"
    received.fill("200")
    assert "不足" in page.locator("#change-preview").inner_text()
    page.get_by_role("button", name="ちょうど（300円）").click()
    assert received.input_value() == "300"
    assert page.locator("#change-preview").inner_text() == "0円"
    assert page.evaluate("document.activeElement.textContent") == "収納してレシートを印刷"
