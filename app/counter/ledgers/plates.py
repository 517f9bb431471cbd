"""臨時運行許可 (000 §6(9)): the plate inventory, the 発行管理簿, the return of plate and permit,
and the overdue list with its reminder letter. The fee goes to the register as a bill (the same
seam every fee uses: app/register/services.py `open_bill`).

道路運送車両法 (as quoted in city rules; the current e-Gov text was not checked):
- §35③: the period is at most five days (longer only for a long transfer or the like: this
  ledger keeps to five, a longer one is the city's decision and is refused here);
- §35④: the permit (臨時運行許可証) is issued and the plate (臨時運行許可番号標) lent;
- §35⑤: the permit states the purpose, the route and the period;
- §35⑥: both are returned within five days of the day the period ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year
from app.core.refusal import Problem, Refusal
from app.core.text import width
from app.counter.ledgers.models import RETURN_DAYS, TemporaryPermit, TemporaryPlate
from app.extensions import db
from app.register import services as register
from app.register.fees import Item
from app.register.models import Bill

MAX_PERIOD_DAYS = 5  # 道路運送車両法 §35③
OVERDUE_FROM_DAY = RETURN_DAYS + 1  # day 6 after the period: the return (§35⑥) is late
PERMIT_FEE_CODE = "temporary_vehicle_permit"
PERMIT_BILL_SOURCE = "temporary_permit"


class LedgerError(Refusal):
    """A rule of the counter's ledgers said no."""


# --- plates -----------------------------------------------------------------------------------

def add_plate(number: str, by: User) -> TemporaryPlate:
    number = " ".join(width(number).split())  # full-width digits typed are the same plate
    if not number:
        raise LedgerError("番号標の番号を入力してください。", "number")
    if db.session.scalar(select(TemporaryPlate).where(TemporaryPlate.number == number)) is not None:
        raise LedgerError(f"番号標「{number}」は登録済みです。", "number")
    plate = TemporaryPlate(number=number)
    db.session.add(plate)
    db.session.flush()
    audit.record("create", "temporary_plate", plate.id, f"臨時運行許可番号標 {number}", by=by)
    return plate


def out_permit(plate: TemporaryPlate) -> TemporaryPermit | None:
    """The permit the plate is lent for now (None: it is in the office)."""
    return db.session.scalar(select(TemporaryPermit).where(
        TemporaryPermit.plate_id == plate.id, TemporaryPermit.returned_on.is_(None)))


def inventory() -> list[tuple[TemporaryPlate, TemporaryPermit | None]]:
    """Every plate, with the permit it is out on (None when it is in the office)."""
    plates = list(db.session.scalars(select(TemporaryPlate).order_by(TemporaryPlate.number)))
    out = {p.plate_id: p for p in db.session.scalars(
        select(TemporaryPermit).where(TemporaryPermit.returned_on.is_(None)))}
    return [(plate, out.get(plate.id)) for plate in plates]


def plates_in() -> list[TemporaryPlate]:
    return [plate for plate, permit in inventory() if permit is None and plate.active]


# --- permits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PermitInput:
    plate_id: int | None
    applicant_name: str
    applicant_address: str
    vehicle_name: str
    chassis_number: str
    purpose: str
    route: str
    period_from: date | None
    period_to: date | None


def _permit_problems(data: PermitInput, today: date) -> list[Problem]:
    problems = [Problem(name, f"{label}を入力してください。") for name, label in (
        ("applicant_name", "申請者の氏名・名称"), ("applicant_address", "申請者の住所"), ("vehicle_name", "車名"),
        ("chassis_number", "車台番号"), ("purpose", "運行の目的"), ("route", "運行の経路"))
        if not getattr(data, name).strip()]
    if data.plate_id is None:
        problems.append(Problem("plate_id", "貸与する番号標を選んでください。"))
    if data.period_from is None:
        problems.append(Problem("period_from", "有効期間の初日を入力してください。"))
    elif data.period_from < today:
        problems.append(Problem("period_from", "有効期間の初日は今日以降にしてください。"))
    if data.period_to is None:
        problems.append(Problem("period_to", "有効期間の末日を入力してください。"))
    elif data.period_from is not None:
        days = (data.period_to - data.period_from).days + 1
        if days < 1:
            problems.append(Problem("period_to", "有効期間の末日は初日以降にしてください。"))
        elif days > MAX_PERIOD_DAYS:
            problems.append(Problem("period_to", f"有効期間は{MAX_PERIOD_DAYS}日以内です（道路運送車両法第35条第3項）。"
                                                 f"入力の期間は{days}日です。"))
    return problems


