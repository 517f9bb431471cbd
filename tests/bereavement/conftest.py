from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.bereavement import services
from app.bereavement.models import Reservation, ReservationChannel, Slot
from app.core import calendar
from app.core.dates import today
from app.counter import catalog
from app.extensions import db
from app.registry.models import HEAD, Household, PensionCategory, Resident


@pytest.fixture
def office_day(app) -> date:
    return calendar.next_office_day(today())


@pytest.fixture
def slots(app, db_session, make_user, office_day) -> list[Slot]:
    catalog.load()
    city = make_user("city_staff", "city1")
    return services.add_slots(services.SlotInput(office_day, "10:00 13:30 15:00", 60), by=city)


@pytest.fixture
def deceased(app, db_session) -> Resident:
    """A man of 80 in the registry, in the NHI's records as not a member, paying no pension."""
    household = Household(postal_code="0290000", address="岩手県山彦市本町一丁目2番3号", created_on=date(1990, 4, 1))
    person = Resident(household=household, family_name="山彦", given_name="一郎", family_kana="ヤマビコ",
                      given_kana="イチロウ", birth_date=date(1945, 5, 6), sex="1", relationship=HEAD,
                      resident_since=date(1990, 4, 1), address_since=date(1990, 4, 1), notified_on=date(1990, 4, 1),
                      nhi_member=False, pension_category=PensionCategory.none)
    db.session.add(person)
    db.session.flush()
    return person


@pytest.fixture
def booking(slots) -> Callable[..., services.BookingInput]:
    def make(slot: Slot | None = None, **changes: Any) -> services.BookingInput:
        values: dict[str, Any] = dict(
            slot_id=(slot or slots[0]).id, deceased_name="山彦 一郎", deceased_kana="ヤマビコ イチロウ",
            deceased_birth_date=date(1945, 5, 6), died_on=today(), family_name="山彦 花子",
            family_relationship="妻", family_phone="019-123-4567", answers={})
        values.update(changes)
        return services.BookingInput(**values)

    return make


@pytest.fixture
def operator(make_user, slots) -> Any:
    return make_user("operator", "op1")


@pytest.fixture
def booked(booking, operator, deceased) -> Callable[..., Reservation]:
    def make(**changes: Any) -> Reservation:
        return services.book(booking(**changes), ReservationChannel.phone, by=operator)

    return make
