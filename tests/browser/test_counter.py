"""The counter's checks in the browser, for a visitor without a My Number card: an identity
check below what the procedure needs is refused with the rule named, keeps what was ticked, and
passes once a photo ID is added. (The whole visit, from the ticket to the daily close, is
tests/browser/test_visit.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from app.core import services as core
from app.counter import catalog
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


def _state(page) -> str:
    return page.locator("#case-state").inner_text()


def test_an_identity_check_below_the_rule_is_refused_and_keeps_what_was_ticked(
        page, live_user, browser_login, counter_city) -> None:
    browser_login(live_user("operator", "op"))

    # reception
    page.locator("nav.side-nav").get_by_role("link", name="窓口受付").click()
    page.get_by_label("来庁者の氏名").fill("山彦 太郎")
    page.get_by_label("住民票の写しの交付").check()
    page.get_by_role("button", name="受付する").click()
    page.get_by_text("受付しました（1件）").wait_for()
    assert _state(page) == "受付"

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

