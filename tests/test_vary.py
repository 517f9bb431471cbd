"""Every HTML answer says it varies by HX-Request (issue 13 §3, STYLE rule 8): one URL serves a
page and its fragment, so a cache must never give one for the other. The after_request hook in
app/web/htmx.py adds it; here every GET endpoint without arguments, on the demo city, opened as
a user allowed to use it, is asked for with and without `HX-Request: true`. The same walk checks
the security headers of app/web/headers.py on every HTML answer (issue 14 §4)."""

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


def secured(response: Any) -> bool:
    """The security headers of app/web/headers.py: only our own scripts, no framing, no sniffing,
    no referrer to other sites, no device features, and no copy in the browser's cache."""
    csp = response.headers.get("Content-Security-Policy", "")
    return ("script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
            and response.headers.get("X-Content-Type-Options") == "nosniff"
            and response.headers.get("Referrer-Policy") == "same-origin"
            and "camera=()" in response.headers.get("Permissions-Policy", "")
            and response.headers.get("Cache-Control") == "no-store")


def test_every_html_answer_varies_by_hx_request(app: Flask) -> None:
    demo.load()
    db.session.commit()
    clients = demo_logins.clients(app)
    url_for_endpoint = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    html, missing, unsafe = set(), [], []
    for endpoint in _parameterless_gets(app):
        for headers in ({}, AS_FRAGMENT):
            g.pop("_login_user", None)
            client = clients[demo_logins.login_for(app, endpoint)]
            response = client.get(url_for_endpoint[endpoint], headers=headers, buffered=False)
            if response.mimetype == "text/html":
                html.add(endpoint)
                if "HX-Request" not in response.vary:
                    missing.append(f"{endpoint} {headers or 'page'} {response.status_code}")
                if not secured(response):
                    unsafe.append(f"{endpoint} {headers or 'page'} {response.status_code}")
            response.close()
    assert not missing, f"HTML answers without Vary: HX-Request: {missing}"
    assert not unsafe, f"HTML answers without the security headers or no-store: {unsafe}"
    # the pages that answer with a page or a fragment are among those asked
    assert {"auth.audit_log", "counter.cases", "registry.search", "seal.new_application"} <= html
