"""Issue 15 §1: a visit in ten operator actions or fewer, from 次の方を呼出 to the printed
receipt, with the card read and the city's approval included.

Every click, every field typed and every key pressed by staff at the counter and the register
goes through `Actions`, which counts it. Not counted: the visitor's PIN on the pad that faces
them, the city's review (other staff, on another screen), and the day's set-up (signing in,
choosing the counter). The operator's page is never reloaded: the city's decision arrives by
itself (SSE), and the city's 審査待ち list shows the case arriving by itself too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.counter.models import Case
from app.extensions import db
from hardware.card_reader import Person, insert_card
from tests.browser.conftest import BROWSER_WAIT_MS, open_pin_pad, type_pin, watch_policies
from tests.browser.test_visit import (  # noqa: F401 (the visit's office: fixtures)
    CARD_PIN,
    COUNTER_PC,
    MY_NUMBER,
    Office,
    app_config,
    office,
)
from tests.conftest import PASSWORD
from tests.live import LiveServer
from tests.registry.factories import DEFAULT_ADDRESS

pytestmark = pytest.mark.browser
MOST_ACTIONS = 10


@dataclass
class Actions:
    """The operator's actions, counted as the test performs them."""

    done: list[str] = field(default_factory=list)

    def click(self, target: Any, what: str) -> None:
        target.click()
        self.done.append(f"click {what}")

    def check(self, target: Any, what: str) -> None:
        target.check()
        self.done.append(f"tick {what}")

    def fill(self, target: Any, text: str, what: str) -> None:
        target.fill(text)
        self.done.append(f"type {what}")


def _signed_in(browser: Any, live_server: LiveServer, username: str) -> Any:
    """Another member of staff at another screen (a context of their own)."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1366, "height": 900})
    context.broken = watch_policies(context)
    page = context.new_page()
    page.set_default_timeout(BROWSER_WAIT_MS)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("ログイン名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _focused(page: Any) -> str:
    return page.evaluate("document.activeElement && document.activeElement.textContent.trim()")


def test_a_visit_takes_at_most_ten_operator_actions(page, browser, live_app: Flask, live_server: LiveServer,
                                                     live_user, browser_login, displays_end,
                                                     office: Office, shots: Path) -> None:  # noqa: F811
    # the day's set-up: the operator signs in and chooses counter 4; the visitor's screen shows
    # the pad; the cashier is at the register; city staff watch their 審査待ち list
    browser_login(live_user("operator", "op"))
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="4番窓口　証明書")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    pad = open_pin_pad(page, f"{live_server.url}/devices/pad")
    register = _signed_in(browser, live_server, live_user("operator", "cashier"))
    register.goto(f"{live_server.url}/register")
    review = _signed_in(browser, live_server, live_user("city_staff", "city"))
    review.goto(f"{live_server.url}/counter/?list=review")
    assert review.locator("#case-rows").get_by_role("link").count() == 0
    insert_card(COUNTER_PC, Person("山彦\u3000太郎", DEFAULT_ADDRESS, date(1980, 5, 5), "1", MY_NUMBER), CARD_PIN)
    acts = Actions()

    _receive_and_read_the_card(page, pad, acts, shots)
    _check_enter_and_send_to_review(page, acts, shots)
    _city_staff_approve(review, shots)
    _issue(page, acts, shots)
    _pay_exactly(register, acts, office, shots)

    print(f"\noperator actions: {len(acts.done)}")
    for n, what in enumerate(acts.done, 1):
        print(f"  {n}. {what}")
    assert len(acts.done) <= MOST_ACTIONS, acts.done
    with live_app.app_context():
        case = db.session.scalar(select(Case))
        assert [e.action for e in case.events if e.action in ("card_read", "confirm_checks", "approve", "issue")] == [
            "card_read", "confirm_checks", "approve", "issue"]
        assert case.content_checked and case.documents_checked == ["交付請求書"]
        assert "my_number_card" in case.identity_docs and case.visit.ticket_id == office.ticket_id
    for other in (register, review):
        broken = other.context.broken
        other.context.close()
        assert not broken, sorted(set(broken))


def _receive_and_read_the_card(page: Any, pad: Any, acts: Actions, shots: Path) -> None:
    """Call, then receive from the called ticket: the card read starts and the visitor types
    the PIN on their pad."""
    acts.click(page.get_by_role("button", name="次の方を呼出"), "次の方を呼出")
    page.locator("#current-label", has_text="A-001").wait_for()
    page.screenshot(path=str(shots / "visit-actions-01-called.png"), full_page=True)
    acts.click(page.locator("#ticket-reception").get_by_role("button", name="住民票の写しの交付"),
               "住民票の写しの交付（番号札から受付・カード読取開始）")
    page.locator("#card-pin-wait").wait_for()  # 入力待ち: the operator's page has no PIN field
    assert page.locator("input[name=pin]").count() == 0
    page.screenshot(path=str(shots / "visit-actions-02-pin-wait.png"), full_page=True)
    pad.screenshot(path=str(shots / "visit-actions-03-visitor-pad.png"), full_page=True)
    type_pin(pad, CARD_PIN)  # the visitor, on their own screen: not an operator action
    page.locator("#card-done").wait_for()


def _check_enter_and_send_to_review(page: Any, acts: Actions, shots: Path) -> None:
    """The checks the card does not answer, and the request's form beside them, in one step."""
    assert page.locator("#case-state").inner_text() == "確認"
    assert "山彦\u3000太郎 様" in page.content()  # the visitor's name came from the card
    assert page.locator("#f-copies").input_value() == "1"  # defaults: 通数 1, the subject alone
    assert page.locator("#f-scope").input_value() == "selected"
    assert _focused(page) == "確認完了して審査依頼"
    page.screenshot(path=str(shots / "visit-actions-04-card-read.png"), full_page=True)
    acts.check(page.get_by_label("請求書・届書の記載内容を点検した"), "記載内容を点検した")
    acts.check(page.get_by_label("交付請求書"), "交付請求書")
    acts.fill(page.locator("#f-purpose"), "勤務先へ提出", "使用目的")
    acts.click(page.get_by_role("button", name="確認完了して審査依頼"), "確認完了して審査依頼")
    page.get_by_text("審査を依頼しました").wait_for()
    assert page.locator("#case-state").inner_text() == "審査依頼"
    page.screenshot(path=str(shots / "visit-actions-05-review-requested.png"), full_page=True)
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page


