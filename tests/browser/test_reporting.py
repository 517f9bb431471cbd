"""In Chromium, with a real task consumer (issue 19, Shows): the monthly report is made with a
progress bar and its PDF has its charts (a pdftoppm picture of its pages); an inquiry recorded
from a donor's page is on the donor's timeline; a disposal is applied for by the supervisor,
approved by the city, carried out, and the records are gone and the disposal recorded.

Closing a supplier's month is walked in tests/browser/test_settlement.py."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.test_furusato import furusato_live  # noqa: F401  (fixture)
from tests.consumer import Consumer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHART_BLUE = (0x00, 0x72, 0xB2)  # the charts' first series (app/core/charts.py PALETTE)


@pytest.fixture
def app_config(task_consumer: Consumer) -> dict[str, Any]:
    return {"TASK_QUEUE_URL": task_consumer.url, "TASK_LEASE_SECONDS": task_consumer.lease_seconds}


def _previous_month() -> date:
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def donations(live_app: Any, furusato_live: None) -> dict[str, int]:  # noqa: F811
    """Donations of last month on three portals, one donor to call, and a donation of six years ago."""
    from app.core import services as core_services
    from app.demo import DEMO_CITY
    from app.extensions import db
    from app.furusato import services
    from app.furusato.models import Donation, Donor

    month = _previous_month()
    with live_app.app_context():
        if core_services.get_municipality() is None:
            core_services.save_municipality(DEMO_CITY)
        ids = {}
        for n in range(60):
            portal = services.portal_by_code(("choice", "rakuten", "furunavi")[n % 3])
            day = month + timedelta(days=n % 28)
            donor = Donor(name=f"寄附者 {n}", kana="キフシャ", phone=f"03000000{n:02d}", phone_key=f"03000000{n:02d}",
                          postal_code="1000001", prefecture="東京都", address=f"東京都千代田区千代田{n}-1")
            db.session.add(donor)
            db.session.flush()
            db.session.add(Donation(order_id=f"M{n}", portal_id=portal.id, donor_id=donor.id, amount=10_000 + n * 1000,
                                    name=donor.name, postal_code="1000001", prefecture="東京都", address=donor.address,
                                    applied_at=datetime.combine(day, datetime.min.time()), applied_on=day,
                                    paid_on=day, payment_method="card", status="paid", gift_name="りんご",
                                    use="子育て支援" if n % 2 else "観光振興"))
            ids.setdefault("donor", donor.id)
        old_day = date.today().replace(year=date.today().year - 6, day=1)
        old = Donor(name="古川 昔子", kana="フルカワ ムカシコ", postal_code="0210000", prefecture="岩手県",
                    address="岩手県一関市1-1")
        db.session.add(old)
        db.session.flush()
        row = Donation(order_id="OLD1", portal_id=services.portal_by_code("choice").id, donor_id=old.id,
                       amount=5_000, name=old.name, postal_code="0210000", prefecture="岩手県", address=old.address,
                       applied_at=datetime.combine(old_day, datetime.min.time()), applied_on=old_day, paid_on=old_day,
                       payment_method="card", status="posted")
        db.session.add(row)
        db.session.commit()
        ids["old"] = row.id
    return ids


def _blue_pixels(png: Path) -> int:
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(n for n, pixel in colours if all(abs(a - b) < 40 for a, b in zip(pixel, CHART_BLUE, strict=True)))


def _as(page: Any, browser_login: Any, username: str) -> None:
    page.context.clear_cookies()
    browser_login(username)


def test_report_inquiry_and_disposal(page: Any, live_app: Any, live_server: Any, live_user: Any, browser_login: Any,
                                     donations: dict[str, int], task_consumer: Consumer, tmp_path: Path) -> None:
    task_consumer.start()
    base = live_server.url
    operator, supervisor, city = (live_user(r, scope="furusato") for r in ("operator", "supervisor", "city_staff"))
    _as(page, browser_login, operator)

    # The monthly report of last month, made in the background with a progress bar.
    month = _previous_month()
    page.goto(f"{base}/furusato/reports")
    page.get_by_label("対象の月（例：2026-11）").fill(f"{month:%Y-%m}")
    page.get_by_role("button", name="業務報告書を作成する").click()
    page.locator(".task-progress").wait_for()
    page.locator("#report-state[data-report-state='draft']").wait_for(timeout=60_000)
    href = page.locator("#report-pdf").get_attribute("href")
    got = page.request.get(f"{base}{href}")
    assert got.status == 200 and got.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(got.body())
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page")],
                   check=True)
    shot = next(tmp_path.glob("page-*2.png"))
    assert _blue_pixels(shot) > 2_000  # the portal bar chart and the day-by-day line are drawn
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "ポータル別の寄附金額" in text and "日別の寄附件数" in text

    _inquiry_on_the_timeline(page, base, donations["donor"])
    _disposal(page, browser_login, base, supervisor, city)
    with live_app.app_context():
        from app.extensions import db
        from app.furusato.models import Donation

        old = db.session.get(Donation, donations["old"])
        assert (old.name, old.address, old.amount) == ("", "", 5_000)


def _inquiry_on_the_timeline(page: Any, base: str, donor_id: int) -> None:
    """An inquiry recorded from the donor's page is on the donor's timeline."""
    page.goto(f"{base}/furusato/donors/{donor_id}")
    page.get_by_role("link", name="問い合わせを記録する").click()
    page.locator("#inquiry-form").wait_for()
    assert page.get_by_label("寄附者番号").input_value() == str(donor_id)
    page.get_by_label("分類").select_option(label="返礼品")
    page.get_by_label("問い合わせの内容").fill("りんごが傷んでいた")
    page.get_by_role("button", name="問い合わせを記録する").click()
    page.locator("#donor-timeline", has_text="返礼品（電話・対応中）：りんごが傷んでいた").wait_for()


def _disposal(page: Any, browser_login: Any, base: str, supervisor: str, city: str) -> None:
    """A disposal: applied for by the supervisor, approved by the city, carried out."""
    _as(page, browser_login, supervisor)
    page.goto(f"{base}/furusato/retention")
    assert page.locator("#retention-kinds tr[data-kind='donation'] .due-count").inner_text() == "1"
    page.get_by_role("button", name="廃棄を申請する").click()
    page.locator("#disposal-state[data-disposal-state='requested']").wait_for()
    disposal_url = page.url
    assert page.get_by_role("button", name="廃棄を実施する").count() == 0  # not before the approval
    _as(page, browser_login, city)
    page.goto(disposal_url)
    page.get_by_label("判断").select_option(label="承認する")
    page.get_by_role("button", name="判断を記録する").click()
    page.locator("#disposal-state[data-disposal-state='approved']").wait_for()
    _as(page, browser_login, supervisor)
    page.goto(disposal_url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="廃棄を実施する").click()
    page.locator("#disposal-done", has_text="記録1件").wait_for(timeout=60_000)
    page.goto(f"{base}/furusato/retention")
    assert page.locator("#retention-kinds tr[data-kind='donation'] .due-count").inner_text() == "0"
    assert "廃棄済み" in page.locator("#disposal-list").inner_text()
