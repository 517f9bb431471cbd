"""In Chromium, with a real task consumer (issue 21, Shows): the month's list of people reaching
70 is drawn, checked and done; its letters are made as a mail-out batch with a live progress
bar, the PDF opens, the posting date is recorded, and a returned letter is noted."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest

from tests.consumer import Consumer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PEOPLE = 120  # enough letters for the progress bar to be seen


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


@pytest.fixture
def turning_70(live_app: Any) -> None:
    from app.core import services as core_services
    from app.core.dates import today
    from app.demo import DEMO_CITY
    from app.extensions import db
    from tests.registry.factories import make_household

    with live_app.app_context():
        core_services.save_municipality(DEMO_CITY)
        month = today().replace(day=1)
        for n in range(PEOPLE):
            born = month.replace(year=month.year - 70) + timedelta(days=1 + n % 27)
            make_household([{"family_name": "古希", "given_name": f"{n}号", "birth_date": born, "nhi_member": True}],
                           address=f"岩手県山彦市本町{n}番", postal_code=f"{210000 + n:07d}")
        db.session.commit()


def test_a_monthly_list_is_checked_and_its_letters_made_posted_and_returned(
        page: Any, live_server: Any, live_user: Any, browser_login: Any, turning_70: None,
        task_consumer: Consumer) -> None:
    task_consumer.start()
    browser_login(live_user("operator"))
    base = live_server.url

    page.get_by_role("link", name="月次チェック・封入発送").first.click()
    page.get_by_label("一覧の種類").select_option(label="高齢受給者証の交付対象者（70歳到達）")
    page.get_by_role("button", name="一覧を作成").click()
    page.get_by_text(f"追加{PEOPLE}件").wait_for()
    assert f"{PEOPLE}件" in page.locator("#items-count").inner_text()

    # One line is checked from the page.
    page.locator("#list-items tbody tr").first.get_by_role("button", name="確認済にする").click()
    page.get_by_text("確認済にしました").wait_for()
    assert f"未確認 {PEOPLE - 1}件" in page.locator("#list-state").inner_text()

    # The letters, in the background, with a progress bar.
    page.get_by_role("button", name="この一覧の通知を封入・発送する").click()
    page.locator("#mailout-state").wait_for()
    page.locator(".task-progress progress").wait_for()
    page.locator("#mailout-state[data-mailout-state='printable']").wait_for(timeout=90_000)
    page.reload()
    assert f"{PEOPLE}通、{PEOPLE}ページ" in page.locator("#mailout-counts").inner_text()

    # The PDF opens and holds the letters.
    href = page.locator("#mailout-pdf").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True,
                          check=True).stdout.decode()
    flat = "".join(text.split())
    assert "高齢受給者証の送付について" in flat and "古希0号" in flat

    # Posted today; one letter comes back.
    page.get_by_role("button", name="発送しました").click()
    page.locator("#mailout-state[data-mailout-state='posted']").wait_for()
    assert page.locator("#posted-on").is_visible()
    row = page.locator("#mailout-items tbody tr").first
    row.get_by_label("返戻の理由").fill("宛所不明")
    row.get_by_role("button", name="返戻を記録").click()
    page.get_by_text("返戻を記録しました").wait_for()
    assert "返戻 1件" in page.locator("#mailout-counts").inner_text()
