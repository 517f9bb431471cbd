"""In Chromium: an operator imports a small file for every portal profile, fixes an unknown
column in 取込調整, and a supervisor exports a search as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from app.furusato.profiles import file_profiles
from app.furusato.synthetic import GIFTS, Generator, portal_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def furusato_live(live_app) -> None:
    from app.extensions import db
    from app.furusato import services
    from app.furusato.models import Gift

    with live_app.app_context():
        services.sync_portals()
        db.session.add_all(Gift(code=c, name=n, amount=a) for c, n, a in GIFTS)
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
        db.session.commit()


def _upload(page, base: str, portal_name: str, path: Path) -> None:
    page.goto(f"{base}/furusato/imports")
    page.get_by_label("ポータル").select_option(label=portal_name)
    page.get_by_label("ファイル（CSV・TSV）").set_input_files(str(path))
    page.get_by_role("button", name="取り込む").click()
    page.locator("#batch-status").wait_for()


def test_import_every_portal_fix_a_column_and_export(page, live_server, live_user, browser_login, furusato_live,
                                                       tmp_path: Path) -> None:
    browser_login(live_user("operator", scope="furusato"))
    generator = Generator(seed=11)
    for code, profile in file_profiles().items():
        path = tmp_path / f"{code}.csv"
        path.write_bytes(portal_bytes(profile, list(generator.donations(8, prefix=code[:3].upper(), bad=0))))
        _upload(page, live_server.url, profile.name, path)
        assert page.locator("#batch-status").inner_text().startswith("取込済"), code
        assert "新規 8" in page.locator("#batch-counts").inner_text()

    # A layout change: the portal added a column nobody has mapped yet.
    profile = file_profiles()["furunavi"]
    changed = replace(profile, columns={**profile.columns, "寄付者メッセージ": "notes"})
    path = tmp_path / "furunavi-new-layout.csv"
    path.write_bytes(portal_bytes(changed, list(generator.donations(5, prefix="NEW", bad=0))))
    _upload(page, live_server.url, profile.name, path)
    assert "未適用" in page.locator("#batch-status").inner_text()
    assert "寄付者メッセージ" in page.locator("#issues").inner_text()
    page.get_by_role("link", name="取込調整（列・値の対応付け）").click()
    page.get_by_label("列「寄付者メッセージ」の取込先").select_option(label="備考")
    page.get_by_role("button", name="保存して再実行").click()
    page.locator("#batch-status").wait_for()
    assert page.locator("#batch-status").inner_text().startswith("取込済")
    assert "新規 5" in page.locator("#batch-counts").inner_text()
    page.screenshot(path=str(tmp_path / "furusato-batch.png"))

    page.goto(f"{live_server.url}/furusato/")
    assert page.locator("#deadlines tr[data-state='met']").count() == len(file_profiles())

    page.context.clear_cookies()
    browser_login(live_user("supervisor", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/donations")
    page.get_by_label("ポータル").select_option(label="ふるなび")
    page.get_by_role("button", name="検索").click()
    page.locator("#result-count", has_text="13件").wait_for()
    page.get_by_label("出力の文字コード").select_option(label="Shift_JIS（CP932）")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="この条件でCSV出力（13件）").click()
    content = Path(download_info.value.path()).read_bytes().decode("cp932")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["寄附ID", "ポータル", "注文番号"] and len(rows) == 14
    assert {r[1] for r in rows[1:]} == {"ふるなび"}
