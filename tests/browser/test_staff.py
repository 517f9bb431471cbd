"""The staff register in the browser: the supervisor applies for a new 作業責任者 and the city
approves it (004 特記事項 §3(3)); an account whose register entry ended is refused at login."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.core.dates import today

pytestmark = pytest.mark.browser


def _logout(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.get_by_label("ログイン名").wait_for()


def _enter(page, post: str, name: str, start: str, account: str | None = None) -> None:
    page.get_by_label("区分").select_option(label=post)
    page.get_by_label("氏名").fill(name)
    page.get_by_label("従事開始日").fill(start)
    if account:
        page.get_by_label("ログインアカウント（任意）").select_option(label=account)
    page.get_by_role("button", name="登録する").click()
    page.get_by_text(f"{name}さんを名簿に登録しました。").wait_for()


def test_a_lead_change_approved_by_the_city_and_an_ended_entry_refused(
        page, live_server, live_user, browser_login, shots: Path) -> None:
    supervisor, city, operator = live_user("supervisor"), live_user("city_staff"), live_user("operator")
    long_ago, yesterday = (today() - timedelta(days=60)).isoformat(), (today() - timedelta(days=1)).isoformat()
    browser_login(supervisor)
    page.locator("nav.side-nav").get_by_role("link", name="従事者名簿").click()
    page.get_by_role("heading", name="従事者名簿（窓口業務）").wait_for()
    _enter(page, "作業責任者", "佐藤 一郎", long_ago)
    page.get_by_role("link", name="名簿に戻る").click()
    _enter(page, "作業従事者", "鈴木 花子", long_ago, account="operator 太郎（業務従事者）")

    page.get_by_role("button", name="従事終了を記録する").wait_for()
    page.get_by_label("従事終了日（最終日）").fill(yesterday)
    page.get_by_role("button", name="従事終了を記録する").click()
    page.get_by_text("従事終了を記録し、市へ報告しました。").wait_for()

    page.get_by_role("link", name="名簿に戻る").click()
    page.get_by_role("link", name="作業責任者の変更").click()
    page.get_by_label("新しい作業責任者の氏名").fill("田中 次郎")
    page.get_by_label("交代予定日").fill(today().isoformat())
    page.get_by_label("変更の理由").fill("人事異動のため")
    page.get_by_role("button", name="市へ申請する").click()
    page.get_by_text("市の承認があるまで、現在の作業責任者が引き続き従事します。").wait_for()
    assert page.locator("#change-state").inner_text() == "承認待ち"
    assert page.get_by_role("button", name="承認する").count() == 0
    page.screenshot(path=str(shots / "staff-lead-change-requested.png"))
    _logout(page)

    browser_login(city)
    page.goto(f"{live_server.url}/staff/counter/lead-changes")
    page.get_by_role("link", name="開く").click()
    page.get_by_label("意見・不承認の理由").fill("了承します")
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("作業責任者の変更を承認しました。").wait_for()
    assert page.locator("#change-state").inner_text() == "承認済み"
    page.get_by_role("link", name="変更申請の一覧に戻る").click()
    assert "田中 次郎" in page.locator("#current-lead").inner_text()
    page.screenshot(path=str(shots / "staff-lead-change-approved.png"))
    _logout(page)

    page.get_by_label("ログイン名").fill(operator)
    page.get_by_label("パスワード").fill("correct-horse-battery")
    page.get_by_role("button", name="ログイン").click()
    alert = page.get_by_role("alert").inner_text()
    assert "従事期間" in alert and "ログインできません" in alert
    page.screenshot(path=str(shots / "staff-ended-entry-refused.png"))
