"""The bereavement corner's rules (000 §6(15)⑨): slots on office days, reservations, the
procedures derived from the registry, the records and the questionnaire, the visit that opens
counter cases and hands the others over, and the month's counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.bereavement import documents, services
from app.bereavement.models import FactSource, ItemOutcome, ReservationChannel, ReservationState
from app.bereavement.summary import bereavement_summary
from app.core import calendar
from app.core.dates import today
from app.counter.models import Case, CaseState
from app.extensions import db


def _closed_day() -> date:
    day = today() + timedelta(days=1)
    while calendar.office_hours(day) is not None:
        day += timedelta(days=1)
    return day


def test_slots_are_set_by_the_city_on_office_days_within_hours(slots, make_user, office_day) -> None:
    city = make_user("city_staff", "city2")
    operator = make_user("operator", "op9")
    with pytest.raises(services.BereavementError):
        services.add_slots(services.SlotInput(office_day, "11:00", 60), by=operator)
    with pytest.raises(services.BereavementError) as refused:
        services.add_slots(services.SlotInput(_closed_day(), "7:00 25:00 10:00", 5), by=city)
    fields = {p.field for p in refused.value.problems}
    assert fields == {"day", "minutes", "times"}
    with pytest.raises(services.BereavementError) as late:
        services.add_slots(services.SlotInput(office_day, "10:00 20:00", 60), by=city)
    assert late.value.message.startswith("開庁時間（8:30〜") and late.value.message.endswith("：20:00")
    with pytest.raises(services.BereavementError) as twice:
        services.add_slots(services.SlotInput(office_day, "10:00 11:00", 60), by=city)
    assert twice.value.message == "すでにある予約枠です：10:00"
    assert [s.starts.strftime("%H:%M") for s in services.free_slots(today())] == ["10:00", "13:30", "15:00"]


def test_a_booking_finds_the_deceased_and_derives_from_the_registry_over_the_answers(booked, deceased) -> None:
    # the family says "NHI member" but the registry says not: the registry wins; the age (80)
    # brings late-elderly and care insurance; the car is only known from the questionnaire
    reservation = booked(answers={"nhi_member": True, "car": True})
    assert reservation.deceased_resident_id == deceased.id
    items = {i.rule: i for i in reservation.items}
    assert "nhi_loss" not in items and "nhi_funeral" not in items
    assert {"removed_records", "late_elderly_loss", "late_elderly_funeral", "care_insurance", "car"} <= set(items)
    assert items["late_elderly_loss"].source is FactSource.registry
    assert items["car"].source is FactSource.questionnaire
    assert items["car"].department == "税務課" and items["late_elderly_funeral"].catalog_code == "late_elderly_funeral"


def test_an_unknown_deceased_is_derived_from_the_questionnaire(booked) -> None:
    reservation = booked(deceased_kana="ダレカ シラナイ", answers={"nhi_member": True, "seal_registered": True})
    assert reservation.deceased_resident_id is None
    rules = {i.rule: i.source for i in reservation.items}
    assert rules["nhi_loss"] is FactSource.questionnaire and rules["seal_card"] is FactSource.questionnaire


def test_a_refused_booking_names_every_field_and_a_taken_slot(booking, booked, operator, slots) -> None:
    booked()
    with pytest.raises(services.BereavementError) as refused:
        services.book(booking(deceased_name=" ", family_phone="12", died_on=today() + timedelta(days=1)),
                      ReservationChannel.phone, by=operator)
    assert {p.field for p in refused.value.problems} == {"deceased_name", "family_phone", "died_on", "slot_id"}


def test_the_public_page_is_limited_per_address(booking, slots, deceased, make_user) -> None:
    limit = 3
    for slot in slots:
        services.book(booking(slot=slot), ReservationChannel.web, by=None, address="192.0.2.1")
    assert len(slots) == limit
    extra = services.add_slots(services.SlotInput(slots[0].day, "16:00", 30), by=make_user("city_staff", "city3"))
    with pytest.raises(services.BookingBusy):
        services.book(booking(slot=extra[0]), ReservationChannel.web, by=None, address="192.0.2.1")
    other = services.book(booking(slot=extra[0]), ReservationChannel.web, by=None, address="198.51.100.7")
    assert other.channel is ReservationChannel.web


def test_the_visit_opens_counter_cases_and_hands_the_rest_over(booked, operator, app) -> None:
    reservation = booked(answers={"car": True})
    items = {i.rule: i for i in reservation.items}
    with pytest.raises(services.BereavementError):  # not before the family has come
        services.open_case(reservation, items["late_elderly_funeral"].id, by=operator)
    services.start_visit(reservation, by=operator)
    assert reservation.state is ReservationState.visiting
    case = services.open_case(reservation, items["late_elderly_funeral"].id, by=operator)
    assert case.procedure.code == "late_elderly_funeral" and case.state is CaseState.received
    assert case.visit_id == reservation.visit_id and case.subject_resident_id == reservation.deceased_resident_id
    with pytest.raises(services.BereavementError):  # a department's procedure is no counter case
        services.open_case(reservation, items["car"].id, by=operator)
    with pytest.raises(services.BereavementError) as unexplained:
        services.hand_over(reservation, items["car"].id, " ", by=operator)
    assert unexplained.value.field == "explained"
    services.hand_over(reservation, items["car"].id, "車検証を持って税務課へ", by=operator)
    services.hand_over(reservation, items["care_insurance"].id, "被保険者証を郵送で返却", by=operator)
    assert items["car"].outcome is ItemOutcome.handed_over
    listed = services.handovers("税務課", by=operator)
    assert [i.reservation.number for i in listed.rows] == [reservation.number]
    visit_cases = db.session.scalars(select(Case).where(Case.visit_id == reservation.visit_id)).all()
    assert {c.procedure.code for c in visit_cases} == {"bereavement_consultation", "late_elderly_funeral"}
    services.finish_visit(reservation, by=operator)
    day = reservation.slot.day
    summary = bereavement_summary(db.session, day.replace(day=1), day + timedelta(days=31))
    assert summary["reservations"] == 1 and summary["visits"] == 1 and summary["cases_opened"] == 1
    assert summary["handed_over"] == 2 and summary["handed_over_by_department"] == {"税務課": 1, "介護保険課": 1}
    assert summary["by_channel"] == {"phone": 1}


def test_the_papers_are_pdfs_and_audited(booked, operator, app) -> None:
    reservation = booked()
    guide = documents.guide_pdf(reservation, by=operator)
    services.start_visit(reservation, by=operator)
    sheet = documents.take_home_pdf(reservation, by=operator)
    assert guide.startswith(b"%PDF") and sheet.startswith(b"%PDF")
    details = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "bereavement_reservation", AuditEntry.action == "read")).all()
    assert any("おくやみ手続のご案内" in d for d in details) and any("本日の手続と残りの手続" in d for d in details)
