"""The counter's busiest pages (issue 22, bench/pages.py) run a fixed number of SQL statements:
the numbers are pinned, so a change that adds a query to one of them says so here, and they do
not grow with the rows a page shows (no query per row: no lazy load from a template). What they
keep a copy of per process (the catalog, app/core/cache.py) shows an edit on the next page, in
this process and in another one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app import create_app, demo
from app.auth.models import User
from app.core.models import Counter
from app.counter import visits
from app.counter.models import CaseState, Procedure
from app.extensions import db
from app.register.fees import Item
from app.register.services import open_bill
from app.web import nav
from tests import demo_logins
from tests.conftest import CsrfClient, make_config, own_files

# Statements per page once signed in (the login's own user query included), in a warm process,
# not counting the transaction's BEGIN, which only SQLite's driver sends as a statement.
PINNED = {
    "/queue/counter": 8,
    "/counter/reception": 5,
    "case": 8,
    "/register": 8,
    "/counter/?list=review": 5,
}


#: the demo data no page here shows (the donation programme's, the seal's, the reports' month)
LEFT_OUT = ("furusato", "seal", "staff", "bereavement", "reports")


@pytest.fixture
def office(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # the header's office status, at an hour the office is open: once it has closed, it also
    # looks up the next opening (a special opening day), a statement more on every page
    monkeypatch.setattr(nav, "now", lambda: datetime(2026, 11, 19, 10, 0))
    demo.load(leave_out=LEFT_OUT)
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    case = visits.open_visit("来庁者 一", ["resident_record_copy"], operator).cases[0]
    reviewed = visits.open_visit("来庁者 二", ["resident_record_copy"], operator).cases[0]
    reviewed.state = CaseState.review_requested
    counter_id = db.session.scalar(select(Counter.id).order_by(Counter.number).limit(1))
    db.session.commit()
    signed_in = demo_logins.clients(app)
    g.pop("_login_user", None)
    assert signed_in["operator"].post("/queue/counter/select", data={"counter_id": counter_id}).status_code == 303
    return {"clients": signed_in, "case": case.id, "operator": operator}


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    db.session.rollback()
    event.listen(db.engine, "before_cursor_execute", spy)
    yield seen
    event.remove(db.engine, "before_cursor_execute", spy)


def _count(office: dict[str, Any], statements: list[str], page: str) -> int:
    path = f"/counter/cases/{office['case']}" if page == "case" else page
    user = "city" if page == "/counter/?list=review" else "operator"
    office["clients"][user].get(path)  # warm: what the process caches (the city's name) is read once
    g.pop("_login_user", None)
    statements.clear()
    response = office["clients"][user].get(path)
    assert response.status_code == 200, (page, response.status_code)
    db.session.rollback()
    return len(statements)


def test_each_busy_page_runs_its_pinned_statements(office: dict[str, Any], statements: list[str]) -> None:
    assert {page: _count(office, statements, page) for page in PINNED} == PINNED


def test_the_pages_do_not_query_per_row(office: dict[str, Any], statements: list[str]) -> None:
    before = {page: _count(office, statements, page) for page in PINNED}
    operator = db.session.merge(office["operator"])
    for n in range(6):
        open_bill("test", 100 + n, f"来庁者 {n}", [Item("resident_record_copy", 1), Item("seal_certificate", 2)])
        case = visits.open_visit(f"来庁者 {n}", ["resident_record_copy", "seal_certificate"], operator).cases[0]
        case.state = CaseState.review_requested
    db.session.commit()
    after = {page: _count(office, statements, page) for page in PINNED}
    assert after == before


def test_a_warm_reception_reads_no_catalog(office: dict[str, Any], statements: list[str]) -> None:
    _count(office, statements, "/counter/reception")
    assert statements and not [s for s in statements if "counter_procedures" in s]


def _edit_procedure(admin: FlaskClient, code: str, name: str) -> None:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    form = {"name": name, "department": procedure.department, "ticket_category": procedure.ticket_category,
            "applicants": procedure.applicants, "identity": procedure.identity.value,
            "documents": "\n".join(procedure.documents), "handover": "\n".join(procedure.handover),
            "fee_code": procedure.fee_code, "review_required": "y" if procedure.review_required else "",
            "active": "y" if procedure.active else ""}
    g.pop("_login_user", None)
    assert admin.post(f"/counter/catalog/{procedure.id}", data=form).status_code == 303
    db.session.rollback()


def _page(client: FlaskClient, path: str) -> str:
    g.pop("_login_user", None)
    db.session.rollback()
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_catalog_edit_shows_at_once_in_this_process_and_another(
        app: Flask, office: dict[str, Any], database_url: str, tmp_path: Any) -> None:
    other = create_app(make_config(database_url, **own_files(tmp_path / "other", {})))
    other.test_client_class = CsrfClient
    db.session.rollback()  # on SQLite a transaction holds the lock the other process waits for
    try:
        with other.app_context():
            there = demo_logins.clients(other)["operator"]
        here, admin = office["clients"]["operator"], office["clients"]["admin"]
        for client in (here, there):  # both processes hold the catalog
            assert "住民票の写しの交付" in _page(client, "/counter/reception")
        _edit_procedure(admin, "resident_record_copy", "住民票の写しの交付（窓口）")
        for client in (here, there):
            assert "住民票の写しの交付（窓口）" in _page(client, "/counter/reception")
            assert "住民票の写しの交付（窓口）" in _page(client, "/counter/?list=search")
    finally:
        with other.app_context():
            other.extensions["yakuba_events"].close()
            db.session.remove()
            db.engine.dispose()


def test_saved_queue_settings_reach_another_process_at_its_next_read(
        app: Flask, database_url: str, tmp_path: Any) -> None:
    from app.queue import services as queue

    other = create_app(make_config(database_url, **own_files(tmp_path / "other", {})))
    try:
        with other.app_context():
            assert queue.settings().cashier_place == "会計窓口"  # the defaults, now kept there
            db.session.rollback()
        queue.save_settings(queue.SettingsInput(3, "2番会計"))
        db.session.commit()
        with other.app_context():
            assert (queue.settings().recalls_before_no_show, queue.settings().cashier_place) == (3, "2番会計")
    finally:
        with other.app_context():
            other.extensions["yakuba_events"].close()
            db.session.remove()
            db.engine.dispose()
