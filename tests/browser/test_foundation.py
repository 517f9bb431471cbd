"""Each role logs in through the real browser and sees its own menu."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.auth.models import ROLES

pytestmark = pytest.mark.browser

EXPECTED = {
    "operator": {"ホーム", "開庁カレンダー"},
    "supervisor": {"ホーム", "開庁カレンダー", "監査ログ"},
    "city_staff": {"ホーム", "開庁カレンダー"},
    "admin": {"ホーム", "開庁カレンダー", "監査ログ", "自治体設定", "窓口", "端末", "利用者"},
}
ADMIN_ONLY = {"自治体設定", "端末", "利用者"}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_and_sees_its_menu(page, live_server, live_user, browser_login,
                                             role: str, tmp_path: Path) -> None:
    browser_login(live_user(role))
    menu = set(page.locator("nav.side-nav a").all_inner_texts())
    assert EXPECTED[role] <= menu
    if role != "admin":
        assert not menu & ADMIN_ONLY
    assert ROLES[role] in page.locator(".site-header .user").inner_text()
    page.screenshot(path=str(tmp_path / f"home-{role}.png"))


def test_wrong_password_shows_a_japanese_message(page, live_server, live_user) -> None:
    username = live_user("operator")
    page.goto(f"{live_server.url}/login")
    page.get_by_label("ログイン名").fill(username)
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_role("alert").inner_text().startswith("ログイン名またはパスワード")
    assert page.get_by_label("ログイン名").input_value() == username


def test_admin_adds_a_special_opening(page, live_server, live_user,
                                                   browser_login) -> None:
    browser_login(live_user("admin"))
    page.goto(f"{live_server.url}/calendar")
    page.get_by_label("開庁日").fill("2027-03-06")
    page.get_by_label("理由・備考").fill("年度末繁忙期")
    page.get_by_role("button", name="指定する").click()
    page.get_by_text("を土日開庁日に指定しました").wait_for()
    assert "年度末繁忙期" in page.content()
