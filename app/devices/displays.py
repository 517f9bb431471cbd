"""Display terminals (窓口案内表示・会計呼出表示): which terminal a public screen is, its heartbeat,
and its sound setting (issue 15 §3).

A display is a browser, not an agent: it has no token. Its URL names its terminal
(`/displays/queue?terminal=display-1`), and the page pings while it is open, so the terminals
page can show it as 接続中 like an agent that polls.
"""

from __future__ import annotations

from datetime import timedelta

from app.core.dates import now
from app.devices.models import Terminal, TerminalKind
from app.devices.services import terminal_by_code

#: the board each kind of display shows
BOARD_OF = {TerminalKind.queue_display: "queue", TerminalKind.cashier_display: "cashier"}
#: how often an open display pings, and how long after its last sign of life a terminal still
#: counts as connected (two pings missed)
PING_SECONDS = 60
LIVE_WITHIN = timedelta(seconds=PING_SECONDS * 2 + 30)


def is_display(terminal: Terminal) -> bool:
    return terminal.kind in BOARD_OF


def display_terminal(code: str | None, board: str) -> Terminal | None:
    """The active display terminal of that code that shows `board`, if the URL names one."""
    terminal = terminal_by_code(code.strip()) if code else None
    if terminal is None or not terminal.active or BOARD_OF.get(terminal.kind) != board:
        return None
    return terminal


def seen(terminal: Terminal) -> None:
    """A sign of life from the terminal (an agent's poll, a display's ping)."""
    terminal.last_seen_at = now()


def is_live(terminal: Terminal) -> bool:
    """Connected now: the terminal was heard from within LIVE_WITHIN."""
    return terminal.last_seen_at is not None and now() - terminal.last_seen_at <= LIVE_WITHIN
