"""Issue 5 "Shows", the part of the counter: reception → 住民票 request with the checks →
review by city staff (one return for correction, then approval) → issue with the PDF → the fee
lines ready for the register. (The ticket call, card read and cashier steps join at integration.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import services as core
from app.counter import catalog
from app.counter.models import Case
from app.demo import DEMO_CITY
from app.extensions import db
from app.register.fees import seed_default_fees
from tests.registry.factories import yamabiko_family

pytestmark = pytest.mark.browser


@pytest.fixture
def counter_city(live_app):
    with live_app.app_context():
        catalog.load()
        seed_default_fees(date(2020, 4, 1))
        core.save_municipality(DEMO_CITY)
        yamabiko_family()
        db.session.commit()


def _logout(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login**")


def _state(page) -> str:
    return page.locator("#case-state").inner_text()


def test_resident_record_copy_from_reception_to_the_register(page, live_server, live_user, browser_login,
                                                              counter_city, live_app, tmp_path: Path) -> None:
    operator, city = live_user("operator", "op"), live_user("city_staff", "city")
    browser_login(operator)

    # reception
    page.locator("nav.side-nav").get_by_role("link", name="窓口受付").click()
    page.get_by_label("来庁者の氏名").fill("山彦 太郎")
    page.get_by_label("住民票の写しの交付").check()
    page.get_by_role("button", name="受付する").click()
    page.get_by_text("受付しました（1件）").wait_for()
    assert _state(page) == "受付"
    case_url = page.url

    # the subject from the registry
    page.get_by_label("カナ・ひらがな").fill("やまびこ た")
    page.get_by_role("button", name="住民記録を検索").click()
    page.locator("#resident-results").get_by_role("button", name="対象者にする").first.click()
    page.get_by_text("対象者を山彦　太郎さんにしました").wait_for()

    # the checks: one document of the second kind is not enough
    page.get_by_label("健康保険の資格確認書・被保険者証").check()
    page.get_by_label("請求書・届書の記載内容を点検した").check()
    page.get_by_label("交付請求書").check()
    page.get_by_role("button", name="確認完了（入力へ）").click()
    alert = page.locator("#problems")
    alert.wait_for()
    assert "本人確認が不足" in alert.inner_text() and "住民基本台帳法 §12③" in alert.inner_text()
    assert page.get_by_label("健康保険の資格確認書・被保険者証").is_checked()  # what was typed is kept
    page.get_by_label("運転免許証・運転経歴証明書（写真付き）").check()
    page.get_by_role("button", name="確認完了（入力へ）").click()
    page.get_by_text("確認が済みました").wait_for()
    assert _state(page) == "入力"

    # input and review request
    page.locator("#f-copies").fill("1")
    page.locator("#f-scope").select_option("household")
    page.get_by_label("世帯主・続柄を記載する").check()
    page.locator("#f-purpose").fill("勤務先へ提出")
    page.get_by_role("button", name="保存して審査依頼").click()
    page.get_by_text("審査を依頼しました").wait_for()
    assert _state(page) == "審査依頼"
    page.screenshot(path=str(tmp_path / "1-review-requested.png"), full_page=True)
    _logout(page)

    # city staff return it once
    browser_login(city)
    page.locator("nav.side-nav").get_by_role("link", name="案件一覧・審査").click()
    page.locator("#case-rows").get_by_role("link").first.click()
    page.get_by_role("button", name="審査開始").click()
    page.get_by_text("審査開始しました").wait_for()
    page.get_by_label("差戻しの理由").fill("通数は2通の請求です。請求書を確認してください。")
    page.get_by_role("button", name="差し戻す").click()
    page.get_by_text("差戻ししました").wait_for()
    _logout(page)

    # the operator corrects it
    browser_login(operator)
    page.locator("nav.side-nav").get_by_role("link", name="案件一覧・審査").click()
    page.get_by_role("link", name="差戻し").click()
    page.locator("#case-rows").get_by_role("link").first.click()
    assert "通数は2通の請求です" in page.locator(".returned").inner_text()
    page.locator("#f-copies").fill("2")
    page.get_by_role("button", name="保存して審査依頼").click()
    page.get_by_text("審査を依頼しました").wait_for()
    _logout(page)

    # city staff approve
    browser_login(city)
    page.goto(case_url)
    page.get_by_role("button", name="審査開始").click()
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("承認しました").wait_for()
    _logout(page)

    # issue with the PDF, and the fees go to the register
    browser_login(operator)
    page.goto(case_url)
    assert _state(page) == "交付"
    pdf = page.request.get(live_server.url + page.locator("#certificate-link").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (tmp_path / "juminhyo.pdf").write_bytes(pdf.body())
    page.get_by_role("button", name="交付して会計へ").click()
    page.get_by_text("交付しました").wait_for()
    assert _state(page) == "会計"
    assert page.locator("#fee-total").inner_text() == "600円"
    page.screenshot(path=str(tmp_path / "2-payment.png"), full_page=True)

    with live_app.app_context():
        case = db.session.scalar(select(Case))
        assert [(f.fee_code, f.quantity, f.amount) for f in case.fee_lines] == [("resident_record_copy", 2, 600)]
        assert [e.action for e in case.events if e.action in ("return", "approve")] == ["return", "approve"]
