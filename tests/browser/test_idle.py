"""The page's own requests do not keep an idle session alive (issue 14 §4 "Idle timeout"): a
terminal's page polls its jobs every 3 s; the polls carry X-Yakuba-Background and leave the
session's last action as it was, and a person's click moves it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

pytestmark = pytest.mark.browser
POLLS = 3


def _terminal(live_app: Flask) -> int:
    from app.devices import services as devices
    from app.extensions import db

    with live_app.app_context():
        terminal, _ = devices.create_terminal(devices.NewTerminal("register-idle", "会計 レジ", "register"))
        db.session.commit()
        return terminal.id


def _last_seen(live_app: Flask, page: Any) -> str:
    """The last person's action, as the browser's session cookie says."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    return live_app.session_interface.get_signing_serializer(live_app).loads(cookie["value"])["last_seen"]


def test_polls_do_not_count_as_activity_and_a_click_does(page, live_app, live_server, live_user,
                                                          browser_login) -> None:
    terminal_id = _terminal(live_app)
    browser_login(live_user("admin"))
    page.goto(f"{live_server.url}/devices/terminals/{terminal_id}")
    seen = _last_seen(live_app, page)
    for _ in range(POLLS):
        with page.expect_request_finished(lambda r: f"/devices/terminals/{terminal_id}" in r.url) as poll:
            pass
        assert poll.value.headers.get("x-yakuba-background") == "1"
        assert poll.value.response().status == 200
    assert _last_seen(live_app, page) == seen
    with page.expect_request_finished(lambda r: r.url.rstrip("/") == live_server.url) as click:
        page.get_by_role("link", name="役場業務システム").first.click()
    assert "x-yakuba-background" not in click.value.headers
    page.wait_for_url(f"{live_server.url}/")
    assert _last_seen(live_app, page) > seen


@pytest.mark.usefixtures("displays_end")
def test_a_stream_and_the_refreshes_it_triggers_do_not_count(page, live_app, live_server, live_user,
                                                             browser_login) -> None:
    """The cashier's list follows the register's stream and refreshes on its events
    (hx-trigger="sse:bills"): neither the stream nor the refresh is a person's action."""
    from datetime import date

    from app.extensions import db
    from app.register import services
    from app.register.fees import Item, seed_default_fees

    with live_app.app_context():
        seed_default_fees(date(2020, 4, 1))
        db.session.commit()
    browser_login(live_user("operator", "cashier"))
    with page.expect_request(lambda r: "/register/bills/stream" in r.url) as stream:
        page.goto(f"{live_server.url}/register")
    assert "text/event-stream" in stream.value.headers.get("accept", "")
    page.locator("#open-bills").wait_for()
    seen = _last_seen(live_app, page)
    refreshed = page.expect_request_finished(lambda r: r.url.split("?")[0].endswith("/register"))
    with refreshed as refresh, live_app.app_context():
        services.open_bill("test", "B-002", "山彦 一郎", [Item("resident_record_copy", 1)], ticket_number="B-002")
        db.session.commit()
    assert refresh.value.headers.get("x-yakuba-background") == "1"
    page.locator("#open-bills", has_text="B-002").wait_for()
    assert _last_seen(live_app, page) == seen


def test_logging_out_unloads_the_page_so_nothing_of_it_answers_afterwards(page, live_app, live_server, live_user,
                                                                          browser_login) -> None:
    """A boosted logout kept the page's document: a refresh it had under way came back after the
    session was gone, and its 401 sent the browser to the login page a second time, past whatever
    the person did next. Logging out is a real navigation, which ends the page's requests."""
    terminal_id = _terminal(live_app)
    browser_login(live_user("admin"))
    page.goto(f"{live_server.url}/devices/terminals/{terminal_id}")
    page.evaluate("window.yakubaBeforeLogout = true")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{live_server.url}/login")
    page.get_by_label("ログイン名").wait_for()
    assert page.evaluate("window.yakubaBeforeLogout === undefined")
