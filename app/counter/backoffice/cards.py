"""不着保険証 (000 §6(11) ク「整理管理、委託者への引渡し」): insurance cards the post brought back.
Each is entered (kind, person, returned on, reason), followed up (the address checked against
the resident registry, a call) and ended either by handing it over (to the insured person at
the counter or to the city's section) or by destroying it as the city decides, with the date
and who; never both. The open ones are listed by age (days since they came back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.counter.backoffice.common import BackofficeError, audited_page, clean, day_between, required
from app.counter.backoffice.models import AddressCheck, CardKind, ReturnedCard, ReturnReason
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import RegistryError
from app.registry.matching import fold_name
from app.registry.models import ResidentStatus
from app.web.paging import Page

KIND = "returned_card"
AGE_BANDS = ((30, "30日未満"), (90, "30〜89日"), (None, "90日以上"))


@dataclass(frozen=True)
class CardInput:
    kind: str
    person_name: str
    resident_id: int | None
    mailed_address: str
    returned_on: date | None
    reason: str


def receive(data: CardInput, *, today: date, by: User) -> ReturnedCard:
    problems = required(data, (("person_name", "被保険者の氏名"), ("mailed_address", "送付先の住所")))
    if not CardKind.has(data.kind):
        problems.append(Problem("kind", "証の種類を一覧から選んでください。"))
    if not ReturnReason.has(data.reason):
        problems.append(Problem("reason", "返戻の理由を一覧から選んでください。"))
    problems += day_between("returned_on", "返戻日", data.returned_on, None, today, "")
    if data.resident_id is not None:
        try:
            registry.read_person(data.resident_id, "不着保険証の受付", by=by)
        except RegistryError:
            problems.append(Problem("resident_id", f"住民番号 {data.resident_id} の住民記録はありません。"))
    if problems:
        raise BackofficeError.of(problems)
    assert data.returned_on is not None
    card = ReturnedCard(kind=CardKind(data.kind), person_name=clean(data.person_name), resident_id=data.resident_id,
                        mailed_address=data.mailed_address.strip(), returned_on=data.returned_on,
                        reason=ReturnReason(data.reason), received_by_id=by.id)
    db.session.add(card)
    db.session.flush()
    audit.record("create", KIND, card.id, f"不着保険証の受付 {card.kind.label} {card.person_name}", by=by)
    return card


def read(card_id: int, *, by: User) -> ReturnedCard | None:
    card = db.session.get(ReturnedCard, card_id)
    if card is not None:
        audit.record("read", KIND, card.id, f"不着保険証 {card.person_name}", by=by)
    return card


def _closed(card: ReturnedCard) -> list[Problem]:
    if card.handed_on:
        return [Problem("", f"この証は{card.handed_on:%Y-%m-%d}に引渡し済です。")]
    if card.destroyed_on:
        return [Problem("", f"この証は{card.destroyed_on:%Y-%m-%d}に廃棄済です。")]
    return []


def _same_address(a: str, b: str) -> bool:
    return fold_name(a) == fold_name(b)


def check_address(card: ReturnedCard, *, today: date, by: User) -> AddressCheck:
    """Compare the address the card went to with the registry's (the read is audited there)."""
    problems = _closed(card)
    if card.resident_id is None:
        problems.append(Problem("", "住民番号が記録されていないため、住民記録と照合できません。"))
    if problems:
        raise BackofficeError.of(problems)
    assert card.resident_id is not None
    person = registry.read_person(card.resident_id, "不着保険証の住所確認", by=by)
    if person.status != ResidentStatus.active:
        result = AddressCheck.left
    else:
        result = AddressCheck.same if _same_address(person.address, card.mailed_address) else AddressCheck.differs
    card.address_checked_on, card.address_check, card.registry_address = today, result, person.address
    db.session.flush()
    audit.record("update", KIND, card.id, f"住所確認 {result.label}", by=by)
    return result


@dataclass(frozen=True)
class CallInput:
    called_on: date | None
    call_note: str


def record_call(card: ReturnedCard, data: CallInput, *, today: date, by: User) -> None:
    problems = _closed(card) + day_between("called_on", "連絡日", data.called_on, card.returned_on, today, "返戻日")
    problems += required(data, (("call_note", "連絡の結果"),))
    if problems:
        raise BackofficeError.of(problems)
    card.called_on, card.call_note = data.called_on, clean(data.call_note)
    db.session.flush()
    audit.record("update", KIND, card.id, f"電話連絡 {data.called_on:%Y-%m-%d}", by=by)


@dataclass(frozen=True)
class EndInput:
    day: date | None
    text: str = ""


def _checked_end(card: ReturnedCard, data: EndInput, day_label: str, text_label: str, today: date) -> None:
    """A card ends once, handed over or destroyed, on a day between its return and today."""
    problems = _closed(card) + day_between("day", day_label, data.day, card.returned_on, today, "返戻日")
    problems += required(data, (("text", text_label),))
    if problems:
        raise BackofficeError.of(problems)


def hand_over(card: ReturnedCard, data: EndInput, *, today: date, by: User) -> None:
    _checked_end(card, data, "引渡日", "引渡先（本人・市の担当課など）", today)
    card.handed_on, card.handed_to, card.closed_by_id = data.day, clean(data.text), by.id
    db.session.flush()
    audit.record("update", KIND, card.id, f"引渡し {data.day:%Y-%m-%d} {card.handed_to}", by=by)


def destroy(card: ReturnedCard, data: EndInput, *, today: date, by: User) -> None:
    _checked_end(card, data, "廃棄日", "廃棄の理由（市の指示）", today)
    card.destroyed_on, card.destroyed_reason, card.closed_by_id = data.day, clean(data.text), by.id
    db.session.flush()
    audit.record("update", KIND, card.id, f"廃棄 {data.day:%Y-%m-%d}", by=by)


def age(card: ReturnedCard, today: date) -> int:
    return (today - card.returned_on).days


def age_band(card: ReturnedCard, today: date) -> str:
    days = age(card, today)
    return next(label for limit, label in AGE_BANDS if limit is None or days < limit)


def open_query() -> Select[tuple[ReturnedCard]]:
    """The open cards, oldest first (by age)."""
    return (select(ReturnedCard).where(ReturnedCard.handed_on.is_(None), ReturnedCard.destroyed_on.is_(None))
            .order_by(ReturnedCard.returned_on, ReturnedCard.id))


def ledger_query() -> Select[tuple[ReturnedCard]]:
    return select(ReturnedCard).order_by(ReturnedCard.returned_on.desc(), ReturnedCard.id.desc())


def open_page(page: int, *, by: User) -> Page[ReturnedCard]:
    return audited_page(open_query(), page, KIND, "未処理の不着保険証", by=by)


def ledger_page(page: int, *, by: User) -> Page[ReturnedCard]:
    return audited_page(ledger_query(), page, KIND, "不着保険証の整理簿", by=by)
