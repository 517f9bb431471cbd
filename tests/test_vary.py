"""Every HTML answer says it varies by HX-Request (issue 13 §3, STYLE rule 8): one URL serves a
page and its fragment, so a cache must never give one for the other. The after_request hook in
app/web/htmx.py adds it; here every GET endpoint without arguments, on the demo city, opened as
a user allowed to use it, is asked for with and without `HX-Request: true`."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g

from app import demo
from app.extensions import db
from tests import demo_logins

AS_FRAGMENT = {"HX-Request": "true"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"DEMO_MODE": True}


def _parameterless_gets(app: Flask) -> list[str]:
    return sorted(rule.endpoint for rule in app.url_map.iter_rules()
                  if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static")


def test_every_html_answer_varies_by_hx_request(app: Flask) -> None:
    demo.load()
    db.session.commit()
    clients = demo_logins.clients(app)
    url_for_endpoint = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    html, missing = set(), []
    for endpoint in _parameterless_gets(app):
        for headers in ({}, AS_FRAGMENT):
            g.pop("_login_user", None)
            client = clients[demo_logins.login_for(app, endpoint)]
            response = client.get(url_for_endpoint[endpoint], headers=headers, buffered=False)
            if response.mimetype == "text/html":
                html.add(endpoint)
                if "HX-Request" not in response.vary:
                    missing.append(f"{endpoint} {headers or 'page'} {response.status_code}")
            response.close()
    assert not missing, f"HTML answers without Vary: HX-Request: {missing}"
    # the pages that answer with a page or a fragment are among those asked
    assert {"auth.audit_log", "counter.cases", "registry.search", "seal.new_application"} <= html
