"""Browser tests: Playwright drives Debian's Chromium against a live server on 127.0.0.1.

Without /usr/bin/chromium they are skipped with the reason shown, except in CI (CI=true),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from app import create_app
from tests.conftest import PASSWORD, make_config
from tests.live import LiveServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _require_browser() -> None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; browser tests are required in CI")
    pytest.skip(message)


@pytest.fixture
def live_app(database_url: str, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(make_config(database_url, **app_config))
    yield app
    with app.app_context():
        from app.extensions import db
        app.extensions["yakuba_events"].close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_user(live_app: Flask) -> Callable[..., Any]:
    """Create a user in the live server's database."""
    from app.auth import services
    from app.extensions import db

    def make(role: str, username: str | None = None) -> str:
        with live_app.app_context():
            user = services.create_user(username or f"{role}-user", f"{role} 太郎", role, PASSWORD)
            db.session.commit()
            return user.username

    return make


@pytest.fixture
def browser_login(page: Any, live_server: LiveServer) -> Callable[[str], None]:
    def login(username: str) -> None:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("ログイン名").fill(username)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(f"{live_server.url}/")

    return login
