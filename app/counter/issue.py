"""交付 and 会計 (000 §6(1)③): the case is issued, its fees go to the register as a bill, and
the register's outcome comes back — a bill paid completes the case, a voided payment reopens
it (or, refunded, withdraws it), a cancelled bill withdraws it. The register calls the
`case_bill_*` reactions below through the table in app/reactions.py."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.auth.models import User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.counter.cases import CaseError, guard, move, record_event, withdrawn
from app.counter.inputs import fee_total
from app.counter.models import Case, CaseState
from app.extensions import db
from app.queue import services as queue
from app.queue.models import AT_COUNTER, Ticket
from app.register import services as register
from app.register.fees import Item
from app.register.models import Bill, Payment

IssueCheck = Callable[[Case], list[str]]
_issue_checks: dict[str, IssueCheck] = {}


def on_issue(procedure_code: str, check: IssueCheck) -> None:
    """Have `check(case)` asked before a case of `procedure_code` is issued: another domain
    that holds part of the procedure (a seal application) says what still stops it."""
    _issue_checks[procedure_code] = check


def issue(case: Case, by: User) -> None:
    """交付 → 会計 when there is a fee to collect (the fee lines go to the register), else 完了."""
    guard("issue", case, by)
    check = _issue_checks.get(case.procedure.code)
    reasons = check(case) if check else []
    if reasons:
        raise CaseError.of([Problem("", reason) for reason in reasons], "交付できません。")
    target = CaseState.payment if fee_total(case) > 0 else CaseState.done
    if target == CaseState.payment:
        send_to_cashier(case, by)  # first: a fee the register refuses leaves the case as it was
    case.issued_at = now()
    move(case, "issue", by, "、".join(case.procedure.handover), target=target)


def send_to_cashier(case: Case, by: User) -> None:
    """The fee lines become a bill at the register (000 §6(1)③ 手数料の受け取り)."""
    ticket = case.visit.ticket
    try:
        register.open_bill(
            "case", case.id, case.visit.visitor_name or case.requester_name,
            [Item(line.fee_code, line.quantity, official=line.official_free) for line in case.fee_lines],
            ticket_number=ticket.label if ticket else None, by=by,
        )
    except register.RegisterError as exc:
        raise CaseError(f"会計へ送れませんでした：{exc.message}（手数料表を管理者に確認してください）") from exc
    if ticket is not None and ticket.state in AT_COUNTER:
        queue.send_to_cashier(ticket, by)  # 会計待ち: the number moves to the cashier display
    elif ticket is not None and ticket.state in ("finished", "no_show") and ticket.office_day == today():
        queue.back_to_cashier(ticket, by)  # an earlier bill of the visit was settled already


def complete_payment(case: Case, by: User, receipt_note: str = "") -> None:
    """Called by the register once the fees are paid: 会計 → 完了."""
    move(case, "complete_payment", by, receipt_note)


# -- the register's reactions ----------------------------------------------------------------------

def _case_of(bill: Bill) -> Case:
    case = db.session.get(Case, int(bill.source_id))
    if case is None:
        raise CaseError(f"請求{bill.id}の案件（{bill.source_id}）がありません。")
    return case


def _release_ticket(case: Case, by: User | None) -> None:
    """The number leaves the cashier once none of its bills is open: 完了 if one of them was
    paid, else 不在 (the visitor left). The ticket row is locked first, so two cashiers
    settling the same number's bills at once cannot each see the other's still open. A later
    case of the visit with fees brings the number back (send_to_cashier)."""
    if case.visit.ticket_id is None:
        return
    ticket = db.session.scalars(select(Ticket).where(Ticket.id == case.visit.ticket_id).with_for_update()
                                .execution_options(populate_existing=True)).one()
    if ticket.state not in ("cashier_waiting", "cashier_called"):
        return
    states = {bill.state for bill in register.bills_for_ticket(ticket.label)}
    if "open" in states:
        return
    if "paid" in states:
        queue.finish_cashier(ticket, by)
    else:
        queue.leave_cashier(ticket, by)


def case_bill_paid(bill: Bill, payment: Payment) -> None:
    """A case bill is paid: the cashier's payment completes the case."""
    case = _case_of(bill)
    complete_payment(case, payment.cashier, f"領収番号 {payment.receipt_no}")
    _release_ticket(case, payment.cashier)


def case_bill_voided(bill: Bill, reversal: Payment) -> None:
    """A supervisor approved voiding a case bill's payment: the case goes back to 会計 (the
    bill is open to be paid again) or, refunded for good, to 取下げ. Either way the timeline
    says which receipt was voided and why."""
    case = _case_of(bill)
    approver = db.session.get_one(User, reversal.approved_by_id)
    note = f"領収番号 {reversal.reverses.receipt_no} を取消：{reversal.reason}"
    if case.state != CaseState.done:  # already moved on by hand (never expected): keep the record straight
        record_event(case, approver, "payment_void", note)
    elif bill.state == "open":
        move(case, "reopen_payment", approver, note)
    else:
        withdrawn(case, "refund", approver, note)


def case_bill_cancelled(bill: Bill, by: User, reason: str) -> None:
    """A supervisor cancelled an unpaid case bill (the visitor left without paying): the case
    is withdrawn (取下げ) and, once none of its bills is left, the number leaves the cashier."""
    case = _case_of(bill)
    if case.state == CaseState.payment:
        withdrawn(case, "cancel_payment", by, f"請求取消：{reason}")
    _release_ticket(case, by)
