"""Display terminals in Chromium (issue 15 §3): a display page that names its terminal shows up
as 接続中 on the terminals page; the sound check page tells a browser started with the kiosk
autoplay flag from one that needs a touch; a terminal set to start sound shows no button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.devices import services as device_services
from app.extensions import db
from tests.browser.conftest import BROWSER_WAIT_MS, CHROMIUM, CHROMIUM_ARGS, FULL_HD, open_display

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("displays_end")]


@pytest.fixture
def display_terminals(live_app: Any) -> None:
    with live_app.app_context():
        for code, sound in (("display-quiet", False), ("display-loud", True)):
            terminal, _ = device_services.create_terminal(device_services.NewTerminal(code, f"表示 {code}",
                                                                                      "queue_display"))
            terminal.sound = sound
        db.session.commit()


def test_an_open_display_is_connected_on_the_terminals_page(page, screen, live_server, live_user, browser_login,
                                                            display_terminals) -> None:
    browser_login(live_user("admin"))
    page.goto(f"{live_server.url}/admin/terminals")
    assert "未接続" in page.locator('[data-terminal="display-quiet"]').inner_text()
    display = open_display(screen, f"{live_server.url}/displays/queue?terminal=display-quiet")
    display.wait_for_load_state("networkidle")
    assert display.locator("#sound-unlock").count() == 1
    page.reload()
    assert page.locator('[data-terminal="display-quiet"]').inner_text().startswith("接続中")
    assert "未接続" in page.locator('[data-terminal="display-loud"]').inner_text()


# Chromium's default policy (document-user-activation-required) keeps a page's AudioContext
# suspended until someone touches the page; the kiosk flag lets it play at once.
KIOSK_FLAG = "--autoplay-policy=no-user-gesture-required"


def test_a_display_set_to_start_sound_shows_no_button_even_before_a_touch(screen, live_server,
                                                                          display_terminals, shots: Path) -> None:
    quiet = open_display(screen, f"{live_server.url}/displays/queue?terminal=display-quiet")
    quiet.locator("#sound-unlock").wait_for()  # visible: this browser needs a touch
    loud = open_display(screen, f"{live_server.url}/displays/queue?terminal=display-loud")
    assert loud.locator("#sound-unlock").count() == 0
    loud.screenshot(path=str(shots / "display-sound-enabled.png"))


def _check(browser: Any, url: str, shots: Path | None = None) -> str:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=FULL_HD)
    check = context.new_page()
    check.set_default_timeout(BROWSER_WAIT_MS)
    check.goto(url)
    check.locator('#autoplay-state:not([data-state="checking"])').wait_for()
    state = check.locator("#autoplay-state").get_attribute("data-state")
    if shots is not None:
        assert KIOSK_FLAG in check.locator("#kiosk-command").inner_text()
        check.screenshot(path=str(shots / "display-sound-check.png"))
    context.close()
    return state


def test_the_check_page_tells_whether_the_browser_plays_sound_by_itself(browser, live_server, display_terminals,
                                                                        shots: Path) -> None:
    url = f"{live_server.url}/displays/queue/check?terminal=display-loud"
    assert _check(browser, url) == "blocked"
    kiosk = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, KIOSK_FLAG])
    try:
        assert _check(kiosk, url, shots) == "allowed"
    finally:
        kiosk.close()
