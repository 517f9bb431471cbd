"""Security headers beyond the walk of every parameterless page in tests/test_vary.py (issue 14
§4): the answers with personal data or a secret that have arguments or come from a POST (a new
terminal token, an export, an error page) carry them too; only the static assets may be cached."""

from __future__ import annotations

from flask import Flask, Response

from app.devices import services as device_services
from app.extensions import db
from tests.test_vary import secured


def test_a_new_terminal_token_and_an_export_are_never_cached(client, login_as) -> None:
    terminal, _ = device_services.create_terminal(device_services.NewTerminal("kiosk-9", "玄関 発券機", "kiosk"))
    db.session.commit()
    login_as("admin")
    token_page = client.post(f"/admin/terminals/{terminal.id}/token")
    assert token_page.status_code == 200 and "トークン" in token_page.get_data(as_text=True)
    export = client.get("/audit.csv")
    assert export.mimetype == "text/csv"
    assert secured(token_page) and secured(export)


def test_error_pages_and_refused_forms_carry_the_headers(client) -> None:
    assert secured(client.get("/no-such-page"))
    refused = client.post("/login", data={"username": "nobody", "password": "x"})
    assert refused.status_code == 422 and secured(refused)


def test_static_assets_may_be_cached_but_are_not_sniffed(client) -> None:
    script = client.get("/static/vendor/htmx.min.js")
    assert script.status_code == 200 and script.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in script.headers.get("Cache-Control", "")
    script.close()


def test_a_pdf_is_never_cached_and_opens_in_the_browsers_viewer(app: Flask) -> None:
    with app.test_request_context("/counter/cases/1/certificate.pdf"):
        response = app.process_response(Response(b"%PDF-1.4", mimetype="application/pdf"))
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
