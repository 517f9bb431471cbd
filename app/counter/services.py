"""The counter's rules: visits, cases, checks, input, review, issue, fees (000 §6, §7).

Plain functions over the session; they flush, never commit (STYLE rule 4). Every change of a
case (which holds the requester's personal data) writes a timeline event and an audit row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.counter import catalog, related, rules, workflow
from app.counter.forms_data import InputContext, InputError, clean
from app.counter.models import REQUESTER_KINDS, THIRD_PARTY_REASONS, Case, CaseEvent, FeeLine, Procedure, Visit
from app.devices import card, jobs
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from app.queue import services as queue
from app.queue.models import AT_COUNTER, Ticket
from app.register import fees as register_fees
from app.register import services as register
from app.register.fees import Item
from app.register.models import Bill, Payment
from app.registry import services as registry
from app.registry.adapter import HouseholdRecord, MoveOrder, NewPerson, PersonRecord, RegistryError
from app.registry.matching import Candidate, Entered

MOVE_CODES = ("move_in", "move_out", "move_within", "household_change")
# 000 §7(2): certificate issue decisions and resident-move input are always confirmed by the city.
ALWAYS_REVIEWED = ("certificate", "move")


class CaseError(Refusal):
    """A rule of the counter stops the case; `problems` names every rule, by field."""


# -- catalog --------------------------------------------------------------------------------------

def list_procedures(active_only: bool = True) -> list[Procedure]:
    query = select(Procedure).order_by(Procedure.sort_order, Procedure.id)
    if active_only:
        query = query.where(Procedure.active.is_(True))
    return list(db.session.scalars(query))


def get_procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


@dataclass
class ProcedureEdit:
    name: str
    department: str
    ticket_category: str
    applicants: list[str]
    identity: str
    documents: list[str]
    handover: list[str]
    fee_code: str
    review_required: bool
    active: bool


def update_procedure(procedure: Procedure, edit: ProcedureEdit) -> Procedure:
    """Admin's edit of a catalog entry. Certificates and moves stay reviewed (000 §7(2))."""
    from app.core.models import DEPARTMENTS

    if not edit.name.strip():
        raise CaseError("手続名を入力してください。", field="name")
    if edit.department not in DEPARTMENTS:
        raise CaseError("担当課を選んでください。", field="department")
    if not edit.applicants or not set(edit.applicants) <= set(REQUESTER_KINDS):
        raise CaseError("受付できる請求者を1つ以上選んでください。", field="applicants")
    if edit.identity not in catalog.IDENTITY_LEVELS:
        raise CaseError("本人確認の水準を選んでください。", field="identity")
    if edit.fee_code and edit.fee_code not in register_fees.rates_on(today()):
        raise CaseError("手数料コードが手数料表にありません。", field="fee_code")
    if procedure.category in ALWAYS_REVIEWED and not edit.review_required:
        raise CaseError("証明書の交付と住民異動届は、市職員の審査を省略できません（000 §7(2)）。",
                        field="review_required")
    procedure.name, procedure.department = edit.name.strip(), edit.department
    procedure.ticket_category = edit.ticket_category.strip() or procedure.ticket_category
    procedure.applicants, procedure.identity = list(edit.applicants), edit.identity
    procedure.documents = [d.strip() for d in edit.documents if d.strip()]
    procedure.handover = [d.strip() for d in edit.handover if d.strip()]
    procedure.fee_code, procedure.review_required, procedure.active = edit.fee_code, edit.review_required, edit.active
    procedure.admin_edited_at = now()
    db.session.flush()
    audit.record("update", "procedure", procedure.id, f"{procedure.code} {procedure.name}")
    return procedure


# -- visits and cases ---------------------------------------------------------------------------

def _event(case: Case, user: User | None, action: str, from_state: str, to_state: str, note: str = "") -> None:
    case.events.append(CaseEvent(
        at=now(), user_id=user.id if user else None, username=user.username if user else "(system)",
        action=action, from_state=from_state, to_state=to_state, note=note))


def open_visit(visitor_name: str, procedure_codes: list[str], user: User,
               ticket_id: int | None = None) -> Visit:
    """Reception: one visitor, one or more procedures (one case each)."""
    name = visitor_name.strip()
    if not name:
        raise CaseError("来庁者の氏名を入力してください。", field="visitor_name")
    procedures = [get_procedure(code) for code in procedure_codes]
    if not procedures:
        raise CaseError("手続を1つ以上選んでください。", field="procedures")
    if any(p is None or not p.active for p in procedures):
        raise CaseError("選んだ手続に、使用されていないものがあります。", field="procedures")
    visit = Visit(visitor_name=name, ticket_id=ticket_id, created_by_id=user.id)
    db.session.add(visit)
    for procedure in procedures:
        assert procedure is not None
        add_case(visit, procedure, user)
    db.session.flush()
    audit.record("create", "visit", visit.id, f"来庁者 {name}：{len(procedures)}件")
    return visit


