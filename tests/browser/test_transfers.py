"""In Chromium: an operator takes a bank statement whose money matching cannot place alone,
watches it being matched, and picks the donation on the screen of uncertain transfers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.furusato.test_transfers import PHONE, bank

pytestmark = pytest.mark.browser


@pytest.fixture
def twins(live_app) -> list[int]:
    """Two donations of one name and one amount, waiting for a bank transfer."""
    from app.extensions import db
    from app.furusato import services

    with live_app.app_context():
        services.sync_portals()
        made = [services.create_direct_donation(replace(PHONE, applied_on=date(2026, 10, day)), None)
                for day in (1, 2)]
        db.session.commit()
        return [d.id for d in made]


def test_an_uncertain_transfer_is_resolved_on_its_screen(page, live_server, live_user, browser_login, twins,
                                                          tmp_path: Path) -> None:
    browser_login(live_user("operator", scope="furusato"))
    path = tmp_path / "meisai.csv"
    path.write_bytes(bank(("2026/11/05", "30,000", "ﾀｶｻｷ ﾀﾛｳ")))
    page.goto(f"{live_server.url}/furusato/transfers")
    page.get_by_label("明細の種類").select_option(label="銀行振込（入出金明細）")
    page.get_by_label("ファイル（CSV）").set_input_files(str(path))
    page.get_by_role("button", name="取り込んで照合する").click()
    page.locator('#transfer-status[data-batch-status="done"]').wait_for()  # the page reloads when matched
    assert "要確認 1" in page.locator("#transfer-counts").inner_text()

    page.get_by_role("link", name="未照合の入金").click()
    page.locator("#open-count", has_text="1件").wait_for()
    assert "30,000円" in page.locator("#open-count").inner_text()
    page.get_by_role("link", name="照合する").click()
    page.locator("#candidates").wait_for()
    assert page.locator("#candidates tbody tr").count() == 2
    page.get_by_role("button", name="選んだ寄附の入金として記録する").click()
    page.get_by_role("alert").filter(has_text="充当する寄附を候補から選んでください").wait_for()
    page.locator(f"#candidate-{twins[1]}").check()
    page.get_by_role("button", name="選んだ寄附の入金として記録する").click()
    page.locator("#open-count", has_text="0件").wait_for()
    assert "未照合の入金はありません" in page.locator("#open-transfers").inner_text()

    page.goto(f"{live_server.url}/furusato/donations/{twins[1]}")
    assert "入金済" in page.locator("#donation-detail").inner_text()
    assert "2026-11-05" in page.locator("#payments").inner_text()
