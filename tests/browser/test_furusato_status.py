"""In Chromium: an operator records a phone donation's payment and cancels another in the
donation page's 入金・状態 section (htmx swaps it, a refusal keeps the typed input), and a
supervisor reverses the cancellation."""

from __future__ import annotations

from datetime import date

import pytest

from tests.furusato.test_payments import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def donation_id(live_app) -> int:
    from app.extensions import db
    from app.furusato import services

    with live_app.app_context():
        services.sync_portals()
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
        found = services.create_direct_donation(PHONE, None)
        db.session.commit()
        return found.id


def test_cancel_and_a_supervisors_reversal(page, live_server, live_user, browser_login, donation_id,
                                           tmp_path) -> None:
    browser_login(live_user("operator", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/donations/{donation_id}")
    money = page.locator("#money")
    # A payment that does not match: the section comes back in place with the typed amount.
    page.get_by_label("収納日").fill("2026-10-05")
    page.get_by_label("入金額（円）").fill("3000")
    page.get_by_label("入金方法").select_option(label="銀行振込")
    page.get_by_role("button", name="入金を記録する").click()
    money.locator(".error", has_text="寄附金額 30,000円 と一致しません").wait_for()
    assert page.get_by_label("入金額（円）").input_value() == "3000"
    assert "入金の記録はありません" in page.locator("#payments").inner_text()

    page.get_by_role("button", name="キャンセルする").click()
    money.locator(".error", has_text="キャンセルの理由を入力してください").wait_for()
    page.get_by_label("キャンセルの理由").fill("寄附者から電話で取りやめ")
    page.get_by_role("button", name="キャンセルする").click()
    page.locator("#money-message", has_text="キャンセルを記録しました").wait_for()
    assert page.locator("#donation-state").inner_text() == "キャンセル"
    assert "寄附者から電話で取りやめ" in page.locator("#status-history").inner_text()
    assert page.get_by_role("button", name="取り消す").count() == 0

    page.context.clear_cookies()
    browser_login(live_user("supervisor", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/donations/{donation_id}")
    page.get_by_label("取消の理由").fill("別の寄附と取り違え")
    page.get_by_role("button", name="取り消す").click()
    page.locator("#money-message", has_text="直前の状態の変更を取り消しました").wait_for()
    assert page.locator("#donation-state").inner_text() == "入金待ち"
    history = page.locator("#status-history tbody tr")
    assert history.count() == 2 and "別の寄附と取り違え" in history.nth(1).inner_text()
    # The section works again after the swap: the payment is recorded in place.
    page.get_by_label("収納日").fill(date(2026, 10, 5).isoformat())
    page.get_by_label("入金額（円）").fill("30000")
    page.get_by_label("入金方法").select_option(label="銀行振込")
    page.get_by_role("button", name="入金を記録する").click()
    page.locator("#money-message", has_text="入金を記録しました").wait_for()
    assert page.locator("#donation-state").inner_text() == "入金済（収納日 2026-10-05）"
    page.screenshot(path=str(tmp_path / "furusato-status.png"), full_page=True)
