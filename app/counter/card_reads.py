"""カード読取: the My Number card's card-face AP (券面事項入力補助AP) read at the counter's reader
fills the requester. No request waits on the reader: the read is queued, its page polls it,
then the finished read is applied (app/devices/card.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.counter import catalog, workflow
from app.counter.cases import CaseError, record_event, start_check
from app.counter.models import Case, CaseState, Category, Procedure, RequesterKind
from app.counter.residents import match_requester, needs_subject
from app.devices import card, jobs
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from app.registry.adapter import PersonRecord
from app.registry.matching import Candidate
from app.registry.models import Sex

CARD_READ_STATES = (CaseState.received, CaseState.checking)
# the procedures whose form carries the individual number (card, insurance, pension)
MY_NUMBER_CATEGORIES = (Category.my_number, Category.nhi, Category.late_elderly, Category.national_pension,
                        Category.medical_subsidy)


@dataclass(frozen=True)
class PrefillResult:
    candidates: list[Candidate]
    matched: PersonRecord | None
    masked_number: str | None


def needs_my_number(procedure: Procedure) -> bool:
    return procedure.category in MY_NUMBER_CATEGORIES


def may_read_card(case: Case) -> bool:
    return case.state in CARD_READ_STATES


def can_read_card(case: Case, by: User) -> bool:
    return workflow.is_counter_staff(by.role) and may_read_card(case)


def _card_face(card_face: dict[str, Any]) -> tuple[str, str, date, Sex]:
    """Name, address, birth date and sex of a read that is complete and whose number checks."""
    name = str(card_face.get("name") or "").strip()
    address = str(card_face.get("address") or "").strip()
    sex = str(card_face.get("sex") or "")
    try:
        birth = date.fromisoformat(str(card_face.get("birth_date") or ""))
    except ValueError:
        raise CaseError("カードの生年月日を読み取れませんでした。もう一度読み取ってください。",
                        field="card") from None
    if not name or not address or sex not in set(Sex):
        raise CaseError("カードの券面事項を読み取れませんでした。もう一度読み取ってください。", field="card")
    if card_face.get("my_number_valid") is not True:
        raise CaseError("カードの個人番号の検査用数字が一致しません。カードを確認し、読み取り直してください。",
                        field="card")
    return name, address, birth, Sex(sex)


def prefill_from_card(case: Case, card_face: dict[str, Any], by: User) -> PrefillResult:
    """Fill the requester from the card face and run the registry match.

    `card_face` is the card reader's result: name (family and given name separated by U+3000),
    address, birth_date (ISO), sex (ISO 5218 '1','2','9'), my_number_valid, my_number_masked.
    The individual number itself never reaches this function, is not stored and is not logged;
    the masked form is returned for display only where the procedure needs it.
    A card read with its PIN verified counts as the photo ID 個人番号カード.
    """
    if not may_read_card(case):
        raise CaseError("カード読取は受付・確認の段階で行ってください。", field="card")
    name, address, birth, sex = _card_face(card_face)
    if case.state == CaseState.received:
        start_check(case, by)
    case.requester_name, case.requester_address = name, address
    case.requester_birth_date, case.requester_sex = birth, sex
    if not case.visit.visitor_name:  # received from a called ticket: the card gives the name
        case.visit.visitor_name = name
    case.identity_docs = sorted({*case.identity_docs, "my_number_card"})
    case.card_read_at = now()
    record_event(case, by, "card_read", "個人番号カード読取（券面事項入力補助AP）")
    candidates = match_requester(case, by)
    exact = [c for c in candidates if c.exact]
    matched = exact[0].person if len(exact) == 1 else None
    if matched is not None:
        case.requester_resident_id = matched.id
        if case.requester_kind == RequesterKind.self and case.subject_resident_id is None \
                and needs_subject(case.procedure):
            case.subject_resident_id = matched.id
    db.session.flush()
    audit.record("update", "case", case.id, "個人番号カードの券面事項で請求者を入力"
                 + (f"（住民記録 {matched.id} と一致）" if matched else "（住民記録と完全一致なし）"), by=by)
    masked = str(card_face.get("my_number_masked") or "") if needs_my_number(case.procedure) else None
    return PrefillResult(candidates, matched, masked or None)


def start_card_read(case: Case, terminal: Terminal | None, by: User) -> DeviceJob:
    """Queue the read of the visitor's card at the counter's reader and return at once: the
    visitor types the PIN on the visitor-facing pad (sealed to the agent there), the case page
    polls the job and then applies it."""
    if not may_read_card(case):
        raise CaseError("カード読取は受付・確認の段階で行ってください。", field="card")
    if terminal is None:
        raise CaseError("カードリーダーのある窓口が選ばれていません。窓口呼出の画面で自分の窓口を選んでから"
                        "読み取ってください。", field="card")
    try:
        return card.request_read(terminal, by, case.id)
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
        reset = catalog.get_procedure("my_number_pin_reset")
        name = reset.name if reset else "暗証番号再設定申請"
        return (f"暗証番号がロックされています。カードの読取はできません。「{name}」の手続で"
                "暗証番号を再設定してください（本人確認書類で受付を続けることもできます）。")
    if tries_left is None:
        return "暗証番号が違います。"
    return f"暗証番号が違います。あと{tries_left}回間違えるとロックされます。"
