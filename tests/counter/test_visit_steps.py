"""Issue 15 §1, the visit made short without dropping a check: reception from the called ticket
(its category's procedures first, no name to type), the defaults of the request's form, the
checks and the form confirmed in one step (a refusal of either saves nothing), and the events
that keep the case page and the work lists live."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.core import events
from app.core import services as core
from app.core.desk import SESSION_KEY
from app.counter import catalog
from app.counter.cases import CASES_CHANNEL, case_channel
from app.counter.models import Case
from app.demo import DEMO_CITY
from app.extensions import db
from app.queue import services as queue
from app.queue.models import Ticket
from app.register.fees import seed_default_fees
from tests.conftest import PASSWORD
from tests.registry.factories import yamabiko_family


@pytest.fixture
def called(app, db_session, make_user) -> dict[str, Any]:
    """Counter 4 has called ticket A-001 (証明書); the operator is signed in at counter 4."""
    catalog.load()
    seed_default_fees(date(2020, 4, 1))
    core.save_municipality(DEMO_CITY)
    household = yamabiko_family()
    desk = core.save_counter(None, 4, "証明書", "citizens")
    category = queue.save_category(None, queue.CategoryInput(
        code="certificate", name="証明書", letter="A", counter_ids=(desk.id,), minutes_per_ticket=5, sort_order=1))
    queue.issue_ticket(category, check_hours=False)
    ticket = queue.call_next(desk)
    operator = make_user("operator", "op")
    db.session.commit()
    return {"counter_id": desk.id, "ticket_id": ticket.id, "household": household, "operator": operator}


def _sign_in(client, called: dict[str, Any]) -> None:
    client.post("/login", data={"username": "op", "password": PASSWORD})
    with client.session_transaction() as session:
        session[SESSION_KEY] = called["counter_id"]


def _fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get_one(Case, case_id)


def test_the_called_ticket_offers_its_categorys_procedures(client, called) -> None:
    _sign_in(client, called)
    counter_page = client.get("/queue/counter").get_data(as_text=True)
    assert 'id="ticket-reception"' in counter_page and 'value="resident_record_copy"' in counter_page
    assert 'accesskey="n"' in counter_page and "アクセスキー" in counter_page
    reception = client.get("/counter/reception").get_data(as_text=True)
    first = reception[reception.index('id="ticket-procedures"'):reception.index("<details")]
    assert "住民票の写しの交付" in first and "転入届" not in first  # other categories one click away
    assert "転入届" in reception[reception.index("<details"):]


def test_a_called_visitor_is_received_without_typing_a_name(client, called) -> None:
    _sign_in(client, called)
    response = client.post("/counter/reception", data={"procedures": "resident_record_copy"})
    assert response.status_code == 303, response.get_data(as_text=True)
    case = db.session.get_one(Case, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    assert (case.visit.visitor_name, case.visit.ticket_id) == ("", called["ticket_id"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "番号札 A-001 の方" in page and 'value="1"' in page  # 通数 1 by default


def test_without_a_ticket_the_name_is_still_needed(client, called) -> None:
    _sign_in(client, called)
    queue.finish(db.session.get_one(Ticket, called["ticket_id"]))
    db.session.commit()
    response = client.post("/counter/reception", data={"procedures": "resident_record_copy"})
    assert response.status_code == 422
    assert "番号札のない方は必須" in response.get_data(as_text=True)
    assert db.session.query(Case).count() == 0


def _received_with_subject(client, called) -> int:
    response = client.post("/counter/reception", data={"procedures": "resident_record_copy"})
    case_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    head = called["household"].members[0]
    assert client.post(f"/counter/cases/{case_id}/subject", data={"resident_id": head.id}).status_code == 303
    return case_id


CHECKS = {"requester_kind": "self", "requester_name": "山彦 太郎", "identity_docs": "drivers_license",
          "content_checked": "y", "documents_checked": "交付請求書"}


def test_checks_and_form_in_one_step_refused_save_nothing(client, called) -> None:
    _sign_in(client, called)
    case_id = _received_with_subject(client, called)
    head = called["household"].members[0]
    form = {**CHECKS, "copies": "1", "scope": "selected", "members": str(head.id), "then": "request_review"}
    refused = client.post(f"/counter/cases/{case_id}/checks", data=form)  # no 使用目的
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "何も保存されていません" in page and "使用目的" in page
    assert 'value="山彦 太郎"' in page  # what was typed stays
    case = _fresh(case_id)
    assert (case.state, case.content_checked, case.form_data) == ("received", False, {})  # as it was

    done = client.post(f"/counter/cases/{case_id}/checks", data={**form, "purpose": "勤務先へ提出"})
    assert done.status_code == 303, done.get_data(as_text=True)
    case = _fresh(case_id)
    assert case.state == "review_requested" and case.content_checked and case.documents_checked == ["交付請求書"]
    assert case.form_data["purpose"] == "勤務先へ提出" and case.form_data["copies"] == 1
    assert [e.action for e in case.events][-3:] == ["confirm_checks", "input", "request_review"]


def test_a_check_missing_refuses_the_whole_step(client, called) -> None:
    _sign_in(client, called)
    case_id = _received_with_subject(client, called)
    head = called["household"].members[0]
    form = {**CHECKS, "content_checked": "", "copies": "1", "scope": "selected", "members": str(head.id),
            "purpose": "勤務先へ提出", "then": "request_review"}
    refused = client.post(f"/counter/cases/{case_id}/checks", data=form)
    assert refused.status_code == 422 and "記載内容" in refused.get_data(as_text=True)
    assert _fresh(case_id).state in ("received", "checking") and _fresh(case_id).form_data == {}


def test_each_change_of_state_is_published_for_the_live_pages(client, called) -> None:
    _sign_in(client, called)
    case_id = _received_with_subject(client, called)
    with events.subscribe([case_channel(case_id), CASES_CHANNEL]) as inbox:
        client.post(f"/counter/cases/{case_id}/checks", data={**CHECKS, "then": "confirm"})
        got = [inbox.get(timeout=5) for _ in range(4)]  # 受付 → 確認 → 入力, on both channels
    assert [(e.channel, e.data["state"]) for e in got if e.data["state"] == "input"] == [
        (case_channel(case_id), "input"), (CASES_CHANNEL, "input")]
