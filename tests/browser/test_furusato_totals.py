"""In Chromium at 1366 px: /furusato/totals fits the window with every portal's column (the
table scrolls in its own box, the menu keeps its width), and the chart's ticks are round
amounts (issue 15 §4: the page was 1,403 px wide, ticks read 617万円, 1,234万円)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

pytestmark = pytest.mark.browser

ROUND = re.compile(r"^(0円|[1-9][0-9,]*(億|万)円|[1-9]億[1-9][0-9,]*万円)$")


@pytest.fixture
def donations_of_every_portal(live_app) -> None:
    from app.extensions import db
    from app.furusato import services
    from app.furusato.models import Donation, Donor

    with live_app.app_context():
        portals = services.sync_portals()
        donor = Donor(name="山彦 一郎", kana="ヤマビコ イチロウ", postal_code="0290000", prefecture="岩手県",
                      address="山彦市本町1-1")
        db.session.add(donor)
        db.session.flush()
        for n, portal in enumerate(portals):
            for month in (4, 5, 6, 7, 8, 9, 10, 11):
                day = date(2026, month, 1 + n)
                db.session.add(Donation(order_id=f"T{n}-{month}", portal_id=portal.id, donor_id=donor.id,
                                        amount=1_234_567 * (month - 3), name=donor.name,
                                        applied_at=datetime.combine(day, datetime.min.time()), applied_on=day,
                                        paid_on=day, payment_method="card", status="paid"))
        db.session.commit()


def test_totals_fit_1366_px_with_the_menu_intact_and_round_ticks(page, live_server, live_user, browser_login,
                                                                 donations_of_every_portal) -> None:
    browser_login(live_user("operator", scope="furusato"))
    page.goto(f"{live_server.url}/furusato/totals?date_from=2026-04-01")
    page.locator("#totals-table").wait_for()
    assert page.viewport_size["width"] == 1366
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 1366, f"the page is {scroll_width} px wide"
    assert page.locator(".side-nav").bounding_box()["width"] == pytest.approx(220, abs=1)
    ticks = page.locator("#chart text.tick").all_text_contents()
    assert len(ticks) >= 3 and all(ROUND.match(t) for t in ticks), ticks
