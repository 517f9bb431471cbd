"""One commit per request, in one place (STYLE rule 4).

A response below 400 commits the session; anything else rolls it back, so a refused form
changes nothing. A refusal answered with a redirect (a 303 back to the page, with a flash) says
discard(): what the refused step had flushed is rolled back all the same. A view that must keep
a record of a refusal (a failed login counts towards throttling) says so with keep_changes().
"""

from __future__ import annotations

from flask import Flask, Response, g

from app.extensions import db


def keep_changes() -> None:
    g.keep_changes = True


def refused_shown_again() -> None:
    """A refused step whose page is shown again (422): what the step flushed is rolled back now,
    and what showing the page records (the reads of the people it shows) is kept."""
    db.session.rollback()
    g.keep_changes = True


def discard() -> None:
    """This request changes nothing, whatever its status: a refused step answered by a redirect."""
    db.session.rollback()
    g.discard = True


def _start() -> None:
    """A request starts with no say of its own: `g` lives as long as the app context, which a
    request shares with the code around it when one is already pushed (tests, a CLI command)."""
    g.pop("discard", None)
    g.pop("keep_changes", None)


def _finish(response: Response) -> Response:
    discarded, kept = g.pop("discard", False), g.pop("keep_changes", False)
    if discarded:
        db.session.rollback()
    elif response.status_code < 400 or kept:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
