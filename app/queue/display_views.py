"""The display terminals' own requests (issue 15 §3): the heartbeat a display page sends while
it is open (the terminals page shows it as 接続中), and the sound check an operator opens once on
the display's browser before setting the terminal to start sound by itself."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from app.auth.access import public
from app.devices import displays
from app.queue.views import bp

#: the Chromium flag that lets a kiosk-mode display play sound without a touch
AUTOPLAY_FLAG = "--autoplay-policy=no-user-gesture-required"


@bp.route("/displays/<any(queue, cashier):board>/ping", methods=["POST"])
@public
def display_ping(board: str) -> Response:
    """A display page's heartbeat: its terminal was seen now. 404 for a URL naming no display
    terminal of that board, so a wrong URL shows up on the terminals page as 未接続."""
    terminal = displays.display_terminal(request.args.get("terminal"), board)
    if terminal is None:
        abort(404)
    displays.seen(terminal)
    return Response(status=204)


@bp.route("/displays/<any(queue, cashier):board>/check")
@public
def display_check(board: str) -> str:
    """Opened on the display's own browser: plays the chime, says whether this browser lets the
    page play sound by itself, and how to start it in kiosk mode so that it does."""
    terminal = displays.display_terminal(request.args.get("terminal"), board)
    return render_template("queue/display_check.html", board=board, terminal=terminal, flag=AUTOPLAY_FLAG)
