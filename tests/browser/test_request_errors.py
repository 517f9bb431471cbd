"""A page that fails an htmx request says why, in Japanese (issue 13 §3): a click refused since
the page was opened (403) and an expired page (400, CSRF) show a banner over the page, which
stays as it was; a 422 that answers with the whole page shows the form's own errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

pytestmark = pytest.mark.browser


def _calendar_as_admin(page: Any, live_server: Any, live_user: Any, browser_login: Any) -> str:
    username = live_user("admin")
    browser_login(username)
    page.locator("nav.side-nav").get_by_role("link", name="開庁カレンダー", exact=True).click()
    page.get_by_label("開庁日").fill("2027-03-06")  # (filling waits for the page)
    return username


def _demote(live_app: Flask, username: str) -> None:
    """Another administrator takes the role away while the page is open."""
    from app.auth.models import Role, Scope, User
    from app.extensions import db

    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.role, user.scope = Role.supervisor, Scope.counter
        db.session.commit()


def test_a_refused_click_says_why(page, live_app, live_server, live_user, browser_login) -> None:
    username = _calendar_as_admin(page, live_server, live_user, browser_login)
    _demote(live_app, username)
    page.get_by_role("button", name="指定する").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "この画面を使う権限がありません" in alert.inner_text()
    assert page.get_by_label("開庁日").input_value() == "2027-03-06"  # the page stays as it was
    page.get_by_role("button", name="閉じる").click()
    assert not page.get_by_role("alert").is_visible()


def test_an_expired_page_says_so(page, live_app, live_server, live_user, browser_login) -> None:
    _calendar_as_admin(page, live_server, live_user, browser_login)
    page.evaluate("""() => {
        document.querySelectorAll('input[name=csrf_token]').forEach((i) => { i.value = 'expired'; });
        document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'expired'}));
    }""")
    page.get_by_role("button", name="指定する").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "画面の有効期限が切れました" in alert.inner_text() and "CSRF" in alert.inner_text()
    assert page.get_by_label("開庁日").input_value() == "2027-03-06"


def test_a_refused_filter_shows_the_form_with_its_errors(page, live_server, live_user, browser_login) -> None:
    """The audit log's filter asks for its rows only; a 422 answers with the whole page, which
    replaces the page so the form says what to correct."""
    browser_login(live_user("supervisor"))
    page.locator("nav.side-nav").get_by_role("link", name="監査ログ", exact=True).click()
    page.get_by_label("開始日").wait_for()
    page.evaluate("""() => {
        const day = document.querySelector('input[name=date_from]');
        day.type = 'text';
        day.value = 'いつか';
    }""")
    page.get_by_role("button", name="検索").click()
    page.locator(".field.has-error").first.wait_for()
    assert page.locator("main h1").count() == 1  # one page, not a page inside the rows