def add_case(visit: Visit, procedure: Procedure, user: User) -> Case:
    at = now()
    case = Case(visit=visit, procedure=procedure, state="received", state_since=at, created_at=at,
                requester_name=visit.visitor_name, operator_id=user.id, identity_docs=[],
                documents_checked=[], form_data={})
    db.session.add(case)
    _event(case, user, "receive", "", "received", procedure.name)
    db.session.flush()
    audit.record("create", "case", case.id, procedure.name)
    return case


def read_case(case_id: int) -> Case | None:
    """A case holds a person's data: opening it is an audited read."""
    case = db.session.get(Case, case_id)
    if case is not None:
        audit.record("read", "case", case.id, case.procedure.name)
    return case


def _move(case: Case, action: str, user: User, note: str = "", target: str | None = None) -> None:
    step = workflow.check_transition(action, case.state, user.role)
    new_state = target or step.target
    assert new_state is not None
    old = case.state
    case.state, case.state_since = new_state, now()
    case.closed_at = case.state_since if new_state in workflow.CLOSED_STATES else None
    _event(case, user, action, old, new_state, note)
    audit.record("update", "case", case.id, f"{step.label}：{workflow.STATES[old]}→{workflow.STATES[new_state]}"
                 + (f"（{note}）" if note else ""))
    db.session.flush()


def _transition_error(exc: workflow.TransitionError) -> CaseError:
    return CaseError(exc.message)


def act(case: Case, action: str, user: User, note: str = "") -> Case:
    """Any workflow action by name (the view's buttons); the specific functions hold the rules."""
    handlers = {
        "start_check": lambda: start_check(case, user),
        "confirm_checks": lambda: confirm_checks(case, user),
        "request_review": lambda: request_review(case, user),
        "finish_input": lambda: finish_input(case, user),
        "start_review": lambda: start_review(case, user),
        "approve": lambda: approve(case, user, note),
        "return": lambda: return_for_correction(case, user, note),
        "issue": lambda: issue(case, user),
        "hold": lambda: hold(case, user, note),
        "resume": lambda: resume(case, user),
        "withdraw": lambda: withdraw(case, user, note),
    }
    if action not in handlers:
        raise CaseError(f"不明な操作です：{action}")
    handlers[action]()
    return case


def _guard(action: str, case: Case, user: User) -> None:
    try:
        workflow.check_transition(action, case.state, user.role)
    except workflow.TransitionError as exc:
        raise _transition_error(exc) from exc


def start_check(case: Case, user: User) -> None:
    _guard("start_check", case, user)
    _move(case, "start_check", user)


# -- 確認: eligibility, identity, content, documents -----------------------------------------------

@dataclass
class CheckInput:
    requester_kind: str = "self"
    requester_name: str = ""
    requester_kana: str = ""
    requester_birth_date: date | None = None
    requester_address: str = ""
    requester_phone: str = ""
    identity_docs: list[str] = field(default_factory=list)
    identity_alternative_used: bool = False
    power_of_attorney: bool = False
    third_party_reason_kind: str = ""
    third_party_reason: str = ""
    third_party_documents: str = ""
    official_office: str = ""
    official_basis: str = ""
    content_checked: bool = False
    documents_checked: list[str] = field(default_factory=list)


def save_checks(case: Case, data: CheckInput, user: User) -> None:
    """Record what was seen in the 確認 step (the case moves from 受付 to 確認 if needed)."""
    if case.state == "received":
        start_check(case, user)
    if case.state != "checking":
        raise CaseError(f"確認内容は状態が「確認」の案件でだけ変更できます（現在：{workflow.STATES[case.state]}）。")
    if data.requester_kind not in REQUESTER_KINDS:
        raise CaseError("請求者の区分を選んでください。", field="requester_kind")
    if not data.requester_name.strip():
        raise CaseError("請求者・届出者の氏名を入力してください。", field="requester_name")
    known_docs = catalog.identity_document_labels()
    if not set(data.identity_docs) <= set(known_docs):
        raise CaseError("本人確認書類を一覧から選んでください。", field="identity_docs")
    if data.third_party_reason_kind and data.third_party_reason_kind not in THIRD_PARTY_REASONS:
        raise CaseError("請求事由の区分を選んでください。", field="third_party_reason")
    for name in ("requester_kind", "requester_kana", "requester_birth_date", "requester_phone",
                 "identity_alternative_used", "power_of_attorney", "third_party_reason_kind",
                 "content_checked"):
        setattr(case, name, getattr(data, name))
    case.requester_name, case.requester_address = data.requester_name.strip(), data.requester_address.strip()
    case.identity_docs = sorted(set(data.identity_docs))
    case.documents_checked = [d for d in case.procedure.documents if d in data.documents_checked]
    case.third_party_reason = data.third_party_reason.strip()
    case.third_party_documents = data.third_party_documents.strip()
    case.official_office, case.official_basis = data.official_office.strip(), data.official_basis.strip()
    db.session.flush()
    audit.record("update", "case", case.id, "確認内容の記録")