def _city_staff_approve(review: Any, shots: Path) -> None:
    """The city (not counted): the case arrives in 審査待ち by itself, and is approved."""
    review.locator("#case-rows").get_by_role("link").first.wait_for()
    review.screenshot(path=str(shots / "visit-actions-06-city-review-list.png"), full_page=True)
    review.locator("#case-rows").get_by_role("link").first.click()
    review.get_by_role("button", name="審査開始").click()
    review.get_by_role("button", name="承認する").click()
    review.get_by_text("承認しました").wait_for()


def _issue(page: Any, acts: Actions, shots: Path) -> None:
    """Back at the counter the decision arrives without F5, with 交付 in focus."""
    page.locator("#case-state", has_text="交付").wait_for()
    page.get_by_role("button", name="交付して会計へ").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # no F5: the page updated itself
    assert _focused(page) == "交付して会計へ"
    page.screenshot(path=str(shots / "visit-actions-07-approved.png"), full_page=True)
    acts.click(page.get_by_role("button", name="交付して会計へ"), "交付して会計へ")
    page.get_by_text("番号札 A-001 の方を会計待ちにしました").wait_for()
    assert page.locator("#fee-total").inner_text() == "300円"


def _pay_exactly(register: Any, acts: Actions, office: Office, shots: Path) -> None:  # noqa: F811 (not the fixture)
    """The register calls the number, takes the exact amount, and the receipt is printed."""
    register.locator("#open-bills", has_text="A-001").wait_for()  # the bill arrives by itself
    acts.click(register.get_by_role("button", name="次の方を呼ぶ（会計呼出表示へ）"), "次の方を呼ぶ")
    assert register.locator("#bill-total").inner_text() == "300円"
    acts.click(register.get_by_role("button", name="ちょうど（300円）"), "ちょうど")
    acts.click(register.get_by_role("button", name="収納してレシートを印刷"), "収納してレシートを印刷")
    register.get_by_role("heading", name="収納しました").wait_for()
    receipt_number = register.locator("#receipt-number").inner_text()
    printed = office.receipt_printer.wait_for_pages(1, timeout=30)[0]
    assert "領　収　書" in printed.text_lines and f"領収番号 {receipt_number}" in printed.text_lines
    register.screenshot(path=str(shots / "visit-actions-08-paid.png"), full_page=True)
