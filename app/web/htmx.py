"""One URL serves the page and its fragment (STYLE rule 8)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template
from htmx_flask import request


def wants_fragment(target: str | None = None) -> bool:
    """An htmx request for part of a page (for the element `target`, when given). A boosted
    link or form (hx-boost on <body>) and a history restore want the whole page, although they
    are htmx requests too."""
    htmx = request.htmx
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def page_or_fragment(page: str, fragment: str, *, target: str | None = None,
                     **context: Any) -> str:
    """The full page, or only its fragment (a `_name.html` partial the page includes) for an
    htmx request that asks for part of the page."""
    return render_template(fragment if wants_fragment(target) else page, **context)


def _vary(response: Response) -> Response:
    """Every HTML response may differ by HX-Request: a cache must not serve a fragment for a
    page or a page for a fragment."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary)
