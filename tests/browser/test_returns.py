"""In Chromium: a returned envelope is scanned (full-width digits, as a keyboard wedge or a
person may type them), shows on the open list with its age, and the follow-up corrects the
address, which sends a 再発行 with the same number to the next batch."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def posted_live(live_app) -> int:
    """Portals, and one posted certificate of a phone donation; its fiscal year."""
    from app.core.dates import fiscal_year, now, today
    from app.extensions import db
    from app.furusato import payments, services
    from app.furusato.certificate_numbers import issue
    from tests.furusato.test_payments import PHONE

    with live_app.app_context():
        services.sync_portals()
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
        donation = services.create_direct_donation(PHONE, None)
        payments.record_payment(donation, PHONE.applied_on + timedelta(days=3), donation.amount, "bank", None)
        (certificate,) = issue([donation], "batch-1", by=None)
        certificate.posted_at = now()
        db.session.commit()
        return fiscal_year(today())


def test_scan_a_return_and_correct_the_address(page, live_app, live_server, live_user, browser_login, posted_live,
                                               shots) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.furusato.models import Certificate

    browser_login(live_user("operator", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/")
    page.get_by_role("link", name="郵便物の戻り").click()
    page.locator("#returns-count", has_text="0件").wait_for()
    page.get_by_label("証明書番号").fill(f"{posted_live}年度　第1号".translate(WIDE))
    page.get_by_label("戻りの理由").select_option(label="宛所不明")
    page.get_by_role("button", name="戻りを記録する").click()
    page.locator("#returns-count", has_text="1件").wait_for()
    row = page.locator("#open-returns tbody tr").first
    assert "0日" in row.inner_text() and "03-1234-5678" in row.inner_text()
    assert page.get_by_label("証明書番号").input_value() == ""  # ready for the next scan
    page.screenshot(path=str(shots / "returns-list.png"), full_page=True)

    row.get_by_role("link", name="確認の結果を記録").click()
    page.get_by_label("対応の結果").select_option(label="住所を訂正して再送")
    page.get_by_label("住所（訂正後）").fill("岩手県西磐井郡平泉町平泉字志羅山２０")
    page.get_by_label("経緯・備考").fill("本人に電話で確認")
    page.screenshot(path=str(shots / "returned-mail.png"), full_page=True)
    page.get_by_role("button", name="結果を記録する").click()
    page.locator("#returns-count", has_text="0件").wait_for()
    assert "再発行1件は次の発送で印刷されます" in page.content()
    with live_app.app_context():
        reissue = db.session.scalar(select(Certificate).where(Certificate.reissue_of_id.is_not(None)))
        assert reissue is not None and (reissue.number, reissue.batch) == (1, "")
