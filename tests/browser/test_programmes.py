"""Access by programme in the real browser (issue 14 §1): the counter's operator and the donation
office's each see only their own programme's menu, and a URL of the other one answers 403."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

COUNTER_MENU = {"窓口業務", "会計"}
FURUSATO_MENU = {"ふるさと納税"}


def _menu_groups(page) -> set[str]:
    return set(page.locator("nav.side-nav h2").all_inner_texts())


def test_the_counter_operator_sees_no_donation_menu_and_is_refused_a_donation_page(
        page, live_server, live_user, browser_login) -> None:
    browser_login(live_user("operator", scope="counter"))
    groups = _menu_groups(page)
    assert COUNTER_MENU & groups and not FURUSATO_MENU & groups
    assert "窓口業務" in page.locator(".site-header .user").inner_text()
    response = page.goto(f"{live_server.url}/furusato/donations")
    assert response is not None and response.status == 403
    assert "権限" in page.content()


def test_the_donation_office_sees_no_counter_menu_and_is_refused_a_counter_page(
        page, live_server, live_user, browser_login) -> None:
    browser_login(live_user("operator", scope="furusato"))
    groups = _menu_groups(page)
    assert groups >= FURUSATO_MENU and not COUNTER_MENU & groups
    for path in ("/counter/", "/registry/", "/register", "/seal/", "/queue/counter"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 403, path