def _rules_view(procedure: Procedure) -> rules.ProcedureRules:
    return rules.ProcedureRules(
        name=procedure.name, law=procedure.law, applicants=list(procedure.applicants),
        identity=procedure.identity, identity_alternative=procedure.identity_alternative,
        proxy_authority=procedure.proxy_authority, documents=required_documents(procedure))


def required_documents(procedure: Procedure) -> list[str]:
    """Documents marked as conditional in the catalog (「…の場合」「お持ちの方」) are not demanded."""
    return [d for d in procedure.documents if "場合" not in d and "お持ちの方" not in d]


def _person(resident_id: int | None) -> PersonRecord | None:
    if resident_id is None:
        return None
    try:
        return registry.read_person(resident_id, "窓口案件の確認")
    except RegistryError:
        return None


def check_problems(case: Case) -> list[Problem]:
    """Every rule of 000 §6(1)①ア〜エ and §7(1) the case does not yet meet."""
    docs = catalog.identity_documents()
    requester, subject = _person(case.requester_resident_id), _person(case.subject_resident_id)
    checks = rules.Checks(
        requester_kind=case.requester_kind, identity_docs=list(case.identity_docs),
        identity_alternative_used=case.identity_alternative_used, power_of_attorney=case.power_of_attorney,
        third_party_reason_kind=case.third_party_reason_kind, third_party_reason=case.third_party_reason,
        third_party_documents=case.third_party_documents, official_office=case.official_office,
        official_basis=case.official_basis, content_checked=case.content_checked,
        documents_checked=list(case.documents_checked),
        requester_resident_id=case.requester_resident_id, subject_resident_id=case.subject_resident_id,
        requester_household_id=requester.household_id if requester else None,
        subject_household_id=subject.household_id if subject else None)
    p = _rules_view(case.procedure)
    return [*rules.eligibility_problems(p, checks),
            *rules.identity_problems(p, checks, set(docs["photo"]), set(docs.get("card", {})),
                                     catalog.identity_document_labels()),
            *rules.reception_problems(p, checks)]


def confirm_checks(case: Case, user: User) -> None:
    """確認 → 入力, only when nothing stops the case (the message names each rule)."""
    _guard("confirm_checks", case, user)
    problems = check_problems(case)
    if problems:
        raise CaseError.of(problems, "確認の結果、このままでは受け付けられません。")
    seen = "、".join(catalog.identity_document_labels().get(d, d) for d in case.identity_docs) or "—"
    _move(case, "confirm_checks", user, f"{REQUESTER_KINDS[case.requester_kind]}／本人確認：{seen}")


# -- the registry: subject, matching, card prefill -------------------------------------------------

def needs_subject(procedure: Procedure) -> bool:
    return procedure.code != "move_in" and any(f["type"] in ("members", "member") for f in procedure.fields)


def may_have_subject(procedure: Procedure) -> bool:
    """Procedures whose case may name a subject: those that need one, and 転入 joining an
    existing household (the subject's)."""
    return needs_subject(procedure) or procedure.code == "move_in"


def set_subject(case: Case, resident_id: int, user: User) -> PersonRecord:
    if case.state not in ("received", "checking", "input"):
        raise CaseError("対象者は受付・確認・入力の段階でだけ選べます。")
    person = registry.read_person(resident_id, f"窓口案件 {case.id} の対象者")
    if not person.active:
        raise CaseError(f"{person.name}さんは{person.status_label}のため、対象者にできません。", field="subject")
    note = f"対象者：住民記録 {person.id}"
    if case.form_data and case.subject_resident_id != person.id:
        # what was entered was checked against the old subject's household: enter it again
        case.form_data = {}
        for line in list(case.fee_lines):
            case.fee_lines.remove(line)
            db.session.delete(line)
        note += "（対象者が変わったため入力内容を消去）"
    case.subject_resident_id = person.id
    _event(case, user, "subject", case.state, case.state, note)
    db.session.flush()
    return person


