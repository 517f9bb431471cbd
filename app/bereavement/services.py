"""The bereavement corner's rules (000 §6(15)⑨): the city's slots on office days, reservations
by phone, at the counter or on the public page, the deceased found in the registry stand-in,
the derived procedures, the visit that opens the counter's cases and hands the others over.

Reservations hold personal data (the deceased, the family's contact): every read and change is
audited. Services flush; the request commits (STYLE rule 4).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from app.auth import audit
from app.auth.models import Role, User
from app.bereavement import derive
from app.bereavement.models import (
    FactSource,
    ItemOutcome,
    Reservation,
    ReservationChannel,
    ReservationItem,
    ReservationState,
    Slot,
)
from app.config import settings
from app.core import calendar
from app.core.dates import now
from app.core.refusal import Problem, Refusal
from app.counter import catalog, visits
from app.counter.models import Case, Visit
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import PersonRecord, SearchCriteria
from app.registry.matching import fold_kana
from app.web.paging import Page, paged

CONSULTATION = "bereavement_consultation"  # the catalog entry the visit itself is received as
COUNTER_DEPARTMENTS = ("市民課", "国保年金課")
PUBLIC_WINDOW = timedelta(hours=1)
PUBLIC_BUSY = "ただいま予約の受付が混み合っています。時間をおいてもう一度お試しいただくか、お電話でご予約ください。"


class BereavementError(Refusal):
    """A step of the bereavement corner refused."""


class BookingBusy(BereavementError):
    """The public page took too many reservations from one address within the hour."""


# -- slots (the city sets them) ---------------------------------------------------------------

def may_set_slots(user: User) -> bool:
    return user.role in (Role.city_staff, Role.admin)


@dataclass(frozen=True)
class SlotInput:
    day: date | None
    times: str  # "10:00 13:30 15:00"
    minutes: int | None


def _times(text: str) -> tuple[list[time], list[str]]:
    out, bad = [], []
    for part in text.replace("、", " ").replace(",", " ").split():
        try:
            out.append(datetime.strptime(part, "%H:%M").time())
        except ValueError:
            bad.append(part)
    return out, bad


def add_slots(data: SlotInput, *, by: User) -> list[Slot]:
    """Slots on an office day within its hours (000 §5; app/core/calendar.py)."""
    if not may_set_slots(by):
        raise BereavementError("予約枠を設定できるのは市の職員です。")
    problems = []
    hours = calendar.office_hours(data.day) if data.day else None
    if data.day is None:
        problems.append(Problem("day", "日付を入力してください。"))
    elif hours is None:
        problems.append(Problem("day", f"{data.day:%Y-%m-%d}は開庁日ではありません。"))
    if data.minutes is None or not 15 <= data.minutes <= 180:
        problems.append(Problem("minutes", "所要時間を15〜180分で入力してください。"))
    times, bad = _times(data.times)
    if bad or not times:
        problems.append(Problem("times", "開始時刻を「10:00 13:30」のように入力してください。"
                                + (f"読めない時刻：{'、'.join(bad)}" if bad else "")))
    if hours and data.minutes and times:
        outside = [t for t in times if t < hours.opens or (datetime.combine(data.day, t)  # type: ignore[arg-type]
                                                            + timedelta(minutes=data.minutes)).time() > hours.closes]
        if outside:
            problems.append(Problem("times", f"開庁時間（{hours.label()}）外の時刻があります：" +
                                    "、".join(f"{t:%H:%M}" for t in outside)))
    if not problems:
        taken = set(db.session.scalars(select(Slot.starts).where(Slot.day == data.day)))
        if dup := [t for t in times if t in taken]:
            problems.append(Problem("times", "すでにある予約枠です：" + "、".join(f"{t:%H:%M}" for t in dup)))
    if problems:
        raise BereavementError.of(problems)
    assert data.day is not None and data.minutes is not None
    slots = [Slot(day=data.day, starts=t, minutes=data.minutes, created_by_id=by.id) for t in sorted(set(times))]
    db.session.add_all(slots)
    db.session.flush()
    audit.record("create", "bereavement_slot", slots[0].id,
                 f"おくやみコーナー予約枠 {data.day:%Y-%m-%d} {len(slots)}枠", by=by)
    return slots


def _taken() -> Select[tuple[int]]:
    return select(Reservation.slot_id).where(Reservation.state != ReservationState.cancelled)


def free_slots(from_day: date, days: int = 30) -> list[Slot]:
    """Slots still free from `from_day` (a slot of today only while it has not begun)."""
    at = now()
    rows = db.session.scalars(select(Slot).where(
        Slot.day >= from_day, Slot.day < from_day + timedelta(days=days), Slot.id.not_in(_taken()))
        .order_by(Slot.day, Slot.starts))
    return [s for s in rows if datetime.combine(s.day, s.starts) > at]


def slots_between(first: date, last: date) -> list[tuple[Slot, Reservation | None]]:
    rows = list(db.session.scalars(select(Slot).where(Slot.day >= first, Slot.day <= last)
                                   .order_by(Slot.day, Slot.starts)))
    booked = {r.slot_id: r for r in db.session.scalars(select(Reservation).where(
        Reservation.slot_id.in_([s.id for s in rows]), Reservation.state != ReservationState.cancelled))}
    return [(s, booked.get(s.id)) for s in rows]


# -- reservations -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BookingInput:
    slot_id: int | None
    deceased_name: str
    deceased_kana: str
    deceased_birth_date: date | None
    died_on: date | None
    family_name: str
    family_relationship: str
    family_phone: str
    answers: dict[str, bool] = field(default_factory=dict)


def _booking_problems(data: BookingInput) -> list[Problem]:
    problems = []
    for name, label in (("deceased_name", "亡くなった方の氏名"), ("deceased_kana", "亡くなった方のフリガナ"),
                        ("family_name", "ご家族の氏名"), ("family_relationship", "亡くなった方との続柄"),
                        ("family_phone", "連絡先電話番号")):
        if not getattr(data, name).strip():
            problems.append(Problem(name, f"{label}を入力してください。"))
    if data.deceased_birth_date is None:
        problems.append(Problem("deceased_birth_date", "亡くなった方の生年月日を入力してください。"))
    if data.died_on is None:
        problems.append(Problem("died_on", "亡くなった日を入力してください。"))
    elif data.died_on > now().date():
        problems.append(Problem("died_on", "亡くなった日に未来の日付は入力できません。"))
    elif data.deceased_birth_date and data.died_on < data.deceased_birth_date:
        problems.append(Problem("died_on", "亡くなった日が生年月日より前になっています。"))
    phone = data.family_phone.replace("-", "")
    if data.family_phone.strip() and not (phone.isdigit() and 10 <= len(phone) <= 11):
        problems.append(Problem("family_phone", "連絡先電話番号は10〜11桁の数字で入力してください。"))
    return problems


def _free_slot(slot_id: int | None) -> Slot | None:
    slot = db.session.get(Slot, slot_id) if slot_id else None
    if slot is None or datetime.combine(slot.day, slot.starts) <= now():
        return None
    taken = db.session.scalar(select(func.count()).select_from(Reservation).where(
        Reservation.slot_id == slot.id, Reservation.state != ReservationState.cancelled))
    return None if taken else slot


def _find_deceased(data: BookingInput, by: User | None) -> PersonRecord | None:
    """The deceased in the registry stand-in: exactly one person of that birth date and kana
    (000 §6(15)⑨ウ 死亡者の特定). The search is audited as the corner's."""
    assert data.deceased_birth_date is not None
    found = registry.search(SearchCriteria(birth_date=data.deceased_birth_date, include_inactive=True, limit=50),
                            "おくやみコーナー 死亡者の特定", by=by)
    same = [p for p in found if fold_kana(p.kana) == fold_kana(data.deceased_kana)]
    return same[0] if len(same) == 1 else None


