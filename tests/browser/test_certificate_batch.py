"""In Chromium, with a real task consumer (issue 16, Shows): a phone donation is entered, its
payment recorded, it appears on the due list, a certificate batch is made with a progress bar,
its PDF opens, and the donation is 証明書発送済 once the office confirms the posting.

Returned mail: certificate_numbers.reissue(certificate, by=…) makes the waiting
reissue that the next batch takes (tests/furusato/test_certificate_batches.py); its steps in the
browser belong with the returns' pages."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.browser.test_furusato import furusato_live  # noqa: F401  (fixture)
from tests.consumer import Consumer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OTHERS_DUE = 80  # other donors due, so that the batch takes long enough to watch


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


@pytest.fixture
def others_due(live_app: Any, furusato_live: None) -> None:  # noqa: F811
    from app.core import services as core_services
    from app.core.dates import today
    from app.demo import DEMO_CITY, demo_seal_png
    from app.extensions import db
    from app.furusato import services
    from app.furusato.models import Donation, DonationState, Donor

    with live_app.app_context():
        if core_services.get_municipality() is None:  # the city that signs, with its seal
            core_services.save_municipality(DEMO_CITY)
        core_services.save_seal(demo_seal_png(), 21.0, by=None)
        portal = services.portal_by_code("choice")
        for n in range(OTHERS_DUE):
            donor = Donor(name=f"寄附者 {n}", kana="キフシャ", postal_code=f"{1000000 + n * 97:07d}",
                          prefecture="東京都", address=f"東京都千代田区千代田{n}-1")
            db.session.add(donor)
            db.session.flush()
            db.session.add(Donation(order_id=f"O{n}", portal_id=portal.id, donor_id=donor.id, amount=10_000,
                                    name=donor.name, postal_code=donor.postal_code, prefecture="東京都",
                                    address=donor.address, applied_at=datetime(2026, 11, 1, 9),
                                    applied_on=date(2026, 11, 1), paid_on=today() - timedelta(days=3),
                                    payment_method="card", status=DonationState.paid))
        db.session.commit()


def test_phone_donation_paid_due_batched_printed_and_posted(
        page: Any, live_app: Any, live_server: Any, live_user: Any, browser_login: Any, others_due: None,
        task_consumer: Consumer) -> None:
    task_consumer.start()
    browser_login(live_user("operator", scope="furusato"))
    base = live_server.url

    # A phone donation, entered by the existing manual intake.
    page.goto(f"{base}/furusato/intake")
    page.get_by_label("受付方法").select_option(label="電話")
    page.get_by_label("寄附金額（円）").fill("12345")
    page.get_by_label("決済方法").select_option(label="郵便振替")
    page.get_by_label("入金状況").select_option(label="入金待ち")
    page.get_by_label("氏名").fill("髙橋 一郎")
    page.get_by_label("フリガナ").fill("タカハシ イチロウ")
    page.get_by_label("電話番号").fill("022-000-0000")
    page.get_by_label("郵便番号").fill("980-0811")
    page.get_by_label("住所").fill("宮城県仙台市青葉区一番町1-1-1")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("寄附を登録しました").wait_for()
    donation_url = page.url

    # Its payment, on the donation's page.
    page.get_by_label("収納日").fill(date.today().isoformat())
    page.get_by_label("入金額（円）").fill("12345")
    page.get_by_label("入金方法").select_option(label="郵便振替")
    page.get_by_role("button", name="入金を記録する").click()
    page.get_by_text("入金を記録しました").wait_for()

    # On the due list.
    page.goto(f"{base}/furusato/certificates/due")
    page.locator("#due-list", has_text="髙橋 一郎").wait_for()

    # A batch, made in the background with a progress bar.
    page.get_by_role("link", name="印刷バッチを作成する").click()
    page.locator("#batch-form").wait_for()
    page.get_by_role("button", name="印刷バッチを作成").click()
    page.locator("#batch-state").wait_for()
    page.locator(".task-progress progress").wait_for()
    page.locator("#batch-state[data-batch-state='printable']").wait_for(timeout=60_000)
    assert f"封筒 {OTHERS_DUE + 1}通" in page.locator("#batch-counts").inner_text()

    # The PDF opens.
    href = page.locator("#batch-pdf").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The office confirms the posting; the donation is 証明書発送済.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="発送しました").click()
    page.locator("#batch-state[data-batch-state='posted']").wait_for()
    page.goto(donation_url)
    assert "証明書発送済" in page.locator("#donation-detail").inner_text()

    _a_return_is_resent_in_the_next_batch(page, live_app, base, donation_url)


def _a_return_is_resent_in_the_next_batch(page: Any, live_app: Any, base: str, donation_url: str) -> None:
    """The post brings the envelope back: the return is recorded from the certificate's number,
    the donor's address confirmed by phone is a correction, and the resend (a 再発行 with the
    same number) is in the next batch, to the new address."""
    with live_app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.furusato.models import Certificate, Donation

        donation_id = int(donation_url.rstrip("/").rsplit("/", 1)[1])
        cert = db.session.scalar(select(Certificate).where(Certificate.donation_id == donation_id))
        assert cert is not None and db.session.get_one(Donation, donation_id).name == "髙橋　一郎"  # spaces folded
        number = f"{cert.fiscal_year}年度 第{cert.number}号"
    page.goto(f"{base}/furusato/returns")
    page.get_by_label("証明書番号").fill(number)
    page.get_by_label("戻りの理由").select_option(label="転居先不明")
    page.get_by_role("button", name="戻りを記録する").click()
    page.locator("#returns-count", has_text="1件").wait_for()
    page.locator("#open-returns tbody tr").first.get_by_role("link", name="確認の結果を記録").click()
    page.get_by_label("対応の結果").select_option(label="住所を訂正して再送")
    page.get_by_label("郵便番号（訂正後）").fill("980-0021")
    page.get_by_label("住所（訂正後）").fill("宮城県仙台市青葉区中央1-1-1")
    page.get_by_label("経緯・備考").fill("本人に電話で確認")
    page.get_by_role("button", name="結果を記録する").click()
    page.locator("#returns-count", has_text="0件").wait_for()

    page.goto(f"{base}/furusato/certificates/batches")
    page.get_by_role("button", name="印刷バッチを作成").click()
    page.locator("#batch-state[data-batch-state='printable']").wait_for(timeout=60_000)
    assert "封筒 1通、受領証明書 1枚（うち再発行 1枚）" in page.locator("#batch-counts").inner_text()
    href = page.locator("#batch-pdf").get_attribute("href")
    resend = page.request.get(f"{base}{href}")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=resend.body(), capture_output=True,
                          check=True).stdout.decode()
    flat = "".join(text.split())  # pdftotext spaces the characters as laid out
    assert "髙橋一郎" in flat and "宮城県仙台市青葉区中央1-1-1" in flat and "再発行" in flat
    assert f"第{cert.number}号" in flat
