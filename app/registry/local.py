"""The local stand-in registry over Yakuba's own tables (used until a city connects its core
system through another `RegistryAdapter`)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import jaconv
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.config import settings
from app.extensions import db
from app.registry.adapter import (
    HouseholdRecord,
    MoveOrder,
    NewPerson,
    PersonRecord,
    RegistryAdapter,
    RegistryError,
    SearchCriteria,
)
from app.registry.models import HEAD, Household, Resident, ResidentStatus
from hardware.card_reader.my_number import check_digit


def to_record(r: Resident) -> PersonRecord:
    return PersonRecord(
        id=r.id, household_id=r.household_id, family_name=r.family_name, given_name=r.given_name,
        family_kana=r.family_kana, given_kana=r.given_kana, birth_date=r.birth_date, sex=r.sex,
        relationship=r.relationship, postal_code=r.household.postal_code, address=r.household.address,
        domicile=r.domicile, domicile_head=r.domicile_head, resident_since=r.resident_since,
        address_since=r.address_since, notified_on=r.notified_on, previous_address=r.previous_address,
        status=r.status, left_on=r.left_on, left_to=r.left_to, nhi_member=r.nhi_member,
        pension_category=r.pension_category,
    )


def _kana_query(text: str) -> str:
    return jaconv.hira2kata(jaconv.normalize(text)).replace(" ", "")


class LocalRegistry(RegistryAdapter):
    label = "Yakuba 内蔵の住民記録（代替）"

    def person(self, resident_id: int) -> PersonRecord | None:
        resident = db.session.get(Resident, resident_id)
        return to_record(resident) if resident else None

    def household(self, household_id: int) -> HouseholdRecord | None:
        household = db.session.get(Household, household_id)
        if household is None:
            return None
        return HouseholdRecord(household.id, household.postal_code, household.address,
                               tuple(to_record(m) for m in household.members))

    def search(self, criteria: SearchCriteria) -> list[PersonRecord]:
        if criteria.is_empty():
            return []
        query = (select(Resident).join(Resident.household).options(selectinload(Resident.household))
                 .order_by(Resident.family_kana, Resident.given_kana, Resident.id).limit(criteria.limit))
        if not criteria.include_inactive:
            query = query.where(Resident.status == ResidentStatus.active)
        if criteria.kana:
            kana = _kana_query(criteria.kana)
            query = query.where(or_(
                (Resident.family_kana + Resident.given_kana).startswith(kana, autoescape=True),
                Resident.given_kana.startswith(kana, autoescape=True)))
        if criteria.name:
            name = jaconv.normalize(criteria.name).replace(" ", "")
            query = query.where((Resident.family_name + Resident.given_name).startswith(name, autoescape=True))
        if criteria.birth_date:
            query = query.where(Resident.birth_date == criteria.birth_date)
        if criteria.address:
            query = query.where(Household.address.contains(jaconv.normalize(criteria.address), autoescape=True))
        return [to_record(r) for r in db.session.scalars(query)]

    def born_between(self, first: date, last: date) -> list[PersonRecord]:
        query = (select(Resident).options(selectinload(Resident.household))
                 .where(Resident.status == ResidentStatus.active, Resident.birth_date >= first,
                        Resident.birth_date <= last)
                 .order_by(Resident.birth_date, Resident.id))
        return [to_record(r) for r in db.session.scalars(query)]

    def households(self, address: str = "") -> list[HouseholdRecord]:
        query = (select(Household).options(selectinload(Household.members))
                 .where(Household.members.any(Resident.status == ResidentStatus.active))
                 .order_by(Household.postal_code, Household.id))
        if address:
            query = query.where(Household.address.contains(jaconv.normalize(address), autoescape=True))
        return [HouseholdRecord(h.id, h.postal_code, h.address, tuple(to_record(m) for m in h.members))
                for h in db.session.scalars(query)]

    def my_number(self, resident_id: int) -> str | None:
        """A synthetic but valid number derived from the resident id and the secret key: the
        stand-in has no real numbers and stores none; the same resident always gets the same."""
        if db.session.get(Resident, resident_id) is None:
            return None
        key = settings().SECRET_KEY.encode()
        digest = hmac.new(key, f"my-number:{resident_id}".encode(), hashlib.sha256).digest()
        body = f"{int.from_bytes(digest[:8], 'big') % 10**11:011d}"
        return body + str(check_digit(body))

    # -- moves ---------------------------------------------------------------------------------

    def apply_move(self, order: MoveOrder) -> list[int]:
        handlers = {
            "move_in": self._move_in,
            "move_out": self._move_out,
            "move_within": self._move_within,
            "household_change": self._household_change,
        }
        if order.kind not in handlers:
            raise RegistryError(f"異動の種類が不明です：{order.kind}")
        changed = handlers[order.kind](order)
        db.session.flush()
        return changed

    def _members(self, ids: tuple[int, ...]) -> list[Resident]:
        members = [db.session.get(Resident, i) for i in ids]
        if not members or any(m is None or m.status != ResidentStatus.active for m in members):
            raise RegistryError("異動する方が住民記録にいないか、既に住民ではありません。", "members")
        return [m for m in members if m is not None]

    def _household(self, household_id: int) -> Household:
        household = db.session.get(Household, household_id)
        if household is None:
            raise RegistryError("指定の世帯が見つかりません。", "join_household_id")
        return household

    def _new_household(self, order: MoveOrder) -> Household:
        if not order.address or len(order.postal_code) != 7:
            raise RegistryError("新しい住所と郵便番号が必要です。", "address")
        household = Household(postal_code=order.postal_code, address=order.address,
                              created_on=order.moved_on)
        db.session.add(household)
        db.session.flush()
        return household

    def _move_in(self, order: MoveOrder) -> list[int]:
        if not order.new_persons:
            raise RegistryError("転入する方がいません。", "persons")
        if order.join_household_id:
            household = self._household(order.join_household_id)
        else:
            if sum(p.relationship == HEAD for p in order.new_persons) != 1:
                raise RegistryError("新しい世帯には世帯主が1人必要です。", "persons")
            household = self._new_household(order)
        created = [self._add_person(household, p, order) for p in order.new_persons]
        db.session.flush()
        return [r.id for r in created]

    def _add_person(self, household: Household, p: NewPerson, order: MoveOrder) -> Resident:
        resident = Resident(
            household=household, family_name=p.family_name, given_name=p.given_name,
            family_kana=p.family_kana, given_kana=p.given_kana, birth_date=p.birth_date, sex=p.sex,
            relationship=p.relationship, domicile=p.domicile, domicile_head=p.domicile_head,
            resident_since=order.moved_on, address_since=order.moved_on, notified_on=order.notified_on,
            previous_address=order.previous_address, nhi_member=p.nhi_member,
            pension_category=p.pension_category)
        db.session.add(resident)
        return resident

    def _leave(self, household: Household, leaving: list[Resident], remaining_head_id: int | None) -> None:
        """When the head leaves and others stay, the stayers need a new head (住基法 §25)."""
        staying = [m for m in household.members if m.status == ResidentStatus.active and m not in leaving]
        if not staying or not any(m.is_head for m in leaving):
            return
        new_head = next((m for m in staying if m.id == remaining_head_id), None)
        if new_head is None:
            raise RegistryError("世帯主が異動するため、残る世帯の新しい世帯主を選んでください。",
                                "remaining_head_id")
        new_head.relationship = HEAD

    def _move_out(self, order: MoveOrder) -> list[int]:
        members = self._members(order.member_ids)
        if not order.destination:
            raise RegistryError("転出先を入力してください。", "destination")
        self._leave(members[0].household, members, order.remaining_head_id)
        for m in members:
            m.status, m.left_on, m.left_to = ResidentStatus.moved_out, order.moved_on, order.destination
            m.notified_on = order.notified_on
        return [m.id for m in members]

    def _move_within(self, order: MoveOrder) -> list[int]:
        members = self._members(order.member_ids)
        household = members[0].household
        if any(m.household_id != household.id for m in members):
            raise RegistryError("転居は同じ世帯の方について届け出てください。", "members")
        everyone = [m for m in household.members if m.status == ResidentStatus.active]
        old_address = household.address
        if set(everyone) == set(members) and not order.join_household_id:
            household.postal_code, household.address = order.postal_code, order.address
            target = household
        else:
            self._leave(household, members, order.remaining_head_id)
            if order.join_household_id:
                target = self._household(order.join_household_id)
            else:
                target = self._new_household(order)
                head = next((m for m in members if m.id == order.new_head_id), None)
                if head is None:
                    raise RegistryError("新しい世帯の世帯主を選んでください。", "new_head_id")
                head.relationship = HEAD
            for m in members:
                m.household = target
        for m in members:
            m.address_since, m.notified_on, m.previous_address = order.moved_on, order.notified_on, old_address
            if m.id in order.relationships:
                m.relationship = order.relationships[m.id]
        return [m.id for m in members]

    def _household_change(self, order: MoveOrder) -> list[int]:
        if order.new_head_id is None:
            raise RegistryError("新しい世帯主を選んでください。", "new_head_id")
        new_head = self._members((order.new_head_id,))[0]
        household = new_head.household
        changed = []
        for m in household.members:
            if m.status != ResidentStatus.active:
                continue
            if m.id == new_head.id:
                m.relationship = HEAD
            elif m.id in order.relationships:
                m.relationship = order.relationships[m.id]
            elif m.is_head:
                raise RegistryError("これまでの世帯主の新しい続柄を入力してください。", "relationships")
            else:
                continue
            m.notified_on = order.notified_on
            changed.append(m.id)
        return changed
