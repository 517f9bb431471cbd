"""Deny by default: every endpoint in the URL map, for every role in every programme scope and
for a visitor (issue 14 §1: a counter operator must not reach donor data, nor the donation
office the counter's).

The parametrisation is built from the URL map itself, so a new endpoint is covered the moment
it is registered, and one that declares no roles fails here.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import Rule

from app import create_app
from app.auth.access import declaration
from app.auth.models import Programme, Role, Scope
from tests.conftest import make_config

_APP = create_app(make_config("sqlite://"))
#: A visitor, then each role in each programme; an admin works in every programme or in one.
WHO = ("anonymous", *(f"{role.value}/{scope.value}" for role in Role for scope in Scope
                      if scope is not Scope.all or role is Role.admin))


def _rules() -> list[Rule]:
    return sorted((r for r in _APP.url_map.iter_rules() if r.endpoint != "static"),
                  key=lambda r: r.rule)


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for rule in _rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for who in WHO:
                cases.append((rule.endpoint, method, who))
    return cases


def test_every_endpoint_declares_who_may_use_it() -> None:
    undeclared = []
    for rule in _rules():
        try:
            declaration(_APP, rule.endpoint)
        except KeyError:
            undeclared.append(rule.endpoint)
    assert undeclared == []


def test_the_access_matrix_covers_every_endpoint() -> None:
    covered = {endpoint for endpoint, _, _ in _cases()}
    assert covered == {r.endpoint for r in _rules()}


def _url_for(app: Flask, endpoint: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.rule
    for converter in re.findall(r"<([^>]+)>", rule.rule):
        kind = converter.split(":")[0] if ":" in converter else "string"
        url = url.replace(f"<{converter}>", "999999" if kind == "int" else "no-such-thing")
    return url


def test_each_programme_s_pages_are_its_own() -> None:
    served = {rule.endpoint: declaration(_APP, rule.endpoint) for rule in _rules()}
    programmes = {endpoint: d.programme for endpoint, d in served.items() if d is not None}
    assert {e for e, p in programmes.items() if p is Programme.furusato} == {
        e for e in programmes if e.startswith("furusato.")}
    for prefix in ("counter.", "registry.", "register.", "seal.", "queue.", "devices."):
        assert {programmes[e] for e in programmes if e.startswith(prefix)} == {Programme.counter}, prefix


@pytest.mark.parametrize(("endpoint", "method", "who"), _cases())
def test_access(app: Flask, client, login_as, endpoint: str, method: str, who: str) -> None:
    allowed = declaration(app, endpoint)
    if who != "anonymous":
        role, scope = who.split("/")
        login_as(role, programme=scope)
    response = client.open(_url_for(app, endpoint), method=method, data={},
                           buffered=True)
    if allowed is None:
        assert response.status_code != 403
        assert "/login?" not in response.headers.get("Location", "") or endpoint == "auth.login"
    elif who == "anonymous":
        assert response.status_code in (302, 401)
        assert "/login" in response.headers.get("Location", "") + response.headers.get(
            "HX-Redirect", "")
    elif role in allowed.roles and (allowed.programme is None or allowed.programme in Scope(scope).programmes):
        assert response.status_code not in (401, 403)
        assert "/login?" not in response.headers.get("Location", "")
    else:
        assert response.status_code == 403