def set_requester_resident(case: Case, resident_id: int | None, user: User) -> None:
    if case.state not in ("received", "checking"):
        raise CaseError("請求者の照合は受付・確認の段階でだけ変えられます。")
    if resident_id is not None:
        registry.read_person(resident_id, f"窓口案件 {case.id} の請求者の照合")
    case.requester_resident_id = resident_id
    _event(case, user, "requester_match", case.state, case.state,
           f"請求者の照合：住民記録 {resident_id}" if resident_id else "請求者の照合を解除")
    db.session.flush()


def entered_person(case: Case) -> Entered:
    return Entered(name=case.requester_name, kana=case.requester_kana, birth_date=case.requester_birth_date,
                   sex=case.requester_sex, address=case.requester_address)


def match_requester(case: Case) -> list[Candidate]:
    """住民基本台帳との照合 (000 §6(3)①カ) of what the requester wrote."""
    entered = entered_person(case)
    if not (entered.name or entered.kana) and not entered.birth_date:
        return []
    return registry.match(entered, f"窓口案件 {case.id}：住民基本台帳との照合")


@dataclass(frozen=True)
class PrefillResult:
    candidates: list[Candidate]
    matched: PersonRecord | None
    masked_number: str | None


CARD_SEXES = ("1", "2", "9")


def needs_my_number(procedure: Procedure) -> bool:
    """Procedures whose form carries the individual number (card, insurance, pension)."""
    return procedure.category in ("my_number", "nhi", "late_elderly", "national_pension", "medical_subsidy")


def prefill_from_card(case: Case, card_face: dict[str, Any], user: User | None = None) -> PrefillResult:
    """Fill the requester from the My Number card's card-face AP (券面事項入力補助AP) and run
    the registry match.

    `card_face` is the card reader's result: name (family and given name separated by U+3000),
    address, birth_date (ISO), sex (ISO 5218 '1','2','9'), my_number_valid, my_number_masked.
    The individual number itself never reaches this function, is not stored and is not logged;
    the masked form is returned for display only where the procedure needs it.
    A card read with its PIN verified counts as the photo ID 個人番号カード.
    """
    if not may_read_card(case):
        raise CaseError("カード読取は受付・確認の段階で行ってください。", field="card")
    name = str(card_face.get("name") or "").strip()
    address = str(card_face.get("address") or "").strip()
    sex = str(card_face.get("sex") or "")
    try:
        birth = date.fromisoformat(str(card_face.get("birth_date") or ""))
    except ValueError:
        raise CaseError("カードの生年月日を読み取れませんでした。もう一度読み取ってください。",
                        field="card") from None
    if not name or not address or sex not in CARD_SEXES:
        raise CaseError("カードの券面事項を読み取れませんでした。もう一度読み取ってください。", field="card")
    if card_face.get("my_number_valid") is not True:
        raise CaseError("カードの個人番号の検査用数字が一致しません。カードを確認し、読み取り直してください。",
                        field="card")
    if user is not None and case.state == "received":
        start_check(case, user)
    case.requester_name, case.requester_address = name, address
    case.requester_birth_date, case.requester_sex = birth, sex
    case.identity_docs = sorted({*case.identity_docs, "my_number_card"})
    case.card_read_at = now()
    _event(case, user, "card_read", case.state, case.state, "個人番号カード読取（券面事項入力補助AP）")
    candidates = match_requester(case)
    exact = [c for c in candidates if c.exact]
    matched = exact[0].person if len(exact) == 1 else None
    if matched is not None:
        case.requester_resident_id = matched.id
        if case.requester_kind == "self" and case.subject_resident_id is None and needs_subject(case.procedure):
            case.subject_resident_id = matched.id
    db.session.flush()
    audit.record("update", "case", case.id, "個人番号カードの券面事項で請求者を入力"
                 + (f"（住民記録 {matched.id} と一致）" if matched else "（住民記録と完全一致なし）"))
    masked = str(card_face.get("my_number_masked") or "") if needs_my_number(case.procedure) else None
    return PrefillResult(candidates, matched, masked or None)


CARD_READ_STATES = ("received", "checking")


def may_read_card(case: Case) -> bool:
    return case.state in CARD_READ_STATES


def start_card_read(case: Case, terminal: Terminal | None, pin: str, by: User) -> DeviceJob:
    """カード読取: queue the read of the visitor's card at the counter's reader (the PIN sealed to
    its agent) and return at once; the case page polls the job and then applies it."""
    if not may_read_card(case):
        raise CaseError("カード読取は受付・確認の段階で行ってください。", field="card")
    if terminal is None:
        raise CaseError("カードリーダーのある窓口が選ばれていません。窓口呼出の画面で自分の窓口を選んでから"
                        "読み取ってください。", field="card")
    try:
        return card.start_read(terminal, pin, by, case.id)
    except jobs.JobError as exc:
        raise CaseError(exc.message, field="card") from exc


