"""Every page of the demo city breaks neither the Content-Security-Policy nor the
Permissions-Policy (issue 14 §4): each role opens every page of its menu, and the kiosk and the
two displays run. The `page` and `screen` fixtures fail a test on any such console error."""

from __future__ import annotations

from typing import Any

import pytest

from app import demo
from app.extensions import db
from tests.browser.conftest import open_display

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("displays_end")]


@pytest.fixture
def demo_city(live_app: Any) -> None:
    with live_app.app_context():
        demo.load()
        db.session.commit()


@pytest.mark.parametrize("username", ["admin", "supervisor", "operator", "city", "furusato-lead", "city-furusato"])
def test_every_menu_page_keeps_the_policies(page, live_server, demo_city, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("ログイン名").fill(username)
    page.get_by_label("パスワード").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")
    links = page.locator("nav.side-nav a").evaluate_all("links => links.map(a => a.href)")
    assert links
    for link in links:
        page.goto(link, wait_until="load")
        assert page.locator("main").count() == 1, link


def test_the_kiosk_and_the_displays_keep_the_policies(screen, live_server, demo_city) -> None:
    kiosk = screen.new_page()
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1", wait_until="load")
    kiosk.locator("#kiosk-buttons").wait_for()
    for board in ("queue", "cashier"):
        open_display(screen, f"{live_server.url}/displays/{board}")
