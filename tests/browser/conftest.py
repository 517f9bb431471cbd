"""Browser tests: Playwright drives Debian's Chromium against a live server on 127.0.0.1.

Without /usr/bin/chromium they are skipped with the reason shown, except in CI (CI=true),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD, user_name
from tests.live import LiveServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FULL_HD = {"width": 1920, "height": 1080}
# Records what a display says, and ends each utterance after a moment, as a voice would.
FAKE_SPEECH = """
window.__spoken = []; window.__cancelled = 0;
Object.defineProperty(window, "speechSynthesis", { value: {
  speak(u) {
    const entry = { text: u.text, start: performance.now(), end: null };
    window.__spoken.push(entry);
    setTimeout(() => { entry.end = performance.now(); u.onend && u.onend(); }, 250);
  },
  cancel() { window.__cancelled += 1; },
  getVoices() { return []; },
}});
"""
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

# How long a step waits for the page (a click's target, a text): generous, because two test
# workers share two cores; a page that never shows the thing still fails.
BROWSER_WAIT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What Chromium says on the console when a page breaks the Content-Security-Policy or the
# Permissions-Policy of app/web/headers.py (issue 14 §4): every browser test fails on it.
# Playwright's wait_for_function takes a function ("() => ..."): a bare expression is run
# with eval, which the policy refuses.
POLICY_ERRORS = ("Content Security Policy", "Permissions-Policy", "Permissions policy")
# Chromium's own message names no element: this one says which script and element broke it.
SAY_WHERE = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  "Content Security Policy:", e.violatedDirective, e.sourceFile, e.lineNumber, e.columnNumber,
  (e.target && e.target.outerHTML || "").slice(0, 200)));"""


def watch_policies(context: Any) -> list[str]:
    """The console errors of every page of `context` that name a broken policy, as they come."""
    broken: list[str] = []

    def seen(message: Any) -> None:
        if any(words in message.text for words in POLICY_ERRORS):
            broken.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", seen)
    context.add_init_script(SAY_WHERE)
    return broken


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                  viewport={"width": 1366, "height": 900})
    broken = watch_policies(context)
    page = context.new_page()
    page.set_default_timeout(BROWSER_WAIT_MS)
    yield page
    context.close()
    assert not broken, sorted(set(broken))


@pytest.fixture
def live_user(live_app: Flask, programme: str) -> Callable[..., Any]:
    """Create a user in the live server's database (in the test's programme unless named)."""
    from app.auth import services
    from app.extensions import db

    def make(role: str, username: str | None = None, *, scope: str | None = None) -> str:
        scope = "all" if role == "admin" else scope or programme
        with live_app.app_context():
            user = services.create_user(username or user_name(role, scope), f"{role} 太郎", role, PASSWORD,
                                        scope=scope)
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


@pytest.fixture
def displays_end(browser: Any, live_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For tests with live displays (server-sent events): streams notice a display that went
    away at their next write (a heartbeat at the latest). At the end every browser page is
    closed and the test waits for its streams to end, so none outlives the test's server and
    database."""
    from app.queue import streams

    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.3)
    yield
    for context in list(browser.contexts):
        context.close()
    deadline = time.monotonic() + 15
    while streams.open_streams(live_app) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert streams.open_streams(live_app) == 0


@pytest.fixture
def screen(browser: Any, displays_end: None) -> Iterator[Any]:
    """A 1920x1080 display screen, without a login, whose speech is recorded."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=FULL_HD)
    broken = watch_policies(context)
    context.add_init_script(FAKE_SPEECH)
    yield context
    context.close()
    assert not broken, sorted(set(broken))


def open_display(screen: Any, url: str) -> Any:
    """Open a queue or cashier display on the screen and wait until its live stream is up."""
    display = screen.new_page()
    display.set_default_timeout(BROWSER_WAIT_MS)
    display.goto(url)
    display.locator("#live-state:not(.lost)").wait_for()
    return display


def expect_call(display: Any, label: str, place: str, announcement: str) -> None:
    """Wait until the display shows `label` called to `place` at the top, and check that it
    announced exactly `announcement` so far."""
    called = display.locator("#now-calls .call").first
    called.locator(".number", has_text=label).wait_for()
    assert called.locator(".place").inner_text() == place
    display.wait_for_function("() => window.yakubaAnnouncements.length === 1")
    assert display.evaluate("window.yakubaAnnouncements") == [announcement]


def open_pin_pad(page: Any, url: str) -> Any:
    """The visitor-facing PIN pad (/devices/pad) on a second window of the operator's browser,
    as the counter's second screen that faces the visitor."""
    pad = page.context.new_page()
    pad.set_default_timeout(BROWSER_WAIT_MS)
    pad.goto(url)
    pad.locator(".pin-pad").first.wait_for()
    return pad


def type_pin(pad: Any, pin: str) -> None:
    """The visitor types the PIN on the pad's large keys and presses 決定; the pad has it once
    it shows the next screen."""
    form = pad.locator('.pin-pad[data-phase="pin"]').first
    form.wait_for()
    for digit in pin:
        form.get_by_role("button", name=digit, exact=True).click()
    form.get_by_role("button", name="決定").click()
    pad.locator('.pin-pad:not([data-phase="pin"])').first.wait_for()