def _number() -> str:
    while True:
        number = f"OK-{secrets.randbelow(10**6):06d}"
        if db.session.scalar(select(Reservation.id).where(Reservation.number == number)) is None:
            return number


def booking_problems(data: BookingInput) -> list[Problem]:
    """Every problem of a booking, the slot's included (a form whose own checks failed shows
    these too, so that all problems are shown at once)."""
    problems = _booking_problems(data)
    if _free_slot(data.slot_id) is None:
        problems.append(Problem("slot_id", "予約枠を選んでください（選んだ枠は埋まったか、過ぎています）。"))
    return problems


def book(data: BookingInput, channel: ReservationChannel, *, by: User | None, address: str = "") -> Reservation:
    """A reservation: a free slot, the deceased, the family's contact and the questionnaire.
    On the public page (`by` None) one address books at most BEREAVEMENT_BOOKINGS_PER_HOUR."""
    if problems := booking_problems(data):
        raise BereavementError.of(problems)
    slot = _free_slot(data.slot_id)
    if by is None:
        recent = db.session.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.channel == ReservationChannel.web, Reservation.booked_from == address,
            Reservation.created_at > now() - PUBLIC_WINDOW)) or 0
        if recent >= settings().BEREAVEMENT_BOOKINGS_PER_HOUR:
            raise BookingBusy(PUBLIC_BUSY)
    assert slot is not None and data.deceased_birth_date is not None and data.died_on is not None
    person = _find_deceased(data, by)
    reservation = Reservation(
        number=_number(), slot=slot, channel=channel, deceased_name=data.deceased_name.strip(),
        deceased_kana=data.deceased_kana.strip(), deceased_birth_date=data.deceased_birth_date,
        died_on=data.died_on, deceased_resident_id=person.id if person else None,
        family_name=data.family_name.strip(), family_relationship=data.family_relationship.strip(),
        family_phone=data.family_phone.strip(), answers={k: bool(v) for k, v in data.answers.items()},
        booked_from=address if by is None else "", created_by_id=by.id if by else None, created_at=now())
    db.session.add(reservation)
    db.session.flush()
    derive_items(reservation, person)
    audit.record("create", "bereavement_reservation", reservation.id,
                 f"おくやみコーナー予約 {reservation.number} {slot.label}（{channel.label}）", by=by)
    return reservation


