"""公金収納 (000 §6(10), §6(1)③イ): bills, payments with gap-free receipt numbers, voids with a
supervisor's approval, and the daily close (日計).

Locks are always taken in one order — the register day, then the bill, then the fiscal year's
receipt counter — so concurrent payments, voids and closes serialise without deadlocks:
- the register day: a payment and the close of that day cannot overlap;
- the bill: two cashiers (or a double click) cannot both take the same bill;
- the receipt counter: numbers are given in commit order, with no gap and no repeat, and a
  payment that rolls back gives its number back.
SQLite takes its write lock at BEGIN (app/db_events.py), which serialises all of this anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.auth import audit
from app.auth.models import User
from app.core import events
from app.core.dates import fiscal_year, now
from app.core.refusal import Problem, Refusal
from app.devices.models import Terminal, TerminalKind
from app.extensions import db
from app.register import append_only  # noqa: F401 - the guard on payments, on for every session
from app.register.fees import FeeError, Item, Quote, change_due, price, rates_on
from app.register.models import (
    CASHLESS_METHODS,
    DENOMINATIONS,
    Bill,
    BillLine,
    BillState,
    CashCount,
    DailyClose,
    DayState,
    Payment,
    PaymentKind,
    PaymentLine,
    PaymentMethod,
    ReceiptSequence,
    RegisterDay,
    VoidRequest,
    VoidRequestState,
    receipt_label,
)

BILLS_CHANNEL = "register:bills"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_RECEIVED = 10_000_000
SOURCE_TYPE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}")


class RegisterError(Refusal):
    """A refusal to show to the cashier, in Japanese, naming the form field where there is one."""


def _insert(model: type[Any]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for both databases."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _locked(query: Select[Any]) -> Select[Any]:
    """SELECT … FOR UPDATE (PostgreSQL; SQLite already holds the write lock), reading the
    row afresh even if this session has it in memory."""
    return query.with_for_update().execution_options(populate_existing=True)


# --- registers --------------------------------------------------------------------------------

def register_terminals() -> list[Terminal]:
    return list(db.session.scalars(
        select(Terminal).where(Terminal.kind == TerminalKind.register,
                               Terminal.active.is_(True)).order_by(Terminal.code)))


def _last_close(terminal_id: int, before: date) -> DailyClose | None:
    return db.session.scalar(
        select(DailyClose).join(RegisterDay)
        .where(RegisterDay.terminal_id == terminal_id, RegisterDay.business_date < before)
        .order_by(RegisterDay.business_date.desc(), DailyClose.id.desc()).limit(1))


def earliest_open_day(terminal: Terminal) -> RegisterDay | None:
    return db.session.scalar(
        select(RegisterDay).where(RegisterDay.terminal_id == terminal.id, RegisterDay.state == DayState.open)
        .order_by(RegisterDay.business_date).limit(1))


def find_day(terminal: Terminal, day: date) -> RegisterDay | None:
    return db.session.scalar(select(RegisterDay).where(
        RegisterDay.terminal_id == terminal.id, RegisterDay.business_date == day))


def day_for_business(terminal: Terminal, at: datetime | None = None, *, lock: bool = True) -> RegisterDay:
    """The register's day for taking money at `at` (now), created with the float the last
    close set aside; locked for the rest of the transaction. Refuses a closed day, and a day
    while an earlier one is still open (its cash would be mixed into this day's count)."""
    business_date = (at or now()).date()
    if find_day(terminal, business_date) is None:
        last = _last_close(terminal.id, business_date)
        db.session.execute(_insert(RegisterDay).values(
            terminal_id=terminal.id, business_date=business_date,
            opening_float=last.next_float if last else 0, state=DayState.open, opened_at=now(),
        ).on_conflict_do_nothing())
    query = select(RegisterDay).where(RegisterDay.terminal_id == terminal.id,
                                      RegisterDay.business_date == business_date)
    day = db.session.scalars(_locked(query) if lock else query).one()
    if day.closed:
        raise RegisterError(f"{terminal.name}の{business_date:%Y-%m-%d}の日計は締め済みです。"
                            "翌開庁日に収納してください。")
    earlier = earliest_open_day(terminal)
    if earlier is not None and earlier.business_date < business_date:
        raise RegisterError(f"{terminal.name}の{earlier.business_date:%Y-%m-%d}の日計が済んでいません。"
                            "先に日計を行ってください。")
    return day


def set_opening_float(day: RegisterDay, amount: int | None, by: User | None = None) -> None:
    """Correct the float a day started with (the first day, or a float changed by the office)."""
    if amount is None or not 0 <= amount <= MAX_RECEIVED:
        raise RegisterError("釣銭準備金は0円以上の整数で入力してください。", "amount")
    locked = db.session.scalars(_locked(select(RegisterDay).where(RegisterDay.id == day.id))).one()
    if locked.closed:
        raise RegisterError("日計の済んだ日の釣銭準備金は変更できません。", "amount")
    before = locked.opening_float
    locked.opening_float = amount
    audit.record("update", "register_day", locked.id,
                 f"{locked.business_date:%Y-%m-%d} 釣銭準備金 {before:,}円→{amount:,}円", by=by)


# --- bills: the seam other domains use ------------------------------------------------------

PaidHandler = Callable[[Bill, Payment], None]
VoidedHandler = Callable[[Bill, Payment], None]
CancelledHandler = Callable[[Bill, User, str], None]
_hooks: dict[tuple[str, str], Callable[..., None]] = {}


def _hook(event: str, source_type: str, handler: Callable[..., None]) -> None:
    if not SOURCE_TYPE_PATTERN.fullmatch(source_type):
        raise ValueError(f"invalid source type: {source_type!r}")
    _hooks[(event, source_type)] = handler


def _run_hook(event: str, bill: Bill, *args: Any) -> None:
    """A source domain's refusal (its own Refusal, in Japanese) reaches the cashier as a
    RegisterError, so the register's pages show it, and the request changes nothing. Any other
    error is a bug: it propagates (a 500 with its traceback in the log), never a message."""
    handler = _hooks.get((event, bill.source_type))
    if handler is None:
        return
    try:
        handler(bill, *args)
    except RegisterError:
        raise
    except Refusal as exc:
        raise RegisterError(exc.message, problems=[Problem("", p.message) for p in exc.problems]) from exc


def on_bill_paid(source_type: str, handler: PaidHandler) -> None:
    """Have `handler(bill, payment)` called when a bill of `source_type` is paid, inside the
    paying transaction: the source domain records the payment on its own object, and if it
    refuses (raises), the payment is not taken. One handler per source type and event;
    registering again replaces it."""
    _hook("paid", source_type, handler)


def on_bill_voided(source_type: str, handler: VoidedHandler) -> None:
    """Have `handler(bill, reversal)` called when a paid bill of `source_type` has its payment
    voided, inside the approving transaction: `bill.state` is then "open" (to be paid again)
    or "cancelled" (refunded for good), and `reversal.reverses` is the voided payment. The
    source domain undoes what its paid handler recorded; if it refuses, the void is not
    approved."""
    _hook("voided", source_type, handler)


def on_bill_cancelled(source_type: str, handler: CancelledHandler) -> None:
    """Have `handler(bill, user, reason)` called when an unpaid bill of `source_type` is
    cancelled (the visitor left without paying), inside the cancelling transaction."""
    _hook("cancelled", source_type, handler)


def open_bill(source_type: str, source_id: str | int, visitor_label: str, lines: Iterable[Item],
              ticket_number: str | None = None, by: User | None = None) -> Bill:
    """Ask the cashier to collect fees for something another domain handled (a case sent to
    the cashier). Lines are fee codes with quantities and the 公用 flag; the amounts come
    from the schedule on the day the bill is paid. Opening again for the same source while the
    bill is unpaid replaces its lines; a paid one must be voided first."""
    if not SOURCE_TYPE_PATTERN.fullmatch(source_type):
        raise RegisterError("請求元の種別が不正です。", "source_type")
    items = _checked_items(lines)
    bill = db.session.scalars(_locked(select(Bill).where(
        Bill.source_type == source_type, Bill.source_id == str(source_id),
        Bill.state.in_((BillState.open, BillState.paid))))).first()
    if bill is not None and bill.state == BillState.paid:
        raise RegisterError("この請求は収納済みです。変更するには収納を取り消してください。")
    bill = bill or Bill(source_type=source_type, source_id=str(source_id), opened_by_id=by.id if by else None)
    bill.visitor_label = visitor_label.strip()[:100] or "（氏名なし）"
    bill.ticket_number = (ticket_number or "").strip()[:20] or None
    bill.state = BillState.open
    bill.lines = [BillLine(position=n, fee_code=item.fee_code, quantity=item.quantity, official=item.official)
                  for n, item in enumerate(items, start=1)]
    db.session.add(bill)
    db.session.flush()
    audit.record("create", "bill", bill.id, f"{source_type}:{source_id} {bill.visitor_label} "
                 f"{len(items)}件" + (f" 番号札{bill.ticket_number}" if bill.ticket_number else ""), by=by)
    events.publish(BILLS_CHANNEL, {"bill": bill.id, "state": bill.state})
    return bill


def _checked_items(lines: Iterable[Item]) -> list[Item]:
    """Every line must name a fee in today's schedule, with a sensible quantity."""
    items = list(lines)
    try:
        price(items, rates_on(now().date()))
    except FeeError as exc:
        raise RegisterError(exc.message, "lines") from exc
    return items


def can_cancel_bills(by: User) -> bool:
    """Withdrawing an unpaid bill is the supervisor's decision."""
    return by.role == "supervisor"


def can_decide_voids(by: User) -> bool:
    """Approving or rejecting a void is the supervisor's decision."""
    return by.role == "supervisor"


def cancel_bill(bill: Bill, reason: str, by: User) -> None:
    """Withdraw an unpaid bill (the visitor left without paying): a supervisor's decision,
    with the reason; the source domain hears of it (a case is withdrawn)."""
    if not can_cancel_bills(by):
        raise RegisterError("未収の請求の取消は統括責任者が行います。")
    if not reason.strip():
        raise RegisterError("取消の理由を入力してください。", "reason")
    locked = db.session.scalars(_locked(select(Bill).where(Bill.id == bill.id))).one()
    if not locked.is_open:
        raise RegisterError(f"未収の請求だけを取り消せます（現在：{locked.state.label}）。")
    locked.state, locked.closed_at = BillState.cancelled, now()
    audit.record("update", "bill", locked.id, f"請求取消：{reason.strip()}（{by.display_name}）", by=by)
    _run_hook("cancelled", locked, by, reason.strip())
    events.publish(BILLS_CHANNEL, {"bill": locked.id, "state": locked.state})


def bills_for_ticket(ticket_number: str, state: BillState | None = None) -> list[Bill]:
    """Today's bills that carry a ticket's number (in `state` if given), oldest first: one
    visitor with several procedures may have a bill for each (a number is unique within its
    office day)."""
    start = datetime.combine(now().date(), datetime.min.time())
    query = select(Bill).where(Bill.ticket_number == ticket_number, Bill.opened_at >= start)
    return list(db.session.scalars((query.where(Bill.state == state) if state else query).order_by(Bill.id)))


def other_open_bills(bill: Bill) -> list[Bill]:
    """The same numbered visitor's other open bills, to be paid before they leave (only for a
    bill of today: numbers start again every day)."""
    if not bill.ticket_number or bill.opened_at.date() != now().date():
        return []
    return [b for b in bills_for_ticket(bill.ticket_number, BillState.open) if b.id != bill.id]


def open_bill_for_ticket(ticket_number: str) -> Bill | None:
    """The first open bill that carries a called ticket's number."""
    bills = bills_for_ticket(ticket_number, BillState.open)
    return bills[0] if bills else None


def open_bills() -> list[Bill]:
    """The open bills with their lines (the list shows them: one query for all, not one per bill)."""
    return list(db.session.scalars(select(Bill).where(Bill.state == BillState.open)
                                   .options(selectinload(Bill.lines)).order_by(Bill.opened_at, Bill.id)))


def bill_for_source(source_type: str, source_id: str | int) -> Bill | None:
    return db.session.scalar(select(Bill).where(
        Bill.source_type == source_type, Bill.source_id == str(source_id)).order_by(Bill.id.desc()).limit(1))


def bill_items(bill: Bill) -> list[Item]:
    return [Item(line.fee_code, line.quantity, line.official) for line in bill.lines]


def quote_bill(bill: Bill, day: date | None = None) -> Quote:
    try:
        return price(bill_items(bill), rates_on(day or now().date()))
    except FeeError as exc:
        raise RegisterError(exc.message, "lines") from exc


# --- payments ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool  # False when the idempotency key had already been used: nothing was charged


def _next_receipt_number(year: int) -> int:
    db.session.execute(_insert(ReceiptSequence).values(fiscal_year=year, last_number=0).on_conflict_do_nothing())
    return db.session.execute(
        update(ReceiptSequence).where(ReceiptSequence.fiscal_year == year)
        .values(last_number=ReceiptSequence.last_number + 1)
        .returning(ReceiptSequence.last_number)).scalar_one()


def payment_by_key(key: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.idempotency_key == key))


