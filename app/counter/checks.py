"""確認 (000 §6(1)①ア〜エ, §7(1)): who asks, the identity check, the form's content and the
required documents, recorded and then confirmed against the rules of app/counter/rules.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.counter import catalog, rules, workflow
from app.counter.cases import CaseError, guard, move, start_check
from app.counter.models import Case, CaseState, Procedure, RequesterKind, ThirdPartyReason
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import PersonRecord, RegistryError

# Set from the check form as they are; the texts are stripped.
AS_ENTERED = ("requester_kind", "requester_kana", "requester_birth_date", "requester_phone",
              "identity_alternative_used", "power_of_attorney", "content_checked")
STRIPPED = ("requester_name", "requester_address", "third_party_reason", "third_party_documents",
            "official_office", "official_basis")


@dataclass
class CheckInput(rules.Recorded):
    """The check form: what was recorded, and who the requester says they are."""

    requester_name: str = ""
    requester_kana: str = ""
    requester_birth_date: date | None = None
    requester_address: str = ""
    requester_phone: str = ""


def _input_problems(data: CheckInput) -> list[Problem]:
    problems = []
    if data.requester_kind not in set(RequesterKind):
        problems.append(Problem("requester_kind", "請求者の区分を選んでください。"))
    if not data.requester_name.strip():
        problems.append(Problem("requester_name", "請求者・届出者の氏名を入力してください。"))
    if not set(data.identity_docs) <= set(catalog.identity_document_labels()):
        problems.append(Problem("identity_docs", "本人確認書類を一覧から選んでください。"))
    if data.third_party_reason_kind and data.third_party_reason_kind not in set(ThirdPartyReason):
        problems.append(Problem("third_party_reason", "請求事由の区分を選んでください。"))
    return problems


def save_checks(case: Case, data: CheckInput, by: User) -> None:
    """Record what was seen in the 確認 step (the case moves from 受付 to 確認 if needed)."""
    if case.state == CaseState.received:
        start_check(case, by)
    if case.state != CaseState.checking:
        raise CaseError(f"確認内容は状態が「確認」の案件でだけ変更できます（現在：{case.state.label}）。")
    problems = _input_problems(data)
    if problems:
        raise CaseError.of(problems)
    for name in AS_ENTERED:
        setattr(case, name, getattr(data, name))
    for name in STRIPPED:
        setattr(case, name, getattr(data, name).strip())
    case.third_party_reason_kind = data.third_party_reason_kind or None
    case.identity_docs = sorted(set(data.identity_docs))
    case.documents_checked = [d for d in case.procedure.documents if d in data.documents_checked]
    db.session.flush()
    audit.record("update", "case", case.id, "確認内容の記録", by=by)


def can_edit_checks(case: Case, by: User) -> bool:
    return workflow.is_counter_staff(by.role) and case.state in workflow.CHECK_STATES


def asked_for(procedure: Procedure) -> set[str]:
    """The check form's fields beyond the common ones that the procedure asks for: the inquiry
    letter where it may stand for the documents, and what each kind of requester it accepts
    must show."""
    kinds = set(procedure.applicants)
    fields = {"identity_alternative_used"} if procedure.identity_alternative else set()
    if RequesterKind.proxy in kinds:
        fields.add("power_of_attorney")
    if RequesterKind.third_party in kinds:
        fields |= {"third_party_reason_kind", "third_party_reason", "third_party_documents"}
    if RequesterKind.official in kinds:
        fields |= {"official_office", "official_basis"}
    return fields


def recorded_for(case: Case) -> set[str]:
    """What the case's kind of requester had to show, for the summary of the checks."""
    return {RequesterKind.proxy: {"power_of_attorney"},
            RequesterKind.third_party: {"third_party_reason", "third_party_documents"},
            RequesterKind.official: {"official_office", "official_basis"}}.get(case.requester_kind, set())


def open_problems(case: Case, by: User) -> list[Problem]:
    """While the checks are being recorded, what still stops the case (shown beside the form)."""
    return check_problems(case, by) if case.state == CaseState.checking else []


def required_documents(procedure: Procedure) -> list[str]:
    """Documents marked as conditional in the catalog (「…の場合」「お持ちの方」) are not demanded."""
    return [d for d in procedure.documents if "場合" not in d and "お持ちの方" not in d]


def _rules_view(procedure: Procedure) -> rules.ProcedureRules:
    return rules.ProcedureRules(
        name=procedure.name, law=procedure.law, applicants=list(procedure.applicants),
        identity=procedure.identity, identity_alternative=procedure.identity_alternative,
        proxy_authority=procedure.proxy_authority, documents=required_documents(procedure))


def _person(resident_id: int | None, by: User) -> PersonRecord | None:
    if resident_id is None:
        return None
    try:
        return registry.read_person(resident_id, "窓口案件の確認", by=by)
    except RegistryError:
        return None


def _recorded(case: Case, by: User) -> rules.Checks:
    requester, subject = _person(case.requester_resident_id, by), _person(case.subject_resident_id, by)
    return rules.Checks(
        requester_kind=case.requester_kind, identity_docs=list(case.identity_docs),
        identity_alternative_used=case.identity_alternative_used, power_of_attorney=case.power_of_attorney,
        third_party_reason_kind=case.third_party_reason_kind or "", third_party_reason=case.third_party_reason,
        third_party_documents=case.third_party_documents, official_office=case.official_office,
        official_basis=case.official_basis, content_checked=case.content_checked,
        documents_checked=list(case.documents_checked),
        requester_resident_id=case.requester_resident_id, subject_resident_id=case.subject_resident_id,
        requester_household_id=requester.household_id if requester else None,
        subject_household_id=subject.household_id if subject else None)


def check_problems(case: Case, by: User) -> list[Problem]:
    """Every rule of 000 §6(1)①ア〜エ and §7(1) the case does not yet meet."""
    docs = catalog.identity_documents()
    checks, p = _recorded(case, by), _rules_view(case.procedure)
    return [*rules.eligibility_problems(p, checks),
            *rules.identity_problems(p, checks, set(docs["photo"]), set(docs.get("card", {})),
                                     catalog.identity_document_labels()),
            *rules.reception_problems(p, checks)]


def confirm_checks(case: Case, by: User) -> None:
    """確認 → 入力, only when nothing stops the case (the message names each rule)."""
    guard("confirm_checks", case, by)
    problems = check_problems(case, by)
    if problems:
        raise CaseError.of(problems, "確認の結果、このままでは受け付けられません。")
    seen = "、".join(catalog.identity_document_labels().get(d, d) for d in case.identity_docs) or "—"
    move(case, "confirm_checks", by, f"{case.requester_kind.label}／本人確認：{seen}")