def derive_items(reservation: Reservation, person: PersonRecord | None) -> None:
    """The procedures that apply, again from the facts (the pending ones are replaced; what was
    already opened or handed over stays)."""
    known = derive.facts(person, reservation.answers)
    found = derive.applicable(known, reservation.deceased_birth_date, reservation.died_on,
                              age_source=FactSource.registry if person else FactSource.questionnaire)
    done = {i.rule for i in reservation.items if i.outcome is not ItemOutcome.pending}
    for item in [i for i in reservation.items if i.outcome is ItemOutcome.pending]:
        reservation.items.remove(item)
    for a in found:
        if a.rule not in done:
            reservation.items.append(ReservationItem(rule=a.rule, name=a.name, department=a.department,
                                                     catalog_code=a.catalog_code, documents=a.documents,
                                                     source=a.source))
    db.session.flush()


def deceased_record(reservation: Reservation, *, by: User | None) -> PersonRecord | None:
    if reservation.deceased_resident_id is None:
        return None
    return registry.read_person(reservation.deceased_resident_id, "おくやみコーナー 死亡者の記録", by=by)


def update_answers(reservation: Reservation, answers: dict[str, bool], *, by: User) -> None:
    """The questionnaire answered (again) at the counter: the list follows."""
    _check_open(reservation)
    reservation.answers = {k: bool(v) for k, v in answers.items()}
    derive_items(reservation, deceased_record(reservation, by=by))
    audit.record("update", "bereavement_reservation", reservation.id, "聞き取り内容を更新", by=by)


def read_reservation(reservation_id: int, *, by: User) -> Reservation | None:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is not None:
        audit.record("read", "bereavement_reservation", reservation.id, f"おくやみコーナー予約 {reservation.number}",
                     by=by)
    return reservation


def reservations(first: date, last: date, page: int = 1, *, by: User) -> Page[Reservation]:
    """The reservations whose slot falls in [first, last], the earliest first; the names shown
    are an audited read."""
    query = (select(Reservation).join(Slot).where(Slot.day >= first, Slot.day <= last)
             .order_by(Slot.day, Slot.starts, Reservation.id))
    result = paged(query, page)
    if result.rows:
        audit.record("read", "bereavement_reservation", len(result.rows), "予約一覧 表示: "
                     + ", ".join(r.number for r in result.rows), by=by)
    return result


def _check_open(reservation: Reservation) -> None:
    if reservation.state in (ReservationState.done, ReservationState.cancelled):
        raise BereavementError(f"この予約は{reservation.state.label}です。")


def cancel(reservation: Reservation, *, by: User) -> None:
    if reservation.state is not ReservationState.booked:
        raise BereavementError("取り消せるのは来庁前の予約です。")
    reservation.state, reservation.closed_at = ReservationState.cancelled, now()
    audit.record("update", "bereavement_reservation", reservation.id, "予約を取消", by=by)


# -- the visit --------------------------------------------------------------------------------

def may_hold_visit(user: User) -> bool:
    return user.role in (Role.operator, Role.supervisor)


