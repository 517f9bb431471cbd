"""The app as wsgi.py builds it, plus one view whose statement fails on a value from its form, for
the log tests (tests/test_logs.py): `make_app()` is what their servers load."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import text

from app import create_app
from app.auth.access import public
from app.extensions import csrf, db

FAILING_PATH = "/_test/failing-statement"


def add_failing_view(app: Flask) -> Flask:
    """POST name=…: an INSERT that the database refuses with that value in it (NOT NULL of the
    other columns: PostgreSQL quotes the failing row, SQLite's driver the parameters). No CSRF
    token: the tests sign in and need no page of a programme to find one."""
    @public
    def failing_statement() -> str:
        db.session.execute(text("INSERT INTO users (username) VALUES (:name)"), {"name": request.form["name"]})
        return "not reached"

    app.add_url_rule(FAILING_PATH, "failing_statement", csrf.exempt(failing_statement), methods=["POST"])
    return app


def make_app() -> Flask:
    return add_failing_view(create_app())
