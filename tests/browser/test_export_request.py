"""In Chromium: an operator's export beyond a day's list becomes a request (000 別紙 §8(2)); a
supervisor approves it from the work list; the operator downloads the file, marked on its first
line with the request and its approval."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from app.furusato.profiles import file_profiles
from app.furusato.synthetic import Generator, portal_bytes
from tests.browser.test_furusato import furusato_live  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(tmp_path: Any) -> dict[str, Any]:
    return {"TASK_FILES_DIR": str(tmp_path / "files"), "EXPORT_WITHOUT_APPROVAL_ROWS": 5}


@pytest.fixture
def donations(live_app, furusato_live) -> None:  # noqa: F811
    from app.extensions import db
    from app.furusato import imports, services

    data = portal_bytes(file_profiles()["choice"], list(Generator(seed=5).donations(8, bad=0)))
    with live_app.app_context():
        stored = imports.store_upload("choice.csv", data, by=None)
        batch = imports.create_batch(services.portal_by_code("choice"), stored.filename, import_file=stored)
        imports.queue(batch, by=None)
        db.session.commit()  # the unit tests' "immediate" queue runs it here


def test_request_approve_and_download(page, live_server, live_user, browser_login, donations) -> None:
    base = live_server.url
    operator = live_user("operator", "f-operator", scope="furusato")
    browser_login(operator)
    page.goto(f"{base}/furusato/donations")
    page.get_by_label("ポータル").select_option(label="ふるさとチョイス")
    page.get_by_role("button", name="検索").click()
    # every donation is choice's, so 8件 shows before the search too: wait for the searched fragment
    page.locator('#export-form input[name="portal"][value="choice"]').wait_for(state="attached")
    page.get_by_role("button", name="この条件で出力申請（8件）").click()
    page.locator("#request-rows", has_text="8件").wait_for()
    assert "portal=choice" in page.locator("#request-scope").inner_text()
    page.get_by_label("出力の目的").fill("寄附金受領証明書の再発行依頼への対応")
    page.get_by_role("button", name="申請する").click()
    page.locator("#request-state", has_text="承認待ち").wait_for()
    request_url = page.url

    page.context.clear_cookies()
    browser_login(live_user("supervisor", "f-supervisor", scope="furusato"))
    page.goto(f"{base}/furusato/export-requests")
    page.get_by_role("link", name="出力申請 #").first.click()
    page.get_by_role("button", name="承認する").click()
    page.locator("#request-state", has_text="承認済み").wait_for()

    page.context.clear_cookies()
    browser_login(operator)
    page.goto(request_url)
    page.get_by_role("link", name="CSVの作成状況とダウンロード").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSVをダウンロード").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][0].startswith("# 出力申請 #") and "承認：統括責任者 supervisor 太郎" in rows[0][0]
    assert "目的：寄附金受領証明書の再発行依頼への対応" in rows[0][0]
    assert rows[1][:3] == ["寄附ID", "ポータル", "注文番号"] and len(rows) == 2 + 8
