"""The local stand-in registry: search, moves, the individual number, audit, demo data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from app.auth.models import AuditEntry
from app.extensions import db
from app.registry import demo, places, services
from app.registry.adapter import MoveOrder, NewPerson, RegistryError, SearchCriteria, age_on, get_adapter
from app.registry.local import LocalRegistry
from app.registry.models import Household, Resident
from hardware.card_reader.my_number import is_valid_my_number
from tests.registry.factories import yamabiko_family


def test_the_default_adapter_is_the_local_stand_in(app) -> None:
    assert isinstance(get_adapter(), LocalRegistry)


def test_search_by_kana_in_hiragana_and_by_birth_date(app, db_session) -> None:
    yamabiko_family()
    found = services.search(SearchCriteria(kana="やまびこ　は"), by=None)
    assert [p.given_name for p in found] == ["花子"]
    assert [p.given_name for p in services.search(SearchCriteria(birth_date=date(2016, 6, 10)), by=None)] == ["翔"]
    assert services.search(SearchCriteria(), by=None) == []


def test_search_and_read_are_audited(app, db_session) -> None:
    household = yamabiko_family()
    services.search(SearchCriteria(kana="ヤマビコ"), by=None)
    services.read_person(household.members[0].id, "テスト閲覧", by=None)
    rows = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert any(r.object_type == "resident_search" and r.object_id == "4" for r in rows)
    assert any(r.object_type == "resident" and r.detail == "テスト閲覧" for r in rows)


def test_age_counts_completed_years() -> None:
    assert age_on(date(2000, 4, 2), date(2026, 4, 1)) == 25
    assert age_on(date(2000, 4, 2), date(2026, 4, 2)) == 26


def test_my_number_is_valid_stable_and_never_a_column(app, db_session) -> None:
    household = yamabiko_family()
    rid = household.members[0].id
    number = services.my_number_for_print(rid, "テスト", by=None)
    assert number is not None and is_valid_my_number(number)
    assert number == get_adapter().my_number(rid)
    columns = {c["name"] for c in inspect(db.session.connection()).get_columns("registry_residents")}
    assert not {c for c in columns if "number" in c}
    audit_text = " ".join(r.detail for r in db_session.scalars(select(AuditEntry)))
    assert number not in audit_text


def test_move_in_creates_a_household_with_a_head(app, db_session) -> None:
    order = MoveOrder(kind="move_in", moved_on=date(2026, 4, 1), notified_on=date(2026, 4, 3),
                      postal_code="0210001", address="岩手県一関市新町1番1号", previous_address="宮城県仙台市",
                      new_persons=(NewPerson("川口", "一郎", "カワグチ", "イチロウ", date(1990, 1, 1), "1", "世帯主"),
                                   NewPerson("川口", "桜", "カワグチ", "サクラ", date(2020, 3, 3), "2", "子")))
    ids = services.apply_move(order, "テスト転入", by=None)
    people = [db.session.get(Resident, i) for i in ids]
    assert {p.household.address for p in people} == {"岩手県一関市新町1番1号"}
    assert people[0].resident_since == date(2026, 4, 1) and people[0].previous_address == "宮城県仙台市"
    creates = db_session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create",
                                                                                  AuditEntry.object_type == "resident"))
    assert creates == 2


def test_move_in_without_a_head_is_refused(app, db_session) -> None:
    order = MoveOrder(kind="move_in", moved_on=date(2026, 4, 1), notified_on=date(2026, 4, 3),
                      postal_code="0210001", address="岩手県一関市新町1番1号",
                      new_persons=(NewPerson("川口", "桜", "カワグチ", "サクラ", date(2020, 3, 3), "2", "子"),))
    with pytest.raises(RegistryError, match="世帯主"):
        get_adapter().apply_move(order)


def test_move_out_of_the_head_needs_a_new_head_for_those_staying(app, db_session) -> None:
    household = yamabiko_family()
    head, wife = household.members[0], household.members[1]
    order = MoveOrder(kind="move_out", moved_on=date(2026, 4, 1), notified_on=date(2026, 3, 25),
                      member_ids=(head.id,), destination="東京都千代田区")
    with pytest.raises(RegistryError, match="新しい世帯主"):
        get_adapter().apply_move(order)
    get_adapter().apply_move(MoveOrder(**{**order.__dict__, "remaining_head_id": wife.id}))
    assert head.status == "moved_out" and head.left_to == "東京都千代田区"
    assert wife.relationship == "世帯主"


def test_whole_household_moving_within_changes_the_household_address(app, db_session) -> None:
    household = yamabiko_family()
    ids = tuple(m.id for m in household.members)
    get_adapter().apply_move(MoveOrder(kind="move_within", moved_on=date(2026, 4, 1), notified_on=date(2026, 4, 2),
                                       member_ids=ids, postal_code="0210001", address="岩手県一関市新町2番2号"))
    assert household.address == "岩手県一関市新町2番2号"
    assert household.members[0].previous_address == "岩手県一関市竹山町7番2号"
    assert db_session.scalar(select(func.count()).select_from(Household)) == 1


def test_part_of_a_household_moving_within_forms_a_new_household(app, db_session) -> None:
    household = yamabiko_family()
    wife, child = household.members[1], household.members[3]
    get_adapter().apply_move(MoveOrder(kind="move_within", moved_on=date(2026, 4, 1), notified_on=date(2026, 4, 2),
                                       member_ids=(wife.id, child.id), postal_code="0210001",
                                       address="岩手県一関市新町3番3号", new_head_id=wife.id))
    assert wife.household_id == child.household_id != household.id
    assert wife.relationship == "世帯主"
    assert household.members[0].relationship == "世帯主"


def test_household_change_makes_a_new_head(app, db_session) -> None:
    household = yamabiko_family()
    head, wife = household.members[0], household.members[1]
    with pytest.raises(RegistryError, match="続柄"):
        get_adapter().apply_move(MoveOrder(kind="household_change", moved_on=date(2026, 4, 1),
                                           notified_on=date(2026, 4, 1), new_head_id=wife.id))
    get_adapter().apply_move(MoveOrder(kind="household_change", moved_on=date(2026, 4, 1),
                                       notified_on=date(2026, 4, 1), new_head_id=wife.id,
                                       relationships={head.id: "夫"}))
    assert (wife.relationship, head.relationship) == ("世帯主", "夫")


def test_demo_loads_thousands_of_residents_in_the_demo_citys_towns(app, db_session) -> None:
    count = demo.load()
    assert count >= 2500
    households = db_session.scalars(select(Household).limit(50)).all()
    for h in households:  # fictional towns and codes (app/registry/places.py), not 一関市's
        assert h.address.startswith(places.town_address(h.postal_code, ""))
    heads = db_session.scalar(select(func.count()).select_from(Resident).where(Resident.relationship == "世帯主"))
    assert heads == db_session.scalar(select(func.count()).select_from(Household))
