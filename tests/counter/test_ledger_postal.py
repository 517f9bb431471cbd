"""郵便請求 (issue 21): the register of mailed requests opens a case (requester kind 郵便請求) that
goes through the usual checks, input and city review; its fee is paid at the register by
定額小為替, and the mailed-out date is recorded with the change returned as 小為替 or stamps."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.counter import checks, inputs, issue, review
from app.counter.checks import CheckInput
from app.counter.ledgers import postal
from app.counter.ledgers.models import PostalRequest
from app.counter.ledgers.plates import LedgerError
from app.counter.models import CaseState, RequesterKind
from app.devices import services as devices
from app.extensions import db
from app.register import services as register
from tests.register.conftest import new_key

DAY = date(2026, 12, 7)
REQUEST = postal.PostalInput(DAY, "郵便 花子", "山彦市本町2-2", "family_register_copy", 1, 500, 1, "12-345678")
ENTRY = {"copies": "1", "kind": "full", "domicile": "山彦市本町2番地", "domicile_head": "郵便 太郎",
         "purpose": "年金の手続"}


@pytest.fixture
def terminal(app) -> Any:
    terminal, _ = devices.create_terminal(devices.NewTerminal("register-postal", "会計 レジ", "register"))
    return terminal


def _through_review(case: Any, operator: Any, city: Any) -> None:
    checks.save_checks(case, CheckInput(requester_kind="postal", requester_name="郵便 花子",
                                        identity_docs=["drivers_license"], content_checked=True,
                                        documents_checked=["交付請求書"]), operator)
    checks.confirm_checks(case, operator)
    inputs.save_input(case, ENTRY, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    issue.issue(case, operator)


def test_a_postal_request_from_receipt_through_review_to_the_mailed_certificate(operator, city, terminal) -> None:
    request = postal.receive(REQUEST, today=DAY, by=operator)
    case = postal.case_of(request)
    assert case is not None and case.requester_kind == RequesterKind.postal and case.state == CaseState.received
    assert list(db.session.scalars(postal.open_query())) == [request]

    with pytest.raises(LedgerError, match="収納（定額小為替）が済んでから"):
        postal.record_mailing(request, postal.MailingInput(DAY, "none"), today=DAY, by=operator)

    _through_review(case, operator, city)
    assert case.state == CaseState.payment
    bill = register.bill_for_source("case", case.id)
    assert register.quote_bill(bill).total == 450
    register.take_payment(bill.id, terminal, register.PaymentInput("postal_money_order", 500, new_key(), "12-345678"),
                          operator)
    assert case.state == CaseState.done
    assert postal.payment_of(request).change == 50

    with pytest.raises(LedgerError) as refused:
        postal.record_mailing(request, postal.MailingInput(DAY, "none"), today=DAY, by=operator)
    assert refused.value.field == "change_form" and "50円" in refused.value.message
    postal.record_mailing(request, postal.MailingInput(DAY, "stamps"), today=DAY, by=operator)
    assert (request.mailed_on, request.change_amount, request.change_form) == (DAY, 50, "stamps")
    assert list(db.session.scalars(postal.open_query())) == []


def test_a_request_missing_its_details_is_refused_all_at_once_and_nothing_is_opened(operator) -> None:
    bad = postal.PostalInput(None, " ", "", "move_in", 0, 300, 0)
    with pytest.raises(LedgerError) as refused:
        postal.receive(bad, today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {
        "received_on", "requester_name", "requester_address", "procedure_code", "copies", "money_order_count"}
    assert db.session.query(PostalRequest).count() == 0


def test_the_postal_pages_receive_and_list(client, login_as, procedures) -> None:
    login_as("operator")
    response = client.post("/counter/ledgers/postal", data={
        "received_on": "2026-12-01", "requester_name": "郵便 花子", "requester_address": "山彦市本町2-2",
        "procedure_code": "family_register_copy", "copies": "１", "money_order_amount": "５００",
        "money_order_count": "1", "reply_envelope": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)
    request = db.session.query(PostalRequest).one()
    assert (request.copies, request.money_order_amount) == (1, 500)
    body = client.get("/counter/ledgers/postal").get_data(as_text=True)
    assert "未発送の郵便請求" in body and "郵便 花子" in body and "1件" in body
    page = client.get(f"/counter/ledgers/postal/{request.id}").get_data(as_text=True)
    assert "500円（1枚）" in page and "未収納" in page