def apply_card_read(case: Case, job: DeviceJob, by: User) -> PrefillResult:
    """Take the finished read's card face (the job row keeps none of it) and fill the requester.
    Refused, the case is unchanged while the card face is gone from the row all the same."""
    try:
        face = card.take_face(job, by)
    except jobs.JobError as exc:
        raise CaseError(exc.message, field="card") from exc
    return prefill_from_card(case, face, by)


def card_read_message(status: card.CardReadStatus) -> str:
    """What the counter screen says of a read that did not give a card face."""
    if status.code in ("wrong_pin", "blocked"):
        return card_pin_message(status.tries_left, blocked=status.code == "blocked")
    return status.message


def card_pin_message(tries_left: int | None, blocked: bool = False) -> str:
    """What the counter screen says after a wrong card PIN (券面事項入力補助用暗証番号: three
    tries, then blocked until reset at a city counter — HARDWARE.md, 000 §6(4)④)."""
    if blocked or tries_left == 0:
        reset = get_procedure("my_number_pin_reset")
        name = reset.name if reset else "暗証番号再設定申請"
        return (f"暗証番号がロックされています。カードの読取はできません。「{name}」の手続で"
                "暗証番号を再設定してください（本人確認書類で受付を続けることもできます）。")
    if tries_left is None:
        return "暗証番号が違います。"
    return f"暗証番号が違います。あと{tries_left}回間違えるとロックされます。"


# -- 入力 -----------------------------------------------------------------------------------------

def subject_household(case: Case) -> HouseholdRecord | None:
    if case.subject_resident_id is None:
        return None
    person = registry.read_person(case.subject_resident_id, f"窓口案件 {case.id} の入力")
    return registry.read_household(person.household_id, f"窓口案件 {case.id} の入力")


def save_input(case: Case, raw: dict[str, Any], user: User) -> dict[str, Any]:
    """Check the procedure's form (InputError names each field) and keep it; fee lines follow."""
    if case.state != "input":
        raise CaseError(f"入力は状態が「入力」の案件でだけできます（現在：{workflow.STATES[case.state]}）。")
    if needs_subject(case.procedure) and case.subject_resident_id is None:
        raise InputError("先に対象者（住民記録）を選んでください。", "subject")
    ctx = InputContext(case.procedure.code, case.requester_kind, subject_household(case), today())
    data = clean(case.procedure.fields, raw, ctx)
    case.form_data = data
    _replace_fee_lines(case)
    _event(case, user, "input", case.state, case.state, "入力内容を保存")
    db.session.flush()
    audit.record("update", "case", case.id, "入力内容の保存")
    return data


def _replace_fee_lines(case: Case) -> None:
    for line in list(case.fee_lines):
        case.fee_lines.remove(line)
        db.session.delete(line)
    code = case.procedure.fee_code
    if not code:
        return
    fee = register_fees.rates_on(today()).get(code)
    if fee is None:
        raise CaseError(f"手数料表に「{code}」がありません。管理者に手数料表の確認を依頼してください。")
    quantity = int(case.form_data.get("copies") or 1)
    case.fee_lines.append(FeeLine(fee_code=code, label=fee.label, quantity=quantity, unit_amount=fee.amount,
                                  official_free=case.requester_kind == "official"))


def fee_total(case: Case) -> int:
    return sum(line.amount for line in case.fee_lines)


def _input_saved(case: Case) -> None:
    if not case.form_data and case.procedure.fields:
        raise CaseError("入力内容がまだ保存されていません。入力して保存してください。")
    # the subject may still change in 入力: the checks confirmed for the old one must hold
    problems = check_problems(case)
    if problems:
        raise CaseError.of(problems, "確認の結果、このままでは進められません。")


def request_review(case: Case, user: User) -> None:
    """入力 → 審査依頼 (000 §6(1)②ア: 証明書の作成、委託者職員への審査依頼)."""
    _guard("request_review", case, user)
    if not case.procedure.review_required:
        raise CaseError("この手続は審査を要しません。「入力完了」で交付へ進めてください。")
    _input_saved(case)
    case.returned = False
    _move(case, "request_review", user)


def finish_input(case: Case, user: User) -> None:
    _guard("finish_input", case, user)
    if case.procedure.review_required:
        raise CaseError("この手続は市職員の審査が必要です（000 §7(2)）。「審査依頼」をしてください。")
    _input_saved(case)
    _move(case, "finish_input", user)


