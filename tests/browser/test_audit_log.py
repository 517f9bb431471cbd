"""In Chromium: the city's counter staff open the audit log from the menu, read it in Japanese
(people's names, objects by name with links), filter it by a kind of object chosen by its name,
and export it; they see the counter's rows only (000 別紙 §13)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def rows(live_app) -> None:
    from app.auth import audit, services
    from app.extensions import db
    from tests.conftest import PASSWORD

    with live_app.app_context():
        clerk = services.create_user("clerk", "窓口 一子", "operator", PASSWORD, scope="counter")
        donation_clerk = services.create_user("d-clerk", "寄附 二子", "operator", PASSWORD, scope="furusato")
        audit.record("read", "case", 41, "住民票の写し", by=clerk)
        audit.record("read", "seal_record", 7, "印鑑登録原票", by=clerk)
        audit.record("read", "furusato_donation", 361, "寄附の閲覧", by=donation_clerk)
        db.session.commit()


def test_the_city_reads_filters_and_exports_the_counters_log(page, live_server, live_user, browser_login,
                                                             rows) -> None:
    browser_login(live_user("city_staff", "city-counter", scope="counter"))
    page.get_by_role("link", name="監査ログ").first.click()
    page.locator("#audit-count").wait_for()
    table = page.locator("#audit-rows")
    assert "窓口 一子" in table.inner_text() and "寄附 二子" not in table.inner_text()
    link = page.get_by_role("link", name="受付 #41")
    assert link.get_attribute("href") == "/counter/cases/41"
    page.get_by_label("対象の種類").select_option(label="印鑑登録原票")
    page.locator("#audit-count", has_text="1件").wait_for()
    assert page.get_by_role("link", name="印鑑登録原票 #7").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="この条件でCSV出力").click()
    lines = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_bytes().decode("utf-8-sig"))))
    assert lines[0][:5] == ["日時", "業務", "利用者", "操作", "対象"]
    assert [line[4] for line in lines[1:]] == ["印鑑登録原票 #7"] and lines[1][1] == "窓口業務"