@dataclass(frozen=True)
class PaymentInput:
    """What the cashier enters: how the visitor pays, the cash handed over, a cashless
    method's reference, and the form's idempotency key."""

    method: str
    received: int | None
    idempotency_key: str
    reference: str = ""
    addressee: str = ""  # 宛名 for the receipt: the visitor's name or a company, if given


def take_payment(bill_id: int, terminal: Terminal, data: PaymentInput, by: User,
                 at: datetime | None = None) -> PaymentResult:
    """Collect a bill. The idempotency key comes with the payment form: a double click, a
    retried request or a resubmission after a dropped connection finds the payment already made
    under that key and returns it instead of charging again."""
    idempotency_key = data.idempotency_key
    if not KEY_PATTERN.fullmatch(idempotency_key or ""):
        raise RegisterError("画面を開き直してから、もう一度お試しください（受付キーが不正です）。")
    replay = _replay(idempotency_key, bill_id)
    if replay is not None:
        return replay
    day = day_for_business(terminal, at)
    bill = db.session.scalars(_locked(select(Bill).where(Bill.id == bill_id))).first()
    if bill is None:
        raise RegisterError("請求が見つかりません。")
    replay = _replay(idempotency_key, bill_id)  # again, now that the bill is locked
    if replay is not None:
        return replay
    if not bill.is_open:
        raise RegisterError(f"この請求は{bill.state.label}です。")
    quote = quote_bill(bill, day.business_date)
    method, received, change = _settle(quote.total, data.method, data.received)
    reference = data.reference.strip()[:60] if method in (*CASHLESS_METHODS, PaymentMethod.postal_money_order) else ""
    year = fiscal_year(day.business_date)
    payment = Payment(
        kind=PaymentKind.payment, bill=bill, day=day, fiscal_year=year, receipt_number=_next_receipt_number(year),
        idempotency_key=idempotency_key, method=method, method_reference=reference,
        total=quote.total, received=received, change=change, paid_at=at or now(), cashier_id=by.id,
        addressee=" ".join(data.addressee.split())[:100],
        lines=[PaymentLine(position=n, fee_code=line.fee_code, label=line.label, unit=line.unit,
                           quantity=line.quantity, unit_amount=line.unit_amount, official=line.official,
                           amount=line.amount) for n, line in enumerate(quote.lines, start=1)],
    )
    db.session.add(payment)
    bill.state, bill.closed_at = BillState.paid, payment.paid_at
    db.session.flush()
    audit.record("create", "payment", payment.id,
                 f"領収番号 {payment.receipt_no} 合計 {payment.total:,}円 "
                 f"{payment.method.label} 請求{bill.id}（{bill.source_type}:{bill.source_id}）", by=by)
    _run_hook("paid", bill, payment)
    events.publish(BILLS_CHANNEL, {"bill": bill.id, "state": bill.state})
    return PaymentResult(payment, created=True)