def start_visit(reservation: Reservation, *, by: User) -> None:
    """The family has come: the visit is received at the counter (a 受付 of the corner's own
    catalog entry, 000 §6(15)⑨エ), and the corner's cases join it."""
    if not may_hold_visit(by):
        raise BereavementError("来庁対応を行うのは窓口の職員です。")
    if reservation.state is not ReservationState.booked:
        raise BereavementError("来庁対応を始められるのは予約済の予約です。")
    visit = visits.open_visit(reservation.family_name, [CONSULTATION], by)
    visit.cases[0].subject_resident_id = reservation.deceased_resident_id
    reservation.visit_id, reservation.visited_at = visit.id, now()
    reservation.state = ReservationState.visiting
    db.session.flush()
    audit.record("update", "bereavement_reservation", reservation.id, f"来庁（受付 第{visit.id}号）", by=by)


def _item(reservation: Reservation, item_id: int) -> ReservationItem:
    item = next((i for i in reservation.items if i.id == item_id), None)
    if item is None:
        raise BereavementError("この予約の手続ではありません。")
    if reservation.state is not ReservationState.visiting:
        raise BereavementError("来庁対応中の予約で行ってください。")
    if item.outcome is not ItemOutcome.pending:
        raise BereavementError(f"この手続はすでに「{item.outcome.label}」です。")
    return item


def can_open_case(item: ReservationItem) -> bool:
    """A procedure the counter itself receives: its catalog entry is in use."""
    procedure = catalog.get_procedure(item.catalog_code) if item.catalog_code else None
    return (item.outcome is ItemOutcome.pending and item.department in COUNTER_DEPARTMENTS
            and procedure is not None and procedure.active)


def open_case(reservation: Reservation, item_id: int, *, by: User) -> Case:
    """Open the counter case of a procedure (the catalog's workflow takes it from here)."""
    item = _item(reservation, item_id)
    if not can_open_case(item):
        raise BereavementError("この手続は窓口の案件として受け付けられません。関係課へ引き継いでください。")
    procedure = catalog.get_procedure(item.catalog_code)
    assert procedure is not None and reservation.visit_id is not None
    visit = db.session.get(Visit, reservation.visit_id)
    assert visit is not None
    case = visits.add_case(visit, procedure, by)
    case.subject_resident_id = reservation.deceased_resident_id
    item.case_id, item.outcome = case.id, ItemOutcome.case_opened
    db.session.flush()
    audit.record("update", "bereavement_reservation", reservation.id, f"{item.name}：案件 第{case.id}号を受付", by=by)
    return case


def hand_over(reservation: Reservation, item_id: int, explained: str, *, by: User) -> ReservationItem:
    """Hand a procedure over to its department (000 §6(15)⑨ウ 関係課への周知), with what the
    family was told."""
    item = _item(reservation, item_id)
    if not explained.strip():
        raise BereavementError("ご家族に説明した内容を入力してください。", "explained")
    item.outcome, item.explained = ItemOutcome.handed_over, explained.strip()
    item.handed_over_at, item.handed_over_by_id = now(), by.id
    db.session.flush()
    audit.record("update", "bereavement_reservation", reservation.id, f"{item.name}：{item.department}へ引継ぎ", by=by)
    return item


def finish_visit(reservation: Reservation, *, by: User) -> None:
    if reservation.state is not ReservationState.visiting:
        raise BereavementError("来庁対応中の予約ではありません。")
    reservation.state, reservation.closed_at = ReservationState.done, now()
    audit.record("update", "bereavement_reservation", reservation.id, "来庁対応を完了", by=by)


def departments_with_handovers() -> list[tuple[str, int]]:
    return [(d, n) for d, n in db.session.execute(
        select(ReservationItem.department, func.count()).where(ReservationItem.outcome == ItemOutcome.handed_over)
        .group_by(ReservationItem.department).order_by(ReservationItem.department))]


def handovers(department: str, page: int = 1, *, by: User) -> Page[ReservationItem]:
    """The handover list of one department: the family's details and what was explained."""
    query = (select(ReservationItem).where(ReservationItem.department == department,
                                           ReservationItem.outcome == ItemOutcome.handed_over)
             .order_by(ReservationItem.handed_over_at.desc(), ReservationItem.id.desc()))
    result = paged(query, page)
    if result.rows:
        audit.record("read", "bereavement_reservation", len(result.rows), f"{department}への引継ぎ一覧 表示: "
                     + ", ".join(sorted({i.reservation.number for i in result.rows})), by=by)
    return result


def today_count(day: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Reservation).join(Slot).where(
        Slot.day == day, Reservation.state.in_((ReservationState.booked, ReservationState.visiting)))) or 0
