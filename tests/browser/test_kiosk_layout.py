"""The kiosk at the sizes it is installed at (issue 15 §3): a portrait 1080×1920 screen and a
1280×1024 one. No word is broken inside (a label's rendered lines end only where the text allows
a break), every category button is fully on the screen, and portrait leaves no large empty band.
Screenshots go to $YAKUBA_SCREENSHOTS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import demo
from app.extensions import db
from tests.browser.test_queue import office_clock  # noqa: F401  (fixture)
from tests.queue.conftest import Clock

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("displays_end")]

SIZES = {"portrait": {"width": 1080, "height": 1920}, "sxga": {"width": 1280, "height": 1024},
         "fullhd": {"width": 1920, "height": 1080}}
LABELS = ".kiosk-header h1, .kiosk-header .sub, .kiosk-lead, .kiosk-button .name-text, .kiosk-button .desc, " \
         ".kiosk-button .wait, .kiosk-button .limit"
# A line may end after these or before these (Japanese punctuation, spaces): nowhere else.
BREAK_AFTER = " 　、。・）」/"
BREAK_BEFORE = " 　（「"

# For each label: its text and the offsets in it where a rendered line begins (after the first).
RENDERED_LINES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest(".desc, .name-text, .wait, .limit, .sub, h1, .kiosk-lead") === el
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT });
  let text = "", breaks = [], lastTop = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = Array.from(range.getClientRects()).find((r) => r.width > 0);
      if (rect) {
        if (lastTop !== null && rect.top > lastTop + rect.height / 2) { breaks.push(text.length); }
        lastTop = rect.top;
      }
      text += node.data[i];
    }
  }
  return { text: text.replace(/\\s+/g, " "), raw: text, breaks };
})"""


@pytest.fixture
def demo_kiosk(live_app: Any, office_clock: Clock) -> None:  # noqa: F811
    with live_app.app_context():
        demo.load()
        db.session.commit()


def bad_breaks(label: dict[str, Any]) -> list[str]:
    """The places where a rendered line begins although the text allows no break there."""
    raw = label["raw"]
    wrong = []
    for at in label["breaks"]:
        before, after = raw[:at].rstrip(), raw[at:]
        if not before or before[-1] in BREAK_AFTER or after[:1] in BREAK_BEFORE or raw[at - 1].isspace():
            continue
        wrong.append(f"{raw[:at].strip()}/{after.strip()}")
    return wrong


@pytest.mark.parametrize("size", SIZES)
def test_the_kiosk_breaks_no_word_and_shows_every_button(browser, live_server, demo_kiosk, shots: Path,
                                                         size: str) -> None:
    viewport = SIZES[size]
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=viewport)
    kiosk = context.new_page()
    kiosk.goto(f"{live_server.url}/kiosk/kiosk-1")
    kiosk.locator(".kiosk-button").first.wait_for()
    kiosk.evaluate("() => document.fonts.ready")
    kiosk.screenshot(path=str(shots / f"kiosk-{size}.png"))

    labels = kiosk.evaluate(RENDERED_LINES, LABELS)
    assert len(labels) >= 3 * 10
    broken = [bad for label in labels for bad in bad_breaks(label)]
    assert not broken, broken
    names = [label["text"].strip() for label in labels]
    assert "住民異動" in names and "マイナンバーカード" in names

    # One script finds and measures the buttons: the stream's first "waiting" event swaps them for
    # new ones, and a locator's look-up and its evaluation are two steps that a swap can fall between
    # (seen: every box 0×0 at the top left).
    boxes = kiosk.evaluate(
        "() => Array.from(document.querySelectorAll('.kiosk-button')).map((b) => {"
        " const r = b.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    assert len(boxes) == 10
    for left, top, right, bottom in boxes:
        assert left >= 0 and top >= 0 and right <= viewport["width"] and bottom <= viewport["height"], boxes
    overflowing = kiosk.evaluate("() => document.documentElement.scrollHeight > window.innerHeight")
    assert not overflowing
    lowest = max(bottom for *_, bottom in boxes)
    assert viewport["height"] - lowest < 0.1 * viewport["height"], f"{viewport['height'] - lowest}px left empty"
    context.close()