def _replay(key: str, bill_id: int) -> PaymentResult | None:
    earlier = payment_by_key(key)
    if earlier is None:
        return None
    if earlier.bill_id != bill_id:
        raise RegisterError("この受付キーは別の請求で使われています。画面を開き直してください。")
    return PaymentResult(earlier, created=False)


def _settle(total: int, method: str, received: int | None) -> tuple[str, int, int]:
    """(method, received, change) for a total: cash needs enough cash; a recorded cashless
    method takes the exact total; nothing to pay (all 公用) is settled as free."""
    if total == 0:
        return PaymentMethod.free, 0, 0
    if method == PaymentMethod.cash:
        if received is None or not 0 <= received <= MAX_RECEIVED:
            raise RegisterError("お預かり金額を入力してください。", "received")
        try:
            return PaymentMethod.cash, received, change_due(total, received)
        except FeeError as exc:
            raise RegisterError(exc.message, "received") from exc
    if method == PaymentMethod.postal_money_order:
        # the face value of the money orders enclosed; the change is returned by post as 定額小為替
        # or stamps (the city's rule), never out of the drawer
        if received is None or not total <= received <= MAX_RECEIVED:
            raise RegisterError(f"定額小為替の額面の合計（{total:,}円以上）を入力してください。", "received")
        return PaymentMethod.postal_money_order, received, received - total
    if method in CASHLESS_METHODS:
        return PaymentMethod(method), total, 0
    raise RegisterError("支払方法を選んでください。", "method")


