"""A passport in Chromium (issue 21, 000 §6(8)): received at the counter, sent to the
prefecture, arrived with its issue date, handed out with the identity checked; a hand-out
without the identity document is refused with the field named and nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from app.core.dates import today
from app.counter import catalog
from app.counter.backoffice.models import PassportApplication
from app.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def counter_office(live_app: Flask) -> None:
    with live_app.app_context():
        catalog.load()
        db.session.commit()


def test_a_passport_from_receipt_to_hand_out(page, live_app, live_server, live_user, browser_login, counter_office,
                                             shots) -> None:
    browser_login(live_user("operator", "passports"))
    page.locator("nav.side-nav").get_by_role("link", name="旅券の受付・交付").click()
    form = page.locator("#passport-form")
    form.get_by_label("申請者の氏名").fill("旅川　一郎")
    form.get_by_label("申請者の住所").fill("山彦市本町1-1")
    form.get_by_label("旅券の種類").select_option(label="一般旅券（10年）")
    form.get_by_role("button", name="受け付ける").click()
    page.get_by_text("旅券の申請を受け付けました。").wait_for()
    assert page.locator("#passport-count").inner_text().startswith("1件")

    page.locator("#passport-rows").get_by_role("link", name="旅川 一郎").click()
    assert page.locator("#passport-state").inner_text() == "受付済（県へ未送付）"
    page.get_by_role("button", name="県へ送付した").click()
    page.get_by_text("県への送付を記録しました。").wait_for()
    assert page.locator("#passport-state").inner_text() == "県で審査・作成中"

    page.get_by_label("旅券の発行日").fill(f"{today():%Y-%m-%d}")
    page.get_by_role("button", name="旅券が到着した").click()
    page.get_by_text("旅券の到着を記録しました。").wait_for()
    assert page.locator("#passport-state").inner_text() == "交付待ち"

    page.get_by_role("button", name="本人確認をして交付した").click()  # no identity document
    page.get_by_text("本人確認書類を入力してください。").first.wait_for()
    assert page.locator("#passport-state").inner_text() == "交付待ち"
    page.get_by_label("本人確認書類").fill("運転免許証")
    page.get_by_role("button", name="本人確認をして交付した").click()
    page.get_by_text("旅券を交付しました").wait_for()
    assert page.locator("#passport-state").inner_text().startswith("交付済")
    assert "運転免許証" in page.locator("#passport-handed").inner_text()
    page.screenshot(path=str(shots / "backoffice-passport.png"), full_page=True)
    with live_app.app_context():
        item = db.session.scalar(select(PassportApplication))
        assert (item.applicant_name, item.handed_on, item.identity_document) == ("旅川 一郎", today(), "運転免許証")
        assert item.issued_on is not None and item.issued_on >= date(2026, 1, 1)
