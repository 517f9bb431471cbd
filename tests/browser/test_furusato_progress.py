"""In Chromium, with a real task consumer: an operator uploads a portal file, watches the
import's progress bar move, leaves for the dashboard (実行中の処理 shows the import there),
comes back to the same progress, and sees the summary when it is done."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from app.furusato import imports
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import Generator, write_portal_file
from tests.browser.test_furusato import furusato_live  # noqa: F401  (fixture)
from tests.consumer import Consumer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROWS = 30_000


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


def _position(page: Any) -> tuple[int, float]:
    """How far the import is: its phase (reading, then applying, each with its own bar), then
    the bar's percentage."""
    phase = page.locator(".task-progress .task-phase").inner_text()
    value = page.locator(".task-progress progress").get_attribute("value")
    return (0 if phase.startswith(imports.PHASE_READ) else 1), float(value or 0)


def test_upload_watch_the_progress_leave_come_back_and_see_the_summary(
        page: Any, live_server: Any, live_user: Any, browser_login: Any, furusato_live: None,  # noqa: F811
        task_consumer: Consumer, tmp_path: Path) -> None:
    path = tmp_path / "choice-30k.csv"
    with path.open("wb") as out:
        write_portal_file(file_profiles()["choice"], Generator(seed=9).donations(ROWS, bad=0, repeat=0.05), out)
    task_consumer.start()
    browser_login(live_user("operator", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/imports")
    page.get_by_label("ポータル").select_option(label="ふるさとチョイス")
    page.get_by_label("ファイル（CSV・TSV）").set_input_files(str(path))
    page.get_by_role("button", name="取り込む").click()

    # The upload answers at once with the batch page; the import runs in the background.
    page.locator("#batch-status").wait_for()
    assert page.locator("#batch-status").get_attribute("data-batch-status") in ("queued", "staging", "staged",
                                                                                 "applying")
    page.locator(".task-progress .task-phase").wait_for()
    seen = set()
    deadline = time.monotonic() + 60
    while len(seen) < 3 and time.monotonic() < deadline:
        seen.add(_position(page))
        time.sleep(0.5)
    assert len(seen) >= 3, seen  # the bar moved while we watched
    assert "行/秒" in page.locator(".task-progress .task-counts").inner_text()
    assert "残り約" in page.locator(".task-progress .task-counts").inner_text()
    page.screenshot(path=str(tmp_path / "furusato-import-progress.png"))
    batch_url = page.url

    # Another page of the office: the import is in 実行中の処理.
    page.get_by_role("link", name="取込状況").first.click()
    running = page.locator(".tasks-running li", has_text="ポータル取込")
    running.wait_for()
    left_at = max(seen)

    # Back on the batch page: the same progress, further on.
    page.goto(batch_url)
    if page.locator(".task-progress .task-phase").count():
        assert _position(page) >= left_at
    page.locator("#batch-status[data-batch-status='applied']").wait_for(timeout=180_000)
    assert page.locator("#batch-status").inner_text().startswith("取込済")
    assert f"新規 {ROWS}" in page.locator("#batch-counts").inner_text()
    page.screenshot(path=str(tmp_path / "furusato-import-summary.png"))