# -- 審査 -----------------------------------------------------------------------------------------

def start_review(case: Case, user: User) -> None:
    _guard("start_review", case, user)
    case.reviewer_id = user.id
    _move(case, "start_review", user)


def approve(case: Case, user: User, note: str = "") -> None:
    """審査 → 交付. A resident move is applied to the registry only now (000 §7(2))."""
    _guard("approve", case, user)
    if case.procedure.code in MOVE_CODES:
        try:
            registry.apply_move(move_order(case), f"窓口案件 {case.id}：{case.procedure.name}の承認")
        except RegistryError as exc:
            raise CaseError(f"住民記録に反映できません：{exc.message}") from exc
    case.reviewer_id, case.approved_at = user.id, now()
    _move(case, "approve", user, note.strip())


def return_for_correction(case: Case, user: User, reason: str) -> None:
    """審査 → 入力 with the reason, back to the operator."""
    _guard("return", case, user)
    if not reason.strip():
        raise CaseError("差戻しの理由を入力してください。", field="note")
    case.returned, case.return_reason, case.reviewer_id = True, reason.strip(), user.id
    _move(case, "return", user, reason.strip())


# -- 交付, 会計, 保留, 取下げ ----------------------------------------------------------------------

IssueCheck = Callable[[Case], list[str]]
_issue_checks: dict[str, IssueCheck] = {}


def on_issue(procedure_code: str, check: IssueCheck) -> None:
    """Have `check(case)` asked before a case of `procedure_code` is issued: another domain
    that holds part of the procedure (a seal application) says what still stops it."""
    _issue_checks[procedure_code] = check


def issue(case: Case, user: User) -> None:
    """交付 → 会計 when there is a fee to collect (the fee lines go to the register), else 完了."""
    _guard("issue", case, user)
    check = _issue_checks.get(case.procedure.code)
    reasons = check(case) if check else []
    if reasons:
        raise CaseError.of([Problem("", reason) for reason in reasons], "交付できません。")
    target = "payment" if fee_total(case) > 0 else "done"
    if target == "payment":
        send_to_cashier(case, user)  # first: a fee the register refuses leaves the case as it was
    case.issued_at = now()
    _move(case, "issue", user, "、".join(case.procedure.handover), target=target)


def send_to_cashier(case: Case, user: User) -> None:
    """The fee lines become a bill at the register (000 §6(1)③ 手数料の受け取り)."""
    ticket = case.visit.ticket
    try:
        register.open_bill(
            "case", case.id, case.visit.visitor_name,
            [Item(line.fee_code, line.quantity, official=line.official_free) for line in case.fee_lines],
            ticket_number=ticket.label if ticket else None, user_id=user.id,
        )
    except register.RegisterError as exc:
        raise CaseError(f"会計へ送れませんでした：{exc.message}（手数料表を管理者に確認してください）") from exc
    if ticket is not None and ticket.state in AT_COUNTER:
        queue.send_to_cashier(ticket, user.id)  # 会計待ち: the number moves to the cashier display
    elif ticket is not None and ticket.state in ("finished", "no_show") and ticket.office_day == today():
        queue.back_to_cashier(ticket, user.id)  # an earlier bill of the visit was settled already


def complete_payment(case: Case, user: User, receipt_note: str = "") -> None:
    """Called by the register once the fees are paid: 会計 → 完了."""
    _guard("complete_payment", case, user)
    _move(case, "complete_payment", user, receipt_note)


def _case_of(bill: Bill) -> Case:
    case = db.session.get(Case, int(bill.source_id))
    if case is None:
        raise CaseError(f"請求{bill.id}の案件（{bill.source_id}）がありません。")
    return case


def _release_ticket(case: Case, user_id: int | None) -> None:
    """The number leaves the cashier once none of its bills is open: 完了 if one of them was
    paid, else 不在 (the visitor left). The ticket row is locked first, so two cashiers
    settling the same number's bills at once cannot each see the other's still open. A later
    case of the visit with fees brings the number back (send_to_cashier)."""
    if case.visit.ticket_id is None:
        return
    ticket = db.session.scalars(select(Ticket).where(Ticket.id == case.visit.ticket_id).with_for_update()
                                .execution_options(populate_existing=True)).one()
    if ticket.state not in ("cashier_waiting", "cashier_called"):
        return
    states = {bill.state for bill in register.bills_for_ticket(ticket.label)}
    if "open" in states:
        return
    if "paid" in states:
        queue.finish_cashier(ticket, user_id)
    else:
        queue.leave_cashier(ticket, user_id)


