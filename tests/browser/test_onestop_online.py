"""In Chromium, with a real task consumer: the office uploads an online service's one-stop file,
the page shows the import's live progress while it waits for the consumer, and the page turns
into the summary by itself once the consumer has imported the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardware.card_reader.my_number import make_my_number
from tests.conftest import make_config
from tests.consumer import Consumer
from tests.furusato.onestop_fixtures import PEOPLE
from tests.furusato.test_onestop_online import _file, _line

pytestmark = pytest.mark.browser
ROWS = 40


@pytest.fixture
def programme() -> str:
    return "furusato"


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    keys = make_config("sqlite://").ONESTOP_NUMBER_KEYS
    task_consumer.env.update({"ONESTOP_ONLINE_INTAKE": "1", "ONESTOP_NUMBER_KEYS": ",".join(keys)})
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds,
            "ONESTOP_ONLINE_INTAKE": True}


@pytest.fixture
def office(live_app: Any) -> None:
    from app.extensions import db
    from app.furusato import services

    with live_app.app_context():
        services.sync_portals()
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
        db.session.commit()


def test_the_import_shows_its_progress_then_its_summary(page: Any, live_server: Any, live_user: Any,
                                                         browser_login: Any, office: None,
                                                         task_consumer: Consumer, tmp_path: Path) -> None:
    path = tmp_path / "mypage.csv"
    path.write_bytes(_file(*(_line(PEOPLE[n % 3], make_my_number(f"{50000000000 + n:011d}")) for n in range(ROWS))))
    browser_login(live_user("operator"))
    page.goto(f"{live_server.url}/furusato/onestop")
    page.get_by_role("link", name="オンライン申請の取込").click()
    page.get_by_label("取込設定").select_option(label="オンライン申請（自治体マイページ等）")
    page.get_by_label("オンライン申請のファイル（CSV）").set_input_files(str(path))
    page.get_by_role("button", name="取り込む").click()

    # No consumer yet: the page answers at once and shows the task waiting, polling for news.
    page.locator('#online-status[data-file-state="queued"]').wait_for()
    page.locator('.task-progress[data-task-state="queued"]').wait_for()
    assert "処理の順番を待っています" in page.locator(".task-progress").inner_text()

    task_consumer.start()
    page.locator('#online-status[data-file-state="done"]').wait_for(timeout=60_000)  # reloaded by itself
    assert f"{ROWS}件を受け付けました" in page.locator("#online-status").inner_text()
    assert page.locator(".task-progress").count() == 0
    assert page.locator("#online-applications tbody tr").count() == ROWS
