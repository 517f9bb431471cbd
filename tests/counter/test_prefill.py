"""Card prefill: the card-face AP's result fills the requester and runs the registry match;
the individual number is never stored or logged."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.counter import card_reads
from app.counter.cases import CaseError
from app.counter.models import Case, CaseEvent
from tests.registry.factories import yamabiko_family

NUMBER = "537686677188"


def card(**overrides: object) -> dict[str, object]:
    return {"name": "山彦\u3000太郎", "address": "岩手県一関市竹山町７番２号", "birth_date": "1980-05-05",
            "sex": "1", "my_number_valid": True, "my_number_masked": "＊＊＊＊＊＊＊＊7188", **overrides}


def test_card_fills_the_requester_and_finds_the_resident(open_case, operator) -> None:
    household = yamabiko_family()
    case = open_case()
    result = card_reads.prefill_from_card(case, card(), operator)
    assert (case.requester_name, case.requester_sex) == ("山彦\u3000太郎", "1")
    assert case.requester_birth_date.isoformat() == "1980-05-05"
    assert "my_number_card" in case.identity_docs and case.card_read_at is not None
    assert result.matched is not None and result.matched.id == household.members[0].id
    assert case.requester_resident_id == case.subject_resident_id == household.members[0].id
    assert case.state == "checking"
    assert result.masked_number is None  # a 住民票 request does not need the number shown


def test_masked_number_is_shown_only_where_the_procedure_needs_it(open_case, operator) -> None:
    yamabiko_family()
    result = card_reads.prefill_from_card(open_case("my_number_e_certificate"), card(), operator)
    assert result.masked_number == "＊＊＊＊＊＊＊＊7188"


def test_a_difference_from_the_registry_is_reported_not_matched(open_case, operator) -> None:
    yamabiko_family()
    case = open_case()
    result = card_reads.prefill_from_card(case, card(address="岩手県一関市新町1番1号"), operator)
    assert result.matched is None and case.requester_resident_id is None
    assert [d.field for d in result.candidates[0].differences] == ["address"]


@pytest.mark.parametrize(("face", "message"), [
    (card(my_number_valid=False), "検査用数字"),
    (card(birth_date="1980-13-40"), "生年月日"),
    (card(sex="3"), "券面事項"),
    (card(name=""), "券面事項"),
])
def test_a_bad_read_changes_nothing(open_case, operator, face, message) -> None:
    case = open_case()
    with pytest.raises(CaseError, match=message):
        card_reads.prefill_from_card(case, face, operator)
    assert case.requester_birth_date is None and case.identity_docs == []


def test_not_after_the_checks(checked_case, operator) -> None:
    case = checked_case()
    with pytest.raises(CaseError, match="受付・確認の段階"):
        card_reads.prefill_from_card(case, card(), operator)


def test_the_number_is_never_stored_or_logged(open_case, operator, db_session) -> None:
    yamabiko_family()
    case = open_case("my_number_e_certificate")
    card_reads.prefill_from_card(case, {**card(), "my_number": NUMBER}, operator)
    db_session.flush()
    stored = [json.dumps(row, default=str, ensure_ascii=False) for row in (
        *(vars(c) for c in db_session.scalars(select(Case))),
        *(vars(e) for e in db_session.scalars(select(CaseEvent))),
        *(vars(a) for a in db_session.scalars(select(AuditEntry))),
    )]
    # the masked form is not kept either (a bare "7188" could be part of a timestamp)
    assert not any(NUMBER in text or "＊7188" in text for text in stored)


def test_pin_messages_give_tries_left_and_send_a_blocked_card_to_the_reset(procedures) -> None:
    assert card_reads.card_pin_message(2) == "暗証番号が違います。あと2回間違えるとロックされます。"
    blocked = card_reads.card_pin_message(0)
    assert "ロックされています" in blocked and "暗証番号再設定申請受付" in blocked
    assert card_reads.card_pin_message(None, blocked=True) == blocked
