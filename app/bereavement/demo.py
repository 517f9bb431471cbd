"""Demo data of the bereavement corner: the city's slots on the next office days and a few
reservations of residents of the demo registry (by phone, at the counter and on the public page).
Loaded once: a database that has slots is left as it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.bereavement import services
from app.bereavement.models import ReservationChannel, Slot
from app.core import calendar
from app.core.dates import today
from app.extensions import db
from app.registry.models import Resident, ResidentStatus

OFFICE_DAYS = 10
TIMES = "10:00 13:30 15:00"
BOOKINGS = ((ReservationChannel.phone, "妻", {"car": True, "property": True}),
            (ReservationChannel.counter, "長男", {"pension_receiving": True, "water_contract": True}),
            (ReservationChannel.web, "長女", {"disability_card": True}))


def load() -> None:
    if db.session.scalar(select(Slot.id).limit(1)) is not None:
        return
    city = db.session.scalar(select(User).where(User.username == "city"))
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    if city is None or operator is None:
        return
    day = today()
    slots: list[Slot] = []
    for _ in range(OFFICE_DAYS):
        day = calendar.next_office_day(day)
        if calendar.office_hours(day) and not calendar.office_hours(day).special:  # type: ignore[union-attr]
            slots += services.add_slots(services.SlotInput(day, TIMES, 60), by=city)
    elderly = db.session.scalars(select(Resident).where(
        Resident.status == ResidentStatus.active, Resident.birth_date <= today() - timedelta(days=365 * 70))
        .order_by(Resident.id).limit(len(BOOKINGS))).all()
    for (channel, relationship, answers), person, slot in zip(BOOKINGS, elderly, slots[::2], strict=False):
        data = services.BookingInput(
            slot_id=slot.id, deceased_name=person.name, deceased_kana=person.kana,
            deceased_birth_date=person.birth_date, died_on=today() - timedelta(days=3),
            family_name=f"{person.family_name}\u3000花子", family_relationship=relationship,
            family_phone="019-600-0000", answers=answers)
        services.book(data, channel, by=None if channel is ReservationChannel.web else operator,
                      address="127.0.0.1")
    db.session.flush()