def _withdrawn_by_register(case: Case, action: str, user: User, note: str) -> None:
    """取下げ decided at the register (refund, or the visitor left): as withdraw() does, the
    reason is kept and no fee remains to collect."""
    case.withdraw_reason = note
    for line in list(case.fee_lines):
        case.fee_lines.remove(line)
        db.session.delete(line)
    _move(case, action, user, note)


def _case_bill_paid(bill: Bill, payment: Payment) -> None:
    """The register's paid hook for case bills: the cashier's payment completes the case."""
    case = _case_of(bill)
    complete_payment(case, payment.cashier, f"領収番号 {payment.receipt_no}")
    _release_ticket(case, payment.cashier_id)


def _case_bill_voided(bill: Bill, reversal: Payment) -> None:
    """The register's void hook for case bills: a supervisor approved voiding the payment, so
    the case goes back to 会計 (the bill is open to be paid again) or, refunded for good, to
    取下げ. Either way the timeline says which receipt was voided and why."""
    case = _case_of(bill)
    approver = db.session.get_one(User, reversal.approved_by_id)
    note = f"領収番号 {reversal.reverses.receipt_no} を取消：{reversal.reason}"
    if case.state != "done":  # already moved on by hand (never expected): keep the record straight
        _event(case, approver, "payment_void", case.state, case.state, note)
    elif bill.state == "open":
        _move(case, "reopen_payment", approver, note)
    else:
        _withdrawn_by_register(case, "refund", approver, note)


def _case_bill_cancelled(bill: Bill, user: User, reason: str) -> None:
    """The register's cancel hook for case bills: the visitor left without paying, so the case
    is withdrawn (取下げ) and, once none of its bills is left, the number leaves the cashier."""
    case = _case_of(bill)
    if case.state == "payment":
        _withdrawn_by_register(case, "cancel_payment", user, f"請求取消：{reason}")
    _release_ticket(case, user.id)


register.on_bill_paid("case", _case_bill_paid)
register.on_bill_voided("case", _case_bill_voided)
register.on_bill_cancelled("case", _case_bill_cancelled)


def hold(case: Case, user: User, reason: str) -> None:
    _guard("hold", case, user)
    if not reason.strip():
        raise CaseError("保留の理由を入力してください。", field="note")
    case.held_from, case.hold_reason = case.state, reason.strip()
    _move(case, "hold", user, reason.strip())


def resume(case: Case, user: User) -> None:
    _guard("resume", case, user)
    back = case.held_from or "received"
    case.held_from = ""
    _move(case, "resume", user, target=back)


def withdraw(case: Case, user: User, reason: str) -> None:
    _guard("withdraw", case, user)
    if not reason.strip():
        raise CaseError("取下げの理由を入力してください。", field="note")
    case.withdraw_reason = reason.strip()
    for line in list(case.fee_lines):
        case.fee_lines.remove(line)
        db.session.delete(line)
    _move(case, "withdraw", user, reason.strip())


# -- moves ------------------------------------------------------------------------------------------

def move_order(case: Case) -> MoveOrder:
    data = case.form_data
    code = case.procedure.code
    moved_on = date.fromisoformat(data["moved_on"])
    notified = case.created_at.date()
    if code == "move_in":
        persons = tuple(NewPerson(
            family_name=p["family_name"], given_name=p["given_name"], family_kana=p["family_kana"],
            given_kana=p["given_kana"], birth_date=date.fromisoformat(p["birth_date"]), sex=p["sex"],
            relationship=p["relationship"], nhi_member=bool(p.get("nhi_member")),
            pension_category=related.pension_category_for_new_resident(
                date.fromisoformat(p["birth_date"]), bool(p.get("nhi_member")), moved_on),
        ) for p in data["persons"])
        return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified, new_persons=persons,
                         postal_code=data["postal_code"], address=data["address"],
                         previous_address=data["previous_address"],
                         join_household_id=data.get("join_household_id") if data.get("join_household") else None)
    if code == "household_change":
        subject = registry.read_person(case.subject_resident_id or 0, f"窓口案件 {case.id}")
        household = registry.read_household(subject.household_id, f"窓口案件 {case.id}")
        head = household.head
        relationships = {head.id: data["former_head_relationship"]} if head else {}
        return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified, new_head_id=data["new_head"],
                         relationships=relationships)
    return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified, member_ids=tuple(data["members"]),
                     postal_code=data.get("postal_code", ""), address=data.get("address", ""),
                     destination=data.get("destination", ""), new_head_id=data.get("new_head"),
                     remaining_head_id=data.get("remaining_head"))