def day_payments(day: RegisterDay) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.register_day_id == day.id).order_by(Payment.id)))


def find_receipt(label: str) -> Payment | None:
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,6})\s*", label or "")
    if not match:
        return None
    return db.session.scalar(select(Payment).where(
        Payment.fiscal_year == int(match[1]), Payment.receipt_number == int(match[2])))


def void_of(payment: Payment) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.reverses_id == payment.id))


# --- voids ------------------------------------------------------------------------------------

def request_void(payment: Payment, terminal: Terminal, by: User, reason: str,
                 reopen_bill: bool = True) -> VoidRequest:
    """A cashier asks to void a payment; nothing changes until a supervisor approves."""
    if payment.is_void:
        raise RegisterError("取消の記録は取り消せません。")
    if not reason.strip():
        raise RegisterError("取消の理由を入力してください。", "reason")
    if void_of(payment) is not None:
        raise RegisterError("この収納は既に取り消されています。")
    pending = db.session.scalar(select(VoidRequest).where(
        VoidRequest.payment_id == payment.id, VoidRequest.state == VoidRequestState.pending))
    if pending is not None:
        raise RegisterError("この収納には承認待ちの取消依頼があります。")
    request = VoidRequest(payment=payment, terminal=terminal, reason=reason.strip()[:1000],
                          reopen_bill=reopen_bill, requested_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    audit.record("create", "void_request", request.id,
                 f"領収番号 {payment.receipt_no} の取消依頼：{request.reason}", by=by)
    return request


def pending_void_requests() -> list[VoidRequest]:
    return list(db.session.scalars(
        select(VoidRequest).where(VoidRequest.state == VoidRequestState.pending).order_by(VoidRequest.id)))


def _check_approver(request: VoidRequest, by: User) -> None:
    if not can_decide_voids(by):
        raise RegisterError("取消の承認は統括責任者が行います。")
    if by.id in (request.payment.cashier_id, request.requested_by_id):
        raise RegisterError("収納した本人・依頼した本人は承認できません。別の統括責任者が承認してください。")
    if request.state != VoidRequestState.pending:
        raise RegisterError(f"この取消依頼は{request.state.label}です。")


def approve_void(request: VoidRequest, by: User, at: datetime | None = None) -> Payment:
    """Create the 取消 record: a payment of kind "void" with every amount negated, on the
    requesting register's current day (a refund is cash leaving today's drawer; a closed day
    stays as it was closed)."""
    _check_approver(request, by)
    day = day_for_business(request.terminal, at)
    original = request.payment
    bill = db.session.scalars(_locked(select(Bill).where(Bill.id == original.bill_id))).one()
    locked = db.session.scalars(_locked(select(VoidRequest).where(VoidRequest.id == request.id))).one()
    if locked.state != VoidRequestState.pending or void_of(original) is not None:
        raise RegisterError("この収納は既に取り消されているか、依頼が処理済みです。")
    reversal = Payment(
        kind=PaymentKind.void, bill=bill, day=day, fiscal_year=fiscal_year(day.business_date), receipt_number=None,
        idempotency_key=f"void-request-{locked.id:012d}", method=original.method,
        method_reference=original.method_reference, total=-original.total, received=-original.total, change=0,
        paid_at=at or now(), cashier_id=locked.requested_by_id, reverses=original, approved_by_id=by.id,
        reason=locked.reason,
        lines=[PaymentLine(position=line.position, fee_code=line.fee_code, label=line.label, unit=line.unit,
                           quantity=-line.quantity, unit_amount=line.unit_amount, official=line.official,
                           amount=-line.amount) for line in original.lines],
    )
    db.session.add(reversal)
    locked.state, locked.decided_at, locked.decided_by_id = VoidRequestState.approved, now(), by.id
    was_paid = bill.state == BillState.paid
    if was_paid:
        bill.state = BillState.open if locked.reopen_bill else BillState.cancelled
        bill.closed_at = None if locked.reopen_bill else now()
    db.session.flush()
    locked.void_payment_id = reversal.id
    if was_paid:
        _run_hook("voided", bill, reversal)
    audit.record("void", "payment", original.id,
                 f"領収番号 {original.receipt_no} を取消"
                 f"（{-reversal.total:,}円 {reversal.method.label}、取消記録{reversal.id}）理由：{locked.reason}",
                 by=by)
    audit.record("approve", "void_request", locked.id, f"承認：{by.display_name}", by=by)
    events.publish(BILLS_CHANNEL, {"bill": bill.id, "state": bill.state})
    return reversal


def reject_void(request: VoidRequest, by: User) -> None:
    _check_approver(request, by)
    request.state, request.decided_at, request.decided_by_id = VoidRequestState.rejected, now(), by.id
    audit.record("return", "void_request", request.id, f"却下：{by.display_name}", by=by)


# --- the daily close --------------------------------------------------------------------------

@dataclass(frozen=True)
class FeeTotal:
    fee_code: str
    label: str
    official: bool
    quantity: int
    amount: int


@dataclass(frozen=True)
class MethodTotal:
    method: PaymentMethod
    count: int
    amount: int

    @property
    def label(self) -> str:
        return PaymentMethod.label_of(self.method)


@dataclass(frozen=True)
class DayTotals:
    opening_float: int
    by_fee: tuple[FeeTotal, ...]
    by_method: tuple[MethodTotal, ...]
    payments: int
    voids: int
    void_amount: int
    first_receipt: str | None
    last_receipt: str | None
    total: int
    money_orders_received: int = 0  # 定額小為替: face value taken in (voids subtract)
    money_orders_change: int = 0  # returned by post as 小為替 or stamps, not from the drawer

    @property
    def money_orders_net(self) -> int:
        """The fees paid by 定額小為替: counted apart from the cash drawer at the close."""
        return sum(m.amount for m in self.by_method if m.method == PaymentMethod.postal_money_order)

    @property
    def cash_net(self) -> int:
        return sum(m.amount for m in self.by_method if m.method == PaymentMethod.cash)

    @property
    def expected_cash(self) -> int:
        return self.opening_float + self.cash_net


def totals_of(payments: Sequence[Payment], opening_float: int) -> DayTotals:
    """Totals by fee and by method; voids count negative, so a voided payment nets to zero."""
    by_fee: dict[tuple[str, str, bool], list[int]] = {}
    by_method: dict[str, list[int]] = {}
    for payment in payments:
        for line in payment.lines:
            entry = by_fee.setdefault((line.fee_code, line.label, line.official), [0, 0])
            entry[0] += line.quantity
            entry[1] += line.amount
        entry = by_method.setdefault(payment.method, [0, 0])
        entry[0] += -1 if payment.is_void else 1
        entry[1] += payment.total
    numbered = [p for p in payments if not p.is_void]
    labels = sorted((p.fiscal_year, p.receipt_number or 0) for p in numbered)
    voids = [p for p in payments if p.is_void]
    orders = [p for p in payments if p.method == PaymentMethod.postal_money_order]
    order = {method: n for n, method in enumerate(PaymentMethod)}
    return DayTotals(
        opening_float=opening_float,
        by_fee=tuple(FeeTotal(code, label, official, q, a) for (code, label, official), (q, a)
                     in sorted(by_fee.items(), key=lambda kv: (kv[0][2], kv[0][0]))),
        by_method=tuple(MethodTotal(m, c, a) for m, (c, a)
                        in sorted(by_method.items(), key=lambda kv: order.get(kv[0], 99))),
        payments=len(numbered), voids=len(voids), void_amount=sum(p.total for p in voids),
        first_receipt=receipt_label(*labels[0]) if labels else None,
        last_receipt=receipt_label(*labels[-1]) if labels else None,
        total=sum(p.total for p in payments),
        money_orders_received=sum(p.received for p in orders), money_orders_change=sum(p.change for p in orders),
    )


def day_totals(day: RegisterDay) -> DayTotals:
    return totals_of(day_payments(day), day.opening_float)


def counted_amount(counts: Mapping[int, int]) -> int:
    return sum(denomination * quantity for denomination, quantity in counts.items())


@dataclass(frozen=True)
class DrawerCount:
    """The cash counted at the close: pieces by denomination, the float set aside for the next
    day, and the reason for any difference from the expected cash."""

    counts: Mapping[int, int | None]
    next_float: int | None
    reason: str = ""


def _counted(count: DrawerCount) -> dict[int, int]:
    """The pieces of each denomination; every count out of range is refused at once."""
    if set(count.counts) - set(DENOMINATIONS):
        raise RegisterError("金種が不正です。")
    quantities = {d: count.counts.get(d) or 0 for d in DENOMINATIONS}
    wrong = [Problem(f"count_{d}", "枚数は0以上の整数で入力してください。")
             for d, quantity in quantities.items() if not 0 <= quantity <= 100_000]
    if wrong:
        raise RegisterError.of(wrong)
    return quantities


@dataclass(frozen=True)
class ClosePreview:
    """What the cashier confirms before the day is closed: the count, and what is still open."""

    counted: int
    difference: int
    open_bills: tuple[Bill, ...]
    pending_voids: int


def day_closed_today(terminal: Terminal) -> bool:
    """Whether this register's day of today is already closed (no more calls to it)."""
    day = find_day(terminal, now().date())
    return day is not None and day.closed


def closed_for_calls(place: str) -> str | None:
    """The register whose day of today is closed when a 会計呼出 to `place` must be refused
    (issue 15 §2: no calls once the day is closed): the register of that name, or, for a place
    that is no register's name, every register (the last one is named); None while one is open."""
    registers = register_terminals()
    targets = [t for t in registers if t.name == place] or registers
    if targets and all(day_closed_today(t) for t in targets):
        return targets[-1].name
    return None


def preview_close(day: RegisterDay, count: DrawerCount) -> ClosePreview:
    """Check the count as close_day would, without writing anything, and list what is still
    open (bills waiting to be paid, voids waiting for approval) for the cashier to confirm."""
    counted, difference = _checked_count(day, count)
    return ClosePreview(counted, difference, tuple(open_bills()), len(pending_void_requests()))


def _checked_count(day: RegisterDay, count: DrawerCount) -> tuple[int, int]:
    quantities = _counted(count)
    counted = counted_amount(quantities)
    next_float, reason = count.next_float, count.reason
    problems = []
    if next_float is None or not 0 <= next_float <= counted:
        problems.append(Problem("next_float",
                                f"翌日の釣銭準備金は0円〜実査有高（{counted:,}円）の範囲で入力してください。"))
    difference = counted - day_totals(day).expected_cash
    if difference != 0 and not reason.strip():
        problems.append(Problem("reason", f"現金に過不足（{difference:+,}円）があります。理由を入力してください。"))
    if problems:
        raise RegisterError.of(problems)
    return counted, difference


def close_day(day: RegisterDay, count: DrawerCount, by: User) -> DailyClose:
    """日計: count the drawer by denomination against the expected cash (float + cash taken −
    cash refunded), record any difference with its reason, set the float the next day starts
    with, and lock the day: nothing more is charged or refunded on it."""
    locked = db.session.scalars(_locked(select(RegisterDay).where(RegisterDay.id == day.id))).one()
    if locked.closed:
        raise RegisterError("この日の日計は既に済んでいます。")
    if locked.business_date > now().date():
        raise RegisterError("まだ始まっていない日の日計はできません。")
    counted, difference = _checked_count(locked, count)
    quantities = _counted(count)
    next_float, reason = count.next_float, count.reason
    assert next_float is not None  # checked above
    totals = day_totals(locked)
    close = DailyClose(day=locked, closed_by_id=by.id, expected_cash=totals.expected_cash, counted_cash=counted,
                       difference=difference, difference_reason=reason.strip()[:1000], next_float=next_float,
                       counts=[CashCount(denomination=d, quantity=q) for d, q in quantities.items()])
    db.session.add(close)
    locked.state = DayState.closed
    db.session.flush()
    audit.record("create", "daily_close", close.id,
                 f"{locked.terminal.name} {locked.business_date:%Y-%m-%d} 収納{totals.payments}件 "
                 f"合計{totals.total:,}円 予定有高{totals.expected_cash:,}円 実査{counted:,}円 "
                 f"過不足{difference:+,}円 翌日釣銭{next_float:,}円"
                 + (f" 定額小為替{totals.money_orders_net:,}円（ドロワー外）" if totals.money_orders_net else ""),
                 by=by)
    return close


def list_closes(limit: int = 60) -> list[DailyClose]:
    return list(db.session.scalars(select(DailyClose).join(RegisterDay)
                                   .order_by(RegisterDay.business_date.desc(), DailyClose.id.desc()).limit(limit)))
