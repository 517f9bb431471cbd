"""The demo accounts as the URL-walking tests use them: for each endpoint, the most able demo
account that may open it (its role and its programme), and a signed-in client per account."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import select

from app import demo
from app.auth.access import declaration
from app.auth.models import User
from app.extensions import db

ORDER = ("admin", "supervisor", "furusato-lead", "operator", "furusato", "city", "city-furusato")


def clients(app: Flask) -> dict[str | None, Any]:
    """A signed-in test client per demo account (by login name), and None for a visitor."""
    signed_in: dict[str | None, Any] = {None: app.test_client()}
    for username in ORDER:
        client = app.test_client()
        g.pop("_login_user", None)  # the requests share the test's app context (and so `g`)
        response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        signed_in[username] = client
    return signed_in


def login_for(app: Flask, endpoint: str) -> str | None:
    """The demo account to open the endpoint with; None when it is public."""
    allowed = declaration(app, endpoint)
    if allowed is None:
        return None
    users = {user.username: user for user in db.session.scalars(select(User).where(User.username.in_(ORDER)))}
    return next(name for name in ORDER if allowed.admits(users[name]))