def related_for_case(case: Case) -> list[related.RelatedProcedure]:
    """関係各課への案内 (000 §6(3)②) for a move case, from its entered (or approved) data."""
    code = case.procedure.code
    if code not in MOVE_CODES or not case.form_data:
        return []
    data = case.form_data
    on = date.fromisoformat(data["moved_on"])
    purpose = f"窓口案件 {case.id}：関係各課への案内"
    if code == "move_in":
        people = [related.PersonFacts(
            name=f"{p['family_name']}\u3000{p['given_name']}", birth_date=date.fromisoformat(p["birth_date"]),
            nhi_member=bool(p.get("nhi_member")),
            pension_category=related.pension_category_for_new_resident(
                date.fromisoformat(p["birth_date"]), bool(p.get("nhi_member")), on))
            for p in data["persons"]]
    else:
        if code == "household_change":
            subject = registry.read_person(case.subject_resident_id or 0, purpose)
            records = list(registry.read_household(subject.household_id, purpose).active_members)
        else:
            records = [registry.read_person(i, purpose) for i in data["members"]]
        people = [related.PersonFacts(p.name, p.birth_date, p.nhi_member, p.pension_category) for p in records]
    return related.related_procedures(code, people, on)


# -- timeline, time in state, work lists, search ---------------------------------------------------

def time_in_states(case: Case, until: datetime | None = None) -> dict[str, timedelta]:
    """How long the case spent in each state, from its state-change events (feeds reports)."""
    spent: dict[str, timedelta] = defaultdict(timedelta)
    changes = [e for e in case.events if e.from_state != e.to_state]
    for current, following in zip(changes, changes[1:], strict=False):
        spent[current.to_state] += following.at - current.at
    if changes and changes[-1].to_state not in workflow.CLOSED_STATES:
        spent[changes[-1].to_state] += (until or now()) - changes[-1].at
    return dict(spent)


def average_time_in_states(cases: list[Case]) -> dict[str, timedelta]:
    """Mean time per state over closed cases (for the monthly report, 000 §10)."""
    totals: dict[str, timedelta] = defaultdict(timedelta)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        if case.state not in workflow.CLOSED_STATES:
            continue
        for state, spent in time_in_states(case).items():
            totals[state] += spent
            counts[state] += 1
    return {state: totals[state] / counts[state] for state in totals}


def _cases() -> Select[tuple[Case]]:
    return select(Case).join(Case.procedure).order_by(Case.created_at.desc(), Case.id.desc())


def visit_cases(visit: Visit) -> Select[tuple[Case]]:
    return select(Case).where(Case.visit_id == visit.id).order_by(Case.id)


def my_cases(user: User) -> Select[tuple[Case]]:
    return _cases().where(Case.operator_id == user.id, Case.state.in_(workflow.OPEN_STATES))


def waiting_for_review() -> Select[tuple[Case]]:
    return _cases().where(Case.state.in_(("review_requested", "in_review")))


def returned_to(user: User) -> Select[tuple[Case]]:
    return _cases().where(Case.operator_id == user.id, Case.returned.is_(True), Case.state == "input")


def todays_cases(day: date | None = None) -> Select[tuple[Case]]:
    start = datetime.combine(day or today(), datetime.min.time())
    return _cases().where(Case.created_at >= start, Case.created_at < start + timedelta(days=1))


@dataclass(frozen=True)
class CaseSearch:
    date_from: date | None = None
    date_to: date | None = None
    state: str = ""
    procedure: str = ""
    person: str = ""


def search_cases(f: CaseSearch) -> Select[tuple[Case]]:
    query = _cases()
    if f.date_from:
        query = query.where(Case.created_at >= datetime.combine(f.date_from, datetime.min.time()))
    if f.date_to:
        query = query.where(Case.created_at < datetime.combine(f.date_to + timedelta(days=1), datetime.min.time()))
    if f.state:
        query = query.where(Case.state == f.state)
    if f.procedure:
        query = query.where(Procedure.code == f.procedure)
    if f.person.strip():
        term = f.person.strip()
        query = query.where(or_(Case.requester_name.contains(term, autoescape=True),
                                Case.requester_kana.contains(term, autoescape=True)))
    return query


LIST_LIMIT = 200


def list_cases(query: Select[tuple[Case]], limit: int = LIST_LIMIT, purpose: str = "案件一覧") -> list[Case]:
    """Lists show requesters' names: one audit row names the cases shown."""
    cases = list(db.session.scalars(query.limit(limit)))
    if cases:
        audit.record("read", "case_list", len(cases), f"{purpose}：" + ", ".join(str(c.id) for c in cases))
    return cases

