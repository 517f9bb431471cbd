"""The 業務計画書 in the browser (000 §10, every two months): the supervisor makes next period's
plan from the template, fills its sections (a bad target is refused with the field named and
what was typed kept), submits it; the city's staff approve it; the PDF opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.reports import work_plan

pytestmark = pytest.mark.browser


def test_the_supervisor_submits_a_work_plan_and_the_city_approves_it(page, live_server, live_user, browser_login,
                                                                      shots: Path) -> None:
    supervisor, city = live_user("supervisor"), live_user("city_staff")
    upcoming = work_plan.next_start()
    browser_login(supervisor)
    page.locator("nav.side-nav").get_by_role("link", name="業務計画書").click()
    page.get_by_label("計画期間の始まりの月（YYYY-MM、奇数月）").fill(f"{upcoming:%Y-%m}")
    page.get_by_role("button", name="ひな形から作成").click()
    page.get_by_text("の業務計画書をひな形から作成しました。").wait_for()

    page.get_by_label("目標平均待ち時間（分）").fill("すぐ")
    page.get_by_label("実施体制（窓口・従事者・時間）").fill("各窓口に1名を配置します。")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("目標平均待ち時間（分）：目標平均待ち時間は1〜240の数（分）で入力してください。").wait_for()
    assert page.get_by_label("実施体制（窓口・従事者・時間）").input_value() == "各窓口に1名を配置します。"

    page.get_by_label("目標平均待ち時間（分）").fill("１５")
    page.get_by_label("研修計画").fill("新任者に個人情報保護研修を行います。")
    page.get_by_label("業務改善の取組").fill("混雑時に案内係を増やします。")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("業務計画書を保存しました。").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="市へ提出").click()
    page.get_by_text("の業務計画書を市へ提出しました。").wait_for()
    page.locator("#work-plan-state").get_by_text("提出済").wait_for()
    plan_url = page.url

    page.get_by_role("button", name="ログアウト").click()
    page.get_by_label("ログイン名").wait_for()
    browser_login(city)
    page.goto(plan_url)
    page.get_by_label("所見・差戻しの理由").fill("確認しました。")
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("の業務計画書を承認しました。").wait_for()
    page.locator("#work-plan-state").get_by_text("承認済").wait_for()
    page.locator("#work-plan-history").get_by_text("確認しました。").wait_for()
    page.screenshot(path=str(shots / "work-plan.png"), full_page=True)
    href = page.get_by_role("link", name="PDF（市への提出用）").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (shots / "work-plan.pdf").write_bytes(pdf.body())
