"""One URL serves the page and its fragment (STYLE rule 8)."""

from __future__ import annotations

from htmx_flask import request


def wants_fragment() -> bool:
    """An htmx request for part of a page. A boosted link or form (hx-boost on <body>) and a
    history restore want the whole page, although they are htmx requests too."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
