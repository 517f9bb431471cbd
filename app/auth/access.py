"""Deny by default: every view declares who may use it, or it answers 403.

A view is either `@public` (a short list: login, kiosk, displays, static, health, the agent API
which checks its own token) or `@roles(...)`. A view also belongs to a programme: the one its
blueprint `serves`, or the one its `@roles(..., programme=)` names; a user reaches it only with
the role and the programme (000 別紙 §10, 004 特記事項 §10: each contract's personal data for its
own purpose only). A blueprint that serves no programme (sign-in, the home page, settings, the
task pages) is open to every scope and filters its data by `User.programmes`. The access test
walks the URL map and fails on any endpoint that declares neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from flask import Blueprint, Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from app.auth.models import Programme, Role
from app.config import settings
from app.core.dates import now

F = TypeVar("F", bound=Callable[..., object])

ALL_STAFF = tuple(Role)
PUBLIC_ATTR = "yakuba_public"
ROLES_ATTR = "yakuba_roles"
PROGRAMME_ATTR = "yakuba_programme"


@dataclass(frozen=True)
class Declared:
    """Who may use an endpoint: these roles, within this programme (None: any programme)."""

    roles: frozenset[str]
    programme: Programme | None

    def admits(self, user: object) -> bool:
        if getattr(user, "role", None) not in self.roles:
            return False
        return self.programme is None or self.programme in getattr(user, "programmes", ())


def public(view: F) -> F:
    setattr(view, PUBLIC_ATTR, True)
    return view


def serves(bp: Blueprint, programme: Programme) -> Blueprint:
    """Every view of the blueprint belongs to the programme (unless it names another)."""
    setattr(bp, PROGRAMME_ATTR, programme)
    return bp


def roles(*names: str, programme: Programme | None = None) -> Callable[[F], F]:
    unknown = {name for name in names if not Role.has(name)}
    if unknown or not names:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: F) -> F:
        setattr(view, ROLES_ATTR, frozenset(names))
        if programme is not None:
            setattr(view, PROGRAMME_ATTR, programme)
        return view

    return decorate


def roles_in_demo(base: tuple[str, ...], demo: tuple[str, ...]) -> Callable[[F], F]:
    """Roles that depend on the deployment: `base` normally, `demo` in demo mode (YAKUBA_DEMO),
    for pages such as the device simulator that every tester should reach in a demo."""

    def decorate(view: F) -> F:
        setattr(view, ROLES_ATTR, lambda app: frozenset(demo if settings(app).DEMO_MODE else base))
        return view

    return decorate


_DECLARATIONS = "yakuba_declarations"


def declaration(app: Flask, endpoint: str) -> Declared | None:
    """Who may use an endpoint; None means public. KeyError if it declares nothing. Read once
    per app and endpoint: the menu asks it of every item on every page (issue 22)."""
    known: dict[str, Declared | None] = app.extensions.setdefault(_DECLARATIONS, {})
    if endpoint not in known:
        known[endpoint] = _declared(app, endpoint)
    return known[endpoint]


def _declared(app: Flask, endpoint: str) -> Declared | None:
    if endpoint == "static" or endpoint.endswith(".static"):
        return None
    view = app.view_functions[endpoint]
    if getattr(view, PUBLIC_ATTR, False):
        return None
    declared = getattr(view, ROLES_ATTR, None)
    if declared is None:
        raise KeyError(endpoint)
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    programme = getattr(view, PROGRAMME_ATTR, None) or getattr(blueprint, PROGRAMME_ATTR, None)
    return Declared(declared(app) if callable(declared) else declared, programme)


def may_use(endpoint: str, user: object) -> bool:
    """Whether `user` may use the endpoint, as its view declares: what a page asks before it
    offers a button for it (templates never spell roles)."""
    allowed = declaration(current_app, endpoint)
    return allowed is None or allowed.admits(user)


#: What the page sends with the requests no person asked for (static/js/activity.js): polls
#: (hx-trigger="every …"), refreshes on a stream's event, the follow-ups a fragment sends on load.
BACKGROUND_HEADER = "X-Yakuba-Background"


def _by_a_person() -> bool:
    """Whether the request is a person's action, the only thing that keeps a session from idling
    out (issue 14 §4 "Idle timeout"): not a request the page sent by itself (BACKGROUND_HEADER),
    nor an event stream (EventSource can send no header of ours, but asks for text/event-stream)."""
    if request.headers.get(BACKGROUND_HEADER):
        return False
    return "text/event-stream" not in request.headers.get("Accept", "")


def _idle_expired() -> bool:
    last = session.get("last_seen")
    limit = timedelta(minutes=settings().IDLE_TIMEOUT_MINUTES)
    return last is not None and now() - datetime.fromisoformat(last) > limit


def enforce() -> object | None:
    """before_request hook."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 / 405 are answered by Flask itself
    try:
        allowed = declaration(current_app, endpoint)
    except KeyError:
        abort(403)
    if allowed is None:
        return None
    if current_user.is_authenticated and _idle_expired():
        logout_user()
        session.clear()
        flash("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。", "warning")
    if not current_user.is_authenticated:
        target = request.full_path if request.query_string else request.path
        if request.headers.get("HX-Request"):
            return "", 401, {"HX-Redirect": url_for("auth.login", next=target)}
        return redirect(url_for("auth.login", next=target))
    if not allowed.admits(current_user):
        abort(403)
    if _by_a_person():
        session["last_seen"] = now().isoformat()
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce)
