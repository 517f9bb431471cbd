"""Reading and changing the resident registry. Every read of a person's record and every
change is written to the audit log here (DESIGN "Data"), whichever adapter answers; `by` is
who reads or changes it."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.auth import audit
from app.auth.models import User
from app.registry.adapter import (
    HouseholdRecord,
    MoveOrder,
    PersonRecord,
    RegistryError,
    SearchCriteria,
    get_adapter,
)
from app.registry.matching import Candidate, Entered, fold_kana, fold_name, rank

__all__ = ["RegistryError", "read_person", "read_household", "search", "match", "apply_move",
           "my_number_for_print", "born_between", "households", "read_people", "read_households"]

def _audit(action: str, object_type: str, object_id: Any, detail: str, by: User | None) -> None:
        audit.record(action, object_type, object_id, detail, by=by)


def read_person(resident_id: int, purpose: str = "", *, by: User | None) -> PersonRecord:
    person = get_adapter().person(resident_id)
    if person is None:
        raise RegistryError("該当する住民記録がありません。")
    _audit("read", "resident", person.id, purpose or "住民記録の閲覧", by)
    return person


def read_household(household_id: int, purpose: str = "", *, by: User | None) -> HouseholdRecord:
    household = get_adapter().household(household_id)
    if household is None:
        raise RegistryError("該当する世帯がありません。")
    for member in household.members:
        _audit("read", "resident", member.id, purpose or f"世帯 {household.id} の閲覧", by)
    return household


def search(criteria: SearchCriteria, purpose: str = "", *, by: User | None) -> list[PersonRecord]:
    """The result list shows names, birth dates and addresses: one audit row names them all."""
    people = get_adapter().search(criteria)
    shown = ", ".join(str(p.id) for p in people) or "なし"
    terms = " ".join(filter(None, (criteria.kana, criteria.name,
                                   criteria.birth_date.isoformat() if criteria.birth_date else "",
                                   criteria.address)))
    _audit("read", "resident_search", len(people), f"{purpose or '住民検索'}「{terms}」表示: {shown}", by)
    return people


def match(entered: Entered, purpose: str = "住民基本台帳との照合", *,
          by: User | None) -> list[Candidate]:
    """Find the visitor in the registry by birth date and by name or kana (000 §6(3)①カ)."""
    adapter = get_adapter()
    found: dict[int, PersonRecord] = {}
    if entered.birth_date:
        for p in adapter.search(SearchCriteria(birth_date=entered.birth_date, limit=200)):
            found[p.id] = p
    if entered.kana:
        for p in adapter.search(SearchCriteria(kana=entered.kana, limit=50)):
            found[p.id] = p
    elif entered.name:
        for p in adapter.search(SearchCriteria(name=entered.name, limit=50)):
            found[p.id] = p
    candidates = rank(entered, list(found.values()))
    # only candidates resembling the visitor are shown: those are the records read
    shown = [c for c in candidates if c.exact or _resembles(entered, c.person)][:5] or candidates[:3]
    for c in shown:
        _audit("read", "resident", c.person.id, purpose, by)
    return shown


def _resembles(entered: Entered, person: PersonRecord) -> bool:
    return ((bool(entered.kana) and fold_kana(entered.kana) == fold_kana(person.kana))
            or (bool(entered.name) and fold_name(entered.name) == fold_name(person.name)))


def apply_move(order: MoveOrder, reason: str, *, by: User | None) -> list[int]:
    changed = get_adapter().apply_move(order)
    for resident_id in changed:
        action = "create" if order.kind == "move_in" else "update"
        _audit(action, "resident", resident_id, reason, by)
    return changed


def my_number_for_print(resident_id: int, purpose: str, *, by: User | None) -> str | None:
    """The individual number for a document being printed; the audit row says it was read,
    never what it is."""
    number = get_adapter().my_number(resident_id)
    if number is not None:
        audit.record("read", "resident_my_number", resident_id, purpose, by=by)
    return number


def born_between(first: date, last: date, purpose: str, *, by: User | None) -> list[PersonRecord]:
    """Active residents born from `first` to `last`: one audit row names them all (as search)."""
    people = get_adapter().born_between(first, last)
    _audit("read", "resident_search", len(people),
           f"{purpose}「生年月日 {first.isoformat()}〜{last.isoformat()}」候補: "
           f"{', '.join(str(p.id) for p in people) or 'なし'}", by)
    return people


def households(address: str, purpose: str, *, by: User | None) -> list[HouseholdRecord]:
    """Households with an active member (within `address`, a district): one audit row."""
    found = get_adapter().households(address)
    _audit("read", "resident_search", len(found),
           f"{purpose}「{address or '全域'}」世帯: {', '.join(str(h.id) for h in found) or 'なし'}", by)
    return found


def read_people(ids: list[int], purpose: str, *, by: User | None) -> dict[int, PersonRecord]:
    """The records of the residents a page or a letter shows: one audit row names them all."""
    adapter = get_adapter()
    found = {i: p for i in dict.fromkeys(ids) if (p := adapter.person(i)) is not None}
    if found:
        audit.read_list("resident", found, purpose, by=by)
    return found


def read_households(ids: list[int], purpose: str, *, by: User | None) -> dict[int, HouseholdRecord]:
    adapter = get_adapter()
    found = {i: h for i in dict.fromkeys(ids) if (h := adapter.household(i)) is not None}
    if found:
        audit.read_list("resident", [m.id for h in found.values() for m in h.members], purpose, by=by)
    return found
