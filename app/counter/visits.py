"""Reception (受付): one visitor at the counter, one case for each procedure asked for."""

from __future__ import annotations

from collections.abc import Sequence

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.counter import catalog
from app.counter.cases import CaseError, record_opening
from app.counter.models import Case, CaseState, Procedure, Visit
from app.extensions import db


def open_visit(visitor_name: str, procedure_codes: Sequence[str], by: User,
               ticket_id: int | None = None) -> Visit:
    """Reception: one visitor, one or more procedures (one case each); `ticket_id` is the
    numbered ticket the visitor was called with. A visitor called with a ticket may come
    without a name: the card read gives it (card_reads.prefill_from_card)."""
    name = visitor_name.strip()
    if not name and ticket_id is None:
        raise CaseError("来庁者の氏名を入力してください（番号札のない方は必須です）。", field="visitor_name")
    procedures = [catalog.get_procedure(code) for code in procedure_codes]
    if not procedures:
        raise CaseError("手続を1つ以上選んでください。", field="procedures")
    if any(p is None or not p.active for p in procedures):
        raise CaseError("選んだ手続に、使用されていないものがあります。", field="procedures")
    visit = Visit(visitor_name=name, ticket_id=ticket_id, created_by_id=by.id)
    db.session.add(visit)
    for procedure in procedures:
        assert procedure is not None
        add_case(visit, procedure, by)
    db.session.flush()
    audit.record("create", "visit", visit.id, f"来庁者 {name or '（番号札の方）'}：{len(procedures)}件", by=by)
    return visit


def ticket_state(visit: Visit) -> str:
    """Where the visitor's numbered ticket is now, in the queue's words ("" without a ticket)."""
    return visit.ticket.state.label if visit.ticket else ""


def add_case(visit: Visit, procedure: Procedure, by: User) -> Case:
    at = now()
    case = Case(visit=visit, procedure=procedure, state=CaseState.received, state_since=at, created_at=at,
                requester_name=visit.visitor_name, operator_id=by.id, identity_docs=[],
                documents_checked=[], form_data={})
    db.session.add(case)
    record_opening(case, by, procedure.name)
    db.session.flush()
    audit.record("create", "case", case.id, procedure.name, by=by)
    return case
