"""Demo data for the reports: a month of counter work before the demo's today, so that the
monthly report (`flask reports monthly --month YYYY-MM`) and the roster's expected demand have
something to count when `make run` loads the demo.

The month is made the way the counter makes it, on the office days of the calendar: numbered
tickets with their times (rows of the queue, which has no way to issue in the past), visits and
cases with their timelines (some returned by the city with a reason), certificates with their
fee lines, and the cashier's payments and daily closes through the register's own services
(`take_payment` at the time of the payment, `close_day` with the drawer counted to the yen, one
day with a shortfall and its reason). Deterministic (a seeded random) and skipped when the month
already has tickets.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.auth.models import User
from app.core import calendar
from app.core.dates import today
from app.counter.models import Case, CaseAction, CaseEvent, CaseState, FeeLine, Procedure, Visit
from app.devices.models import Terminal, TerminalKind
from app.extensions import db
from app.queue.models import ServiceCategory, Ticket, TicketSource, TicketState
from app.register import services as register
from app.register.fees import Item, rates_on
from app.register.models import DENOMINATIONS, Bill
from app.reports.due import first_of_month, next_month, previous_month

SOURCE = "demo_month"
#: ticket category code -> (procedures a visitor of it asks for, weight of the category)
MIX: dict[str, tuple[tuple[str, ...], int]] = {
    "certificate": (("resident_record_copy", "family_register_copy", "seal_certificate", "tax_certificate",
                     "family_register_annex"), 10),
    "move": (("move_in", "move_out", "move_within"), 3),
    "seal": (("seal_registration",), 1),
    "my_number": (("my_number_card_application", "my_number_pin_reset"), 2),
    "nhi": (("nhi_enrollment", "nhi_withdrawal"), 2),
    "national_pension": (("pension_qualification",), 1),
    "passport": (("passport_application",), 1),
}
#: procedure code -> fee code of the certificates and permits the cashier collects
FEES = {"resident_record_copy": "resident_record_copy", "family_register_copy": "family_register_copy",
        "seal_certificate": "seal_certificate", "tax_certificate": "tax_certificate",
        "family_register_annex": "family_register_annex", "seal_registration": "seal_registration"}
RETURN_REASONS = ("請求理由の記載が不足しています。", "委任状の日付が空欄です。", "本籍の記載が住民票と一致しません。",
                  "転入前の住所の方書が抜けています。")
NAMES = ("山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "伊藤 由美", "渡辺 誠", "中村 明美")
# A weekday morning and the late Monday evening are busier (000 §5(2)).
HOUR_WEIGHTS = {8: 3, 9: 8, 10: 9, 11: 7, 12: 4, 13: 6, 14: 7, 15: 6, 16: 4, 17: 2, 18: 2}


@dataclass
class Seeded:
    tickets: int = 0
    cases: int = 0
    payments: int = 0
    days: int = 0


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _has_tickets(month: date) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.office_day >= month, Ticket.office_day < next_month(month))))


def _at(day: date, hour: int, rng: random.Random) -> datetime:
    minute = rng.randrange(30, 60) if hour == 8 else rng.randrange(0, 60)
    return datetime.combine(day, time(hour, minute, rng.randrange(0, 60)))


def _hours(day: date) -> list[int]:
    hours = calendar.office_hours(day)
    assert hours is not None
    return [h for h in HOUR_WEIGHTS if h < hours.closes.hour or (h == hours.closes.hour and hours.closes.minute)]


def _payer(day: date, terminal: Terminal, cashier: User, bills: list[tuple[int, datetime]], rng: random.Random) -> int:
    """Pay the day's bills at their times, then close the day with the drawer counted."""
    for bill_id, at in bills:
        method = "cash" if rng.random() < 0.8 else rng.choice(("credit_card", "qr_code", "e_money"))
        quote = register.quote_bill(db.session.get_one(Bill, bill_id), day)
        received = -(-quote.total // 1000) * 1000 if method == "cash" else None
        register.take_payment(bill_id, terminal, register.PaymentInput(method, received, secrets.token_hex(16)),
                              cashier, at=at)
    register_day = register.find_day(terminal, day)
    if register_day is None:
        return 0
    expected = register.day_totals(register_day).expected_cash
    short = 10 if day.day % 9 == 0 else 0  # one day in a while the drawer is 10 yen short
    counts, left = {}, expected - short
    for denomination in DENOMINATIONS:
        counts[denomination], left = divmod(left, denomination)
    register.close_day(register_day, register.DrawerCount(
        counts, next_float=min(30000, expected - short), reason="釣銭の渡し誤り（10円不足）" if short else ""), cashier)
    return len(bills)


def seed_month(month: date, *, per_day: int = 26, seed: int | None = None) -> Seeded:
    """A month of counter work (see the module docstring), up to yesterday."""
    month = first_of_month(month)
    done = Seeded()
    if _has_tickets(month):
        return done
    rng = random.Random(seed if seed is not None else month.toordinal())  # noqa: S311 - demo figures, not secrets
    categories = {c.code: c for c in db.session.scalars(select(ServiceCategory))}
    procedures = {p.code: p for p in db.session.scalars(select(Procedure))}
    terminal = db.session.scalar(select(Terminal).where(Terminal.kind == TerminalKind.register).order_by(Terminal.id))
    operator = cashier = _user("operator")
    city = _user("city")
    mix = [(code, procs) for code, (procs, _w) in MIX.items() if code in categories]
    weights = [MIX[code][1] for code, _p in mix]
    if not mix or terminal is None or operator is None or cashier is None:
        return done
    day = month
    while day < min(next_month(month), today()):
        if calendar.office_hours(day) is not None:
            _seed_day(day, rng, per_day, categories, procedures, mix, weights, terminal, operator, city, cashier, done)
        day += timedelta(days=1)
    db.session.flush()
    return done


def _seed_day(day: date, rng: random.Random, per_day: int, categories: dict[str, ServiceCategory],
              procedures: dict[str, Procedure], mix: list[tuple[str, tuple[str, ...]]], weights: list[int],
              terminal: Terminal, operator: User, city: User | None, cashier: User, done: Seeded) -> None:
    hours = _hours(day)
    count = per_day + rng.randrange(-6, 7) + (8 if day.weekday() == 0 else 0)
    numbers: dict[str, int] = {}
    bills: list[tuple[int, datetime]] = []
    rates = rates_on(day)
    wanted: list[tuple[str, str, list[Item], datetime]] = []
    issued = sorted(_at(day, rng.choices(hours, [HOUR_WEIGHTS[h] for h in hours])[0], rng) for _ in range(count))
    for at in issued:
        code, procs = rng.choices(mix, weights)[0]
        category = categories[code]
        numbers[category.letter] = numbers.get(category.letter, 0) + 1
        called = at + timedelta(minutes=rng.uniform(1, 25))
        absent = rng.random() < 0.04
        served = called + timedelta(seconds=rng.randrange(20, 120))
        finished = served + timedelta(minutes=rng.uniform(3, 18))
        ticket = Ticket(office_day=day, letter=category.letter, number=numbers[category.letter],
                        code=secrets.token_urlsafe(16), category=category, original_category=category,
                        state=TicketState.no_show if absent else TicketState.finished, source=TicketSource.kiosk,
                        issued_at=at, first_called_at=called, called_at=called,
                        served_at=None if absent else served, finished_at=called if absent else finished,
                        no_show_at=called + timedelta(minutes=3) if absent else None,
                        counter=category.counters[0] if category.counters else None)
        db.session.add(ticket)
        done.tickets += 1
        if absent:
            continue
        procedure = procedures.get(rng.choice(procs))
        if procedure is None:
            continue
        visit = Visit(ticket=ticket, visitor_name=rng.choice(NAMES), created_at=served, created_by_id=operator.id)
        withdrawn = rng.random() < 0.03
        case = Case(visit=visit, procedure=procedure, state=CaseState.withdrawn if withdrawn else CaseState.done,
                    requester_name=visit.visitor_name, operator_id=operator.id, created_at=served,
                    state_since=finished, closed_at=finished, withdraw_reason="来庁者の都合" if withdrawn else "")
        case.events.append(CaseEvent(at=served, user_id=operator.id, username=operator.username,
                                     action=CaseAction.receive, to_state=CaseState.received))
        _case_outcome(case, procedure, served, finished, withdrawn, operator, city, rates, rng)
        db.session.add(case)
        done.cases += 1
        if case.fee_lines:
            wanted.append((f"{day:%Y%m%d}-{ticket.letter}{ticket.number}", visit.visitor_name,
                           [Item(FEES[procedure.code], line.quantity, line.official_free) for line in case.fee_lines],
                           finished + timedelta(minutes=rng.uniform(1, 6))))
    db.session.flush()
    for source_id, visitor, items, paid_at in wanted:
        bills.append((register.open_bill(SOURCE, source_id, visitor, items).id, paid_at))
    bills.sort(key=lambda b: b[1])
    done.payments += _payer(day, terminal, cashier, bills, rng)
    done.days += 1


def _case_outcome(case: Case, procedure: Procedure, served: datetime, finished: datetime, withdrawn: bool,
                  operator: User, city: User | None, rates: Any, rng: random.Random) -> None:
    """What became of a seeded case: now and then returned by the city, withdrawn, or issued with its fee."""
    if city is not None and not withdrawn and rng.random() < 0.05:
        case.returned = True
        case.return_reason = rng.choice(RETURN_REASONS)
        case.events.append(CaseEvent(at=served + timedelta(minutes=2), user_id=city.id, username=city.username,
                                     action=CaseAction.return_, from_state=CaseState.in_review,
                                     to_state=CaseState.input, note=case.return_reason))
    if withdrawn:
        case.events.append(CaseEvent(at=finished, user_id=operator.id, username=operator.username,
                                     action=CaseAction.withdraw, from_state=CaseState.received,
                                     to_state=CaseState.withdrawn, note=case.withdraw_reason))
    elif procedure.code in FEES:
        case.issued_at = finished - timedelta(minutes=1)
        quantity = rng.choice((1, 1, 1, 2, 3))
        official = rng.random() < 0.05
        fee = FEES[procedure.code]
        case.fee_lines.append(FeeLine(fee_code=fee, label=procedure.name, quantity=quantity,
                                      unit_amount=rates[fee].amount, official_free=official,
                                      created_at=case.issued_at))


def load() -> None:
    """The month before the demo's today (the one whose report is due this month), and the work
    plans: the current period's approved, the next period's a draft."""
    seed_month(previous_month(first_of_month(today())))
    work_plans()


def work_plans() -> None:
    from app.reports import work_plan

    lead, city = _user("supervisor"), _user("city")
    upcoming = work_plan.next_start()
    current = work_plan.previous_start(upcoming)
    if lead is None or city is None or work_plan.for_period(current) is not None:
        return
    approved = work_plan.create(current, by=lead)
    work_plan.save(approved, work_plan.PlanInput(
        target_wait="15", staffing="勤務割当表のとおり、各窓口に研修を受けた作業従事者を配置します。",
        training="新任者には従事前に個人情報保護研修を行います。",
        improvement="混雑する時間帯に受付案内を1名増やし、待ち時間を短くします。"), by=lead)
    work_plan.submit(approved, by=lead)
    work_plan.decide(approved, work_plan.DecisionInput("内容を確認しました。"), True, by=city)
    work_plan.create(upcoming, by=lead)
