"""The queue end to end in Chromium: kiosk → counter → queue display → cashier → cashier display,
spoken calls that queue up, and a display that loses its connection and catches up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.extensions import db
from app.queue import kiosk_limit, services, streams
from tests.browser.conftest import FULL_HD, expect_call, open_display
from tests.queue.conftest import Clock, make_office

# every test here has live displays
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("displays_end")]


@pytest.fixture
def office_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from app.queue import views

    fixed = Clock()
    monkeypatch.setattr(services, "now", fixed)
    monkeypatch.setattr(views, "now", fixed)
    monkeypatch.setattr(views, "today", fixed.today)
    return fixed


@pytest.fixture
def live_office(live_app: Any, office_clock: Clock) -> Any:
    with live_app.app_context():
        office = make_office()
        return {"a": office.a.id, "b": office.b.id, "counters": {n: c.id for n, c in office.counters.items()}}


def test_kiosk_to_counter_to_displays_to_cashier(page, screen, live_server, live_user, browser_login,
                                                 live_office, shots: Path) -> None:
    queue_display = open_display(screen, f"{live_server.url}/displays/queue")
    cashier_display = open_display(screen, f"{live_server.url}/displays/cashier")

    kiosk = screen.new_page()
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1")
    kiosk.get_by_role("button", name="証明書").click()
    assert kiosk.locator("#issued-number").inner_text() == "A-001"
    assert "番号札をお取りください" in kiosk.locator(".issued").inner_text()

    browser_login(live_user("operator"))
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="1番窓口　テスト窓口1")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    page.get_by_role("button", name="次の方を呼出").click()
    assert page.locator("#current-label").inner_text() == "A-001"

    expect_call(queue_display, "A-001", "1番窓口", "Aの1番の方、1番窓口へお越しください")
    queue_display.wait_for_function("() => window.__spoken.length === 2")  # said twice, in full
    queue_display.screenshot(path=str(shots / "display-queue.png"))

    page.get_by_role("button", name="会計へ（会計待ち）").click()
    page.locator(".flash.success", has_text="A-001を会計待ちにしました。").wait_for()
    cashier_display.locator(".waiting-numbers li", has_text="A-001").wait_for()
    page.goto(f"{live_server.url}/queue/cashier")
    page.get_by_role("button", name="次の方を会計に呼出").click()
    page.locator(".flash.success", has_text="A-001を会計に呼び出しました。").wait_for()

    expect_call(cashier_display, "A-001", "会計窓口", "Aの1番の方、会計窓口へお越しください")
    cashier_display.screenshot(path=str(shots / "display-cashier.png"))
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1")
    kiosk.set_viewport_size(FULL_HD)
    kiosk.screenshot(path=str(shots / "kiosk.png"))


@pytest.mark.parametrize("app_config", [{"KIOSK_TICKETS_PER_MINUTE": 1}])
def test_a_press_past_the_kiosk_limit_says_so_and_issues_nothing(screen, live_server, live_office, office_clock,
                                                                shots: Path) -> None:
    kiosk = screen.new_page()
    kiosk.set_viewport_size(FULL_HD)
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1")
    kiosk.get_by_role("button", name="証明書").click()
    assert kiosk.locator("#issued-number").inner_text() == "A-001"
    kiosk.get_by_role("link", name="最初の画面に戻る").click()
    kiosk.get_by_role("button", name="証明書").click()
    assert kiosk.get_by_role("alert").inner_text() == kiosk_limit.MESSAGE
    assert "お待ち 1人" in kiosk.get_by_role("button", name="証明書").inner_text()  # A-001 alone
    kiosk.screenshot(path=str(shots / "kiosk-busy.png"))
    office_clock.advance(minutes=1)
    kiosk.get_by_role("button", name="証明書").click()
    assert kiosk.locator("#issued-number").inner_text() == "A-002"  # the refused press took no number


def _call(live_app: Any, counter_id: int) -> None:
    from app.core.models import Counter

    with live_app.app_context():
        services.call_next(db.session.get(Counter, counter_id), finish_current=True)
        db.session.commit()


def _issue(live_app: Any, category_id: int, n: int, clock: Clock) -> None:
    from app.queue.models import ServiceCategory

    with live_app.app_context():
        for _ in range(n):
            services.issue_ticket(db.session.get(ServiceCategory, category_id), at=clock.at)
        db.session.commit()


def test_calls_queue_up_and_are_never_cut_off(screen, live_server, live_app, live_office, office_clock) -> None:
    display = open_display(screen, f"{live_server.url}/displays/queue")
    _issue(live_app, live_office["a"], 3, office_clock)
    for number in (1, 2):
        _call(live_app, live_office["counters"][number])
    display.wait_for_function("() => window.__spoken.length === 4")
    spoken = display.evaluate("window.__spoken")
    assert [s["text"] for s in spoken] == ["Aの1番の方、1番窓口へお越しください"] * 2 + [
        "Aの2番の方、2番窓口へお越しください"] * 2
    for before, after in zip(spoken, spoken[1:], strict=False):
        assert before["end"] is not None and after["start"] >= before["end"]
    assert display.evaluate("window.__cancelled") == 0


def test_a_recalled_number_is_one_line_in_each_list(screen, live_server, live_app, live_office, office_clock) -> None:
    from app.queue.models import Ticket

    _issue(live_app, live_office["a"], 2, office_clock)
    _issue(live_app, live_office["b"], 1, office_clock)
    for number in (1, 2, 3):
        _call(live_app, live_office["counters"][number])
    with live_app.app_context():
        services.recall(db.session.query(Ticket).filter_by(letter="A", number=1).one())
        db.session.commit()
    display = open_display(screen, f"{live_server.url}/displays/queue")
    for list_id in ("now-calls", "history-calls"):
        labels = display.locator(f"#{list_id} .call .number").all_inner_texts()
        assert labels == ["A-001", "B-001", "A-002"], list_id
    with live_app.app_context():
        services.recall(db.session.query(Ticket).filter_by(letter="A", number=2).one())
        db.session.commit()
    display.locator("#now-calls .call:first-child .number", has_text="A-002").wait_for()
    for list_id in ("now-calls", "history-calls"):
        labels = display.locator(f"#{list_id} .call .number").all_inner_texts()
        assert labels == ["A-002", "A-001", "B-001"], list_id


def test_a_finished_number_leaves_the_calls_shown(screen, live_server, live_app, live_office, office_clock) -> None:
    from app.queue.models import Ticket

    _issue(live_app, live_office["a"], 2, office_clock)
    for number in (1, 2):
        _call(live_app, live_office["counters"][number])
    display = open_display(screen, f"{live_server.url}/displays/queue")
    assert display.locator("#now-calls .call .number").all_inner_texts() == ["A-002", "A-001"]
    with live_app.app_context():
        services.finish(db.session.query(Ticket).filter_by(number=1).one())
        db.session.commit()
    display.wait_for_function("() => document.querySelectorAll('#now-calls .call').length === 1")
    assert display.locator("#now-calls .call .number").all_inner_texts() == ["A-002"]
    display.reload()
    assert display.locator("#now-calls .call .number").all_inner_texts() == ["A-002"]
    assert "A-001" in display.locator("#history-calls").inner_text()


def test_a_display_that_lost_its_connection_catches_up(screen, live_server, live_app, live_office,
                                                       office_clock, monkeypatch: pytest.MonkeyPatch) -> None:
    drop = threading.Event()
    original = streams._live

    def droppable(*args: Any) -> Iterator[str]:
        for message in original(*args):
            if drop.is_set():
                return
            yield message

    monkeypatch.setattr(streams, "_live", droppable)
    display = open_display(screen, f"{live_server.url}/displays/queue")
    _issue(live_app, live_office["a"], 3, office_clock)
    _call(live_app, live_office["counters"][1])
    display.locator("#now-calls .call .number", has_text="A-001").wait_for()

    display.route("**/displays/queue/stream*", lambda route: route.abort())
    drop.set()  # the server ends the stream; the browser cannot reconnect
    display.locator("#live-state.lost").wait_for()
    drop.clear()
    _call(live_app, live_office["counters"][2])
    _call(live_app, live_office["counters"][1])
    display.unroute("**/displays/queue/stream*")

    display.locator("#live-state:not(.lost)").wait_for()
    display.locator("#now-calls .call .number", has_text="A-003").wait_for()
    labels = display.locator("#now-calls .call .number").all_inner_texts()
    assert labels[:2] == ["A-003", "A-002"]
    display.wait_for_function("() => window.yakubaAnnouncements.length === 3")
    assert display.evaluate("window.yakubaAnnouncements")[1:] == [
        "Aの2番の方、2番窓口へお越しください", "Aの3番の方、1番窓口へお越しください"]


def _busy_morning(live_app: Any, clock: Clock) -> None:
    """The demo city at 10:30: tickets in every category, calls at every counter, some at the
    cashier."""
    from app import demo
    from app.core.models import Counter

    with live_app.app_context():
        demo.load()
        categories = services.list_categories()
        clock.at = clock.at.replace(hour=9, minute=0)
        for round_ in range(4):
            for category in categories[: 10 - round_ * 2]:
                services.issue_ticket(category, at=clock.advance(minutes=1))
        db.session.commit()
        counters = sorted(db.session.query(Counter).all(), key=lambda c: c.number)
        for counter in counters + counters[:4]:
            clock.advance(minutes=2)
            ticket = services.call_next(counter, finish_current=True)
            if ticket is not None and counter.number <= 5 and ticket.number <= 2:
                services.send_to_cashier(ticket)
        for place in ("会計窓口", "会計窓口", "レジ2"):
            services.call_next_cashier(place)
        db.session.commit()


# The height of the ink of an element's text (its glyphs, not its line box), as a share of the
# screen's height: the font's own measure of the rendered characters.
INK_SHARE = """(selector) => {
  const el = document.querySelector(selector);
  const ctx = document.createElement("canvas").getContext("2d");
  const style = getComputedStyle(el);
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const m = ctx.measureText(el.textContent.trim());
  return (m.actualBoundingBoxAscent + m.actualBoundingBoxDescent) / window.innerHeight;
}"""


def test_displays_and_kiosk_fit_a_full_hd_screen_on_a_busy_morning(screen, live_server, live_app, office_clock,
                                                                   shots: Path) -> None:
    _busy_morning(live_app, office_clock)
    for name in ("queue", "cashier"):
        display = open_display(screen, f"{live_server.url}/displays/{name}")
        assert display.locator("#now-calls .call:visible").count() == 3
        # issue 15 §3: the called number's digits were 8.9% of the screen's height
        assert display.evaluate(INK_SHARE, "#now-calls .call:first-child .number") >= 0.10
        assert display.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [
            1920, 1080]
        display.screenshot(path=str(shots / f"display-{name}-busy.png"))
    # the cashier's waiting numbers were 40 px: readable across the hall now
    assert display.evaluate(INK_SHARE, ".waiting-numbers li") >= 0.04
    kiosk = screen.new_page()
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1")
    assert kiosk.locator(".kiosk-button").count() == 10
    assert kiosk.evaluate("document.documentElement.scrollHeight") <= 1080
    kiosk.screenshot(path=str(shots / "kiosk-busy.png"))


def test_a_boosted_link_to_the_counter_page_follows_its_stream(page, live_server, live_app, live_user,
                                                               browser_login, live_office, office_clock) -> None:
    """The menu's links are boosted (hx-boost on <body>): the counter page arrives without a page
    load, and its waiting list still follows the queue's stream, since every page's head loads
    the SSE extension and the queue's stylesheet."""
    browser_login(live_user("operator"))
    page.goto(f"{live_server.url}/queue/counter")
    page.get_by_label("窓口").select_option(label="1番窓口　テスト窓口1")
    page.get_by_role("button", name="この窓口で呼出を始める").click()
    page.locator("#counter-waiting").wait_for()
    page.locator(".brand a").click()  # boosted, back to the home page
    page.wait_for_url(f"{live_server.url}/")
    page.evaluate("window.__noReload = true")
    stream = page.expect_request("**/displays/queue/stream*")
    with stream:
        page.locator("nav.side-nav").get_by_role("link", name="窓口呼出").click()
    page.wait_for_url(f"{live_server.url}/queue/counter")
    assert "この窓口でお待ちの方はいません" in page.locator("#counter-waiting").inner_text()
    _issue(live_app, live_office["a"], 1, office_clock)
    page.locator("#counter-waiting", has_text="A-001").wait_for()
    assert page.evaluate("window.__noReload") is True  # no page load came in between
