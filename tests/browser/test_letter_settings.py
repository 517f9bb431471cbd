"""In Chromium: a supervisor edits the thank-you letter and the live preview follows what is
typed: an unknown placeholder is named in Japanese, a good text shows the preview PDF."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_letter_preview_follows_the_typing(page, live_server, live_user, browser_login) -> None:
    browser_login(live_user("supervisor", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/settings/letter")
    preview = page.locator("#letter-preview")
    preview.locator("iframe").wait_for()
    page.get_by_label("本文").fill("{氏名}様 {住所}")
    preview.get_by_text("「{住所}」はありません").wait_for()
    assert preview.locator("iframe").count() == 0
    page.get_by_label("本文").fill("{氏名}様 {金額}円")
    preview.locator("iframe").wait_for()
    assert "%7B%E9%87%91%E9%A1%8D%7D" in preview.locator("iframe").get_attribute("src")  # {金額} in the query
    page.get_by_role("button", name="お礼状を保存する").click()
    page.get_by_text("年度のお礼状を保存しました").wait_for()
    assert page.get_by_label("本文").input_value() == "{氏名}様 {金額}円"
