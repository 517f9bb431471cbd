"""The case and the resident registry: the subject the case is about (対象者), and the
requester matched against the registry (住民基本台帳との照合, 000 §6(3)①カ). Every read is
audited by app.registry.services."""

from __future__ import annotations

from app.auth.models import User
from app.counter import workflow
from app.counter.cases import CaseError, drop_fee_lines, record_event
from app.counter.models import Case, CaseState, Procedure
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import HouseholdRecord, PersonRecord
from app.registry.matching import Candidate, Entered

SUBJECT_STATES = (CaseState.received, CaseState.checking, CaseState.input)
REQUESTER_MATCH_STATES = (CaseState.received, CaseState.checking)


def needs_subject(procedure: Procedure) -> bool:
    return procedure.code != "move_in" and any(f["type"] in ("members", "member") for f in procedure.fields)


def may_have_subject(procedure: Procedure) -> bool:
    """Procedures whose case may name a subject: those that need one, and 転入 joining an
    existing household (the subject's)."""
    return needs_subject(procedure) or procedure.code == "move_in"


def subject_may_change(case: Case) -> bool:
    return case.state in SUBJECT_STATES


def can_choose_subject(case: Case, by: User) -> bool:
    return workflow.is_counter_staff(by.role) and subject_may_change(case)


def can_match_requester(by: User) -> bool:
    return workflow.is_counter_staff(by.role)


def set_subject(case: Case, resident_id: int, by: User) -> PersonRecord:
    if not subject_may_change(case):
        raise CaseError("対象者は受付・確認・入力の段階でだけ選べます。")
    person = registry.read_person(resident_id, f"窓口案件 {case.id} の対象者", by=by)
    if not person.active:
        raise CaseError(f"{person.name}さんは{person.status.label}のため、対象者にできません。", field="subject")
    note = f"対象者：住民記録 {person.id}"
    if case.form_data and case.subject_resident_id != person.id:
        # what was entered was checked against the old subject's household: enter it again
        case.form_data = {}
        drop_fee_lines(case)
        note += "（対象者が変わったため入力内容を消去）"
    case.subject_resident_id = person.id
    record_event(case, by, "subject", note)
    db.session.flush()
    return person


def subject_of(case: Case, purpose: str, by: User) -> tuple[PersonRecord, HouseholdRecord] | None:
    """The case's subject and their household (audited reads for `purpose`), if it has one."""
    if case.subject_resident_id is None:
        return None
    person = registry.read_person(case.subject_resident_id, purpose, by=by)
    return person, registry.read_household(person.household_id, purpose, by=by)


def subject_household(case: Case, by: User) -> HouseholdRecord | None:
    subject = subject_of(case, f"窓口案件 {case.id} の入力", by)
    return subject[1] if subject else None


def set_requester_resident(case: Case, resident_id: int | None, by: User) -> None:
    if case.state not in REQUESTER_MATCH_STATES:
        raise CaseError("請求者の照合は受付・確認の段階でだけ変えられます。")
    if resident_id is not None:
        registry.read_person(resident_id, f"窓口案件 {case.id} の請求者の照合", by=by)
    case.requester_resident_id = resident_id
    record_event(case, by, "requester_match",
                 f"請求者の照合：住民記録 {resident_id}" if resident_id else "請求者の照合を解除")
    db.session.flush()


def entered_person(case: Case) -> Entered:
    return Entered(name=case.requester_name, kana=case.requester_kana, birth_date=case.requester_birth_date,
                   sex=case.requester_sex or "", address=case.requester_address)


def match_requester(case: Case, by: User) -> list[Candidate]:
    """住民基本台帳との照合 (000 §6(3)①カ) of what the requester wrote."""
    entered = entered_person(case)
    if not (entered.name or entered.kana) and not entered.birth_date:
        return []
    return registry.match(entered, f"窓口案件 {case.id}：住民基本台帳との照合", by=by)


def candidates_for_page(case: Case, by: User) -> list[Candidate]:
    """The case page shows the match while the subject may still change."""
    return match_requester(case, by) if subject_may_change(case) else []