def issue_permit(data: PermitInput, *, today: date, by: User) -> TemporaryPermit:
    """Issue a permit and lend the plate (§35④), with the fee sent to the register. A plate
    that is out is refused; two counters lending the same plate at once meet the database's
    partial unique index, and the second is refused the same way."""
    problems = _permit_problems(data, today)
    plate = db.session.get(TemporaryPlate, data.plate_id) if data.plate_id is not None else None
    if data.plate_id is not None and (plate is None or not plate.active):
        problems.append(Problem("plate_id", "この番号標は使用できません。"))
    elif plate is not None and (lent := out_permit(plate)) is not None:
        problems.append(Problem("plate_id", f"番号標「{plate.number}」は貸出中です（許可番号{lent.permit_number}、"
                                            f"返納期限{lent.due_return:%Y-%m-%d}）。"))
    if problems:
        raise LedgerError.of(problems)
    assert plate is not None and data.period_from is not None and data.period_to is not None
    year = fiscal_year(today)
    serial = (db.session.scalar(select(func.max(TemporaryPermit.serial))
                                .where(TemporaryPermit.fiscal_year == year)) or 0) + 1
    permit = TemporaryPermit(
        fiscal_year=year, serial=serial, plate=plate, applicant_name=" ".join(data.applicant_name.split()),
        applicant_address=data.applicant_address.strip(), vehicle_name=data.vehicle_name.strip(),
        chassis_number=data.chassis_number.strip().upper(), purpose=data.purpose.strip(), route=data.route.strip(),
        period_from=data.period_from, period_to=data.period_to, issued_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(permit)
            db.session.flush()
    except IntegrityError:
        raise LedgerError(f"番号標「{plate.number}」は他の窓口で貸し出されたところです。別の番号標を選んでください。",
                          "plate_id") from None
    audit.record("create", "temporary_permit", permit.id,
                 f"臨時運行許可 {permit.permit_number} 番号標{plate.number} {permit.applicant_name} "
                 f"{permit.period_from:%Y-%m-%d}〜{permit.period_to:%Y-%m-%d}", by=by)
    try:
        register.open_bill(PERMIT_BILL_SOURCE, permit.id, permit.applicant_name, [Item(PERMIT_FEE_CODE, 1)], by=by)
    except register.RegisterError as exc:
        raise LedgerError(f"会計へ送れませんでした：{exc.message}") from exc
    return permit


def read_permit(permit_id: int, *, by: User) -> TemporaryPermit | None:
    permit = db.session.get(TemporaryPermit, permit_id)
    if permit is not None:
        audit.record("read", "temporary_permit", permit.id, f"{permit.permit_number} {permit.applicant_name}", by=by)
    return permit


def permit_bill(permit: TemporaryPermit) -> Bill | None:
    return register.bill_for_source(PERMIT_BILL_SOURCE, permit.id)


@dataclass(frozen=True)
class ReturnInput:
    returned_on: date | None
    returned_by_name: str


def return_permit(permit: TemporaryPermit, data: ReturnInput, *, today: date, by: User) -> None:
    """The permit and the plate came back (§35⑥): the plate is in the office again."""
    problems = []
    if not permit.out:
        problems.append(Problem("", f"許可番号{permit.permit_number}は{permit.returned_on:%Y-%m-%d}に返納済みです。"))
    if data.returned_on is None:
        problems.append(Problem("returned_on", "返納日を入力してください。"))
    elif not permit.period_from <= data.returned_on <= today:
        problems.append(Problem("returned_on", "返納日は有効期間の初日から今日までの日付にしてください。"))
    if not data.returned_by_name.strip():
        problems.append(Problem("returned_by_name", "返納した方の氏名を入力してください。"))
    if problems:
        raise LedgerError.of(problems)
    permit.returned_on, permit.returned_by_name = data.returned_on, " ".join(data.returned_by_name.split())
    permit.received_by_id = by.id
    db.session.flush()
    late = (permit.returned_on - permit.period_to).days - RETURN_DAYS if permit.returned_on else 0
    audit.record("update", "temporary_permit", permit.id,
                 f"返納 {permit.permit_number} 番号標{permit.plate.number} {permit.returned_on:%Y-%m-%d}"
                 + (f"（期限後{late}日）" if late > 0 else ""), by=by)


def days_after_period(permit: TemporaryPermit, today: date) -> int:
    return (today - permit.period_to).days


def is_overdue(permit: TemporaryPermit, today: date) -> bool:
    """Not returned by day 5 after the period (§35⑥): from day 6 it is on the overdue list."""
    return permit.out and days_after_period(permit, today) >= OVERDUE_FROM_DAY


def overdue_query(today: date) -> Select[tuple[TemporaryPermit]]:
    last_period_end = today - timedelta(days=OVERDUE_FROM_DAY)
    return (select(TemporaryPermit).where(TemporaryPermit.returned_on.is_(None),
                                          TemporaryPermit.period_to <= last_period_end)
            .order_by(TemporaryPermit.period_to, TemporaryPermit.id))


def overdue(today: date) -> list[TemporaryPermit]:
    return list(db.session.scalars(overdue_query(today)))


def ledger_query() -> Select[tuple[TemporaryPermit]]:
    """The 発行管理簿, newest first."""
    return select(TemporaryPermit).order_by(TemporaryPermit.fiscal_year.desc(), TemporaryPermit.serial.desc())


def record_reminder(permit: TemporaryPermit, *, today: date, by: User) -> None:
    """The reminder letter was sent (the PDF is printed from the overdue list)."""
    if not is_overdue(permit, today):
        raise LedgerError(f"許可番号{permit.permit_number}は返納期限を過ぎていません。")
    permit.reminded_on = today
    audit.record("update", "temporary_permit", permit.id, f"返納督促 {permit.permit_number} {today:%Y-%m-%d}", by=by)
