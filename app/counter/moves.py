"""住民異動届 (000 §6(3)): the approved case as an order for the registry, and 関係各課への案内
(000 §6(3)②), the other departments' procedures the move brings."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.auth.models import User
from app.counter import related
from app.counter.models import Case
from app.registry import services as registry
from app.registry.adapter import MoveOrder, NewPerson

MOVE_CODES = ("move_in", "move_out", "move_within", "household_change")


def _new_person(p: dict[str, Any], moved_on: date) -> NewPerson:
    birth, nhi = date.fromisoformat(p["birth_date"]), bool(p.get("nhi_member"))
    return NewPerson(
        family_name=p["family_name"], given_name=p["given_name"], family_kana=p["family_kana"],
        given_kana=p["given_kana"], birth_date=birth, sex=p["sex"], relationship=p["relationship"],
        nhi_member=nhi, pension_category=related.pension_category_for_new_resident(birth, nhi, moved_on))


def move_order(case: Case, by: User) -> MoveOrder:
    data = case.form_data
    code = case.procedure.code
    moved_on = date.fromisoformat(data["moved_on"])
    notified = case.created_at.date()
    if code == "move_in":
        return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified,
                         new_persons=tuple(_new_person(p, moved_on) for p in data["persons"]),
                         postal_code=data["postal_code"], address=data["address"],
                         previous_address=data["previous_address"],
                         join_household_id=data.get("join_household_id") if data.get("join_household") else None)
    if code == "household_change":
        subject = registry.read_person(case.subject_resident_id or 0, f"窓口案件 {case.id}", by=by)
        household = registry.read_household(subject.household_id, f"窓口案件 {case.id}", by=by)
        head = household.head
        relationships = {head.id: data["former_head_relationship"]} if head else {}
        return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified, new_head_id=data["new_head"],
                         relationships=relationships)
    return MoveOrder(kind=code, moved_on=moved_on, notified_on=notified, member_ids=tuple(data["members"]),
                     postal_code=data.get("postal_code", ""), address=data.get("address", ""),
                     destination=data.get("destination", ""), new_head_id=data.get("new_head"),
                     remaining_head_id=data.get("remaining_head"))


def _people(case: Case, on: date, by: User) -> list[related.PersonFacts]:
    data, code = case.form_data, case.procedure.code
    if code == "move_in":
        arriving = [_new_person(p, on) for p in data["persons"]]
        return [related.PersonFacts(f"{p.family_name}\u3000{p.given_name}", p.birth_date, p.nhi_member,
                                    p.pension_category) for p in arriving]
    purpose = f"窓口案件 {case.id}：関係各課への案内"
    if code == "household_change":
        subject = registry.read_person(case.subject_resident_id or 0, purpose, by=by)
        records = list(registry.read_household(subject.household_id, purpose, by=by).active_members)
    else:
        records = [registry.read_person(i, purpose, by=by) for i in data["members"]]
    return [related.PersonFacts(p.name, p.birth_date, p.nhi_member, p.pension_category) for p in records]


def related_for_case(case: Case, by: User) -> list[related.RelatedProcedure]:
    """関係各課への案内 (000 §6(3)②) for a move case, from its entered (or approved) data."""
    if case.procedure.code not in MOVE_CODES or not case.form_data:
        return []
    on = date.fromisoformat(case.form_data["moved_on"])
    return related.related_procedures(case.procedure.code, _people(case, on, by), on)
