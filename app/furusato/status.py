"""A donation's status and its history (issue 16 §1): キャンセル, 返金, 入金待ち and a
supervisor's reversal of the last change, each a StatusEvent row and an audit row.

The transitions the office may make (the others are a payment's and the certificate batch's):
- 申込 → 入金待ち: the office sent the transfer form or told the donor how to pay.
- 申込・入金待ち → キャンセル (reason): no money came in, so nothing is paid back.
- 入金済 → 返金 (amount, date, reason): money came in, so it is paid back, never "cancelled";
  a paid donation to be called off is a refund.
- 証明書発送済 → 返金: only a supervisor. A refund voids the certificate issued (posted or not) from then
  on (the event names it); the donor must be told to return it or not to use it.
- A supervisor reverses the last change (reason): a new event back to the state before it.
  A change a payment made is corrected on the payment (payments.correct_payment), not here.
Portal files move a donation by their own rule (models.STATUS_RANK) and write no event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.models import Certificate, Donation, DonationState
from app.furusato.payments import current_payment, locked_donation
from app.furusato.services import FurusatoError, name_of
from app.furusato.status_models import StatusAction, StatusEvent

CANCELLABLE = (DonationState.applied, DonationState.unpaid)
REFUNDABLE = (DonationState.paid, DonationState.posted)


def is_supervisor(user: User | None) -> bool:
    return user is not None and user.role == Role.supervisor


def history(donation: Donation) -> list[StatusEvent]:
    """Every status event of a donation, oldest first."""
    return list(db.session.scalars(select(StatusEvent).where(StatusEvent.donation_id == donation.id)
                                   .order_by(StatusEvent.id)))


def last_change(donation: Donation) -> StatusEvent | None:
    """The change a reversal would undo: the newest event, unless it is itself a reversal (to
    go back again, the office makes the change anew) or the donation has moved on since."""
    last = db.session.scalar(select(StatusEvent).where(StatusEvent.donation_id == donation.id)
                             .order_by(StatusEvent.id.desc()))
    if last is None or last.action == StatusAction.reverse or last.to_state != donation.status:
        return None
    return last


def voided_certificate_ids(donation: Donation) -> set[int]:
    """The certificates of the donation a standing refund made void."""
    events = history(donation)
    reversed_ids = {e.reverses_id for e in events if e.reverses_id is not None}
    return {e.voids_certificate_id for e in events
            if e.voids_certificate_id is not None and e.id not in reversed_ids}


def can_wait(donation: Donation) -> bool:
    return donation.status == DonationState.applied


def can_cancel(donation: Donation) -> bool:
    return donation.status in CANCELLABLE


def can_refund(donation: Donation, by: User | None) -> bool:
    return donation.status == DonationState.paid or (donation.status == DonationState.posted and is_supervisor(by))


def can_reverse(donation: Donation, by: User | None) -> bool:
    change = last_change(donation)
    return is_supervisor(by) and change is not None and change.action != StatusAction.pay


def _add(donation: Donation, action: StatusAction, to: DonationState, by: User | None, **values: object) -> StatusEvent:
    event = StatusEvent(donation_id=donation.id, action=action, from_state=donation.status, to_state=to,
                        username=name_of(by), **values)
    db.session.add(event)
    donation.status, donation.updated_at = to, now()
    db.session.flush()
    return event


def _state_problem(donation: Donation, allowed: bool, what: str, advice: str = "") -> list[Problem]:
    if allowed:
        return []
    label = DonationState(donation.status).label
    return [Problem("donation", f"{label}の寄附は{what}できません。{advice}".rstrip())]


def mark_waiting(donation: Donation | int | None, reason: str, by: User | None) -> StatusEvent:
    """申込 → 入金待ち."""
    found = locked_donation(donation)
    problems = _state_problem(found, can_wait(found), "入金待ちに")
    if problems:
        raise FurusatoError.of(problems)
    event = _add(found, StatusAction.wait, DonationState.unpaid, by, reason=reason.strip())
    audit.record("update", "furusato_donation", found.id, "状態を変更 申込→入金待ち", by=by)
    return event


def cancel(donation: Donation | int | None, reason: str, by: User | None) -> StatusEvent:
    """キャンセル of a donation no money came in for; the reason is required."""
    found = locked_donation(donation)
    advice = "入金のあった寄附は返金として記録してください。" if found.status in REFUNDABLE else ""
    problems = _state_problem(found, can_cancel(found), "キャンセル", advice)
    if not reason.strip():
        problems.append(Problem("reason", "キャンセルの理由を入力してください。"))
    if problems:
        raise FurusatoError.of(problems)
    before = DonationState(found.status).label
    event = _add(found, StatusAction.cancel, DonationState.cancelled, by, reason=reason.strip())
    audit.record("update", "furusato_donation", found.id, f"キャンセル {before}→キャンセル：{reason.strip()}", by=by)
    return event


def _refund_problems(found: Donation, amount: int | None, refunded_on: date | None, reason: str,
                     by: User | None) -> list[Problem]:
    if found.status == DonationState.posted and not is_supervisor(by):
        problems = [Problem("donation", "証明書発送済の寄附の返金は統括責任者が行います。"
                                        "統括責任者に依頼してください。")]
    else:
        problems = _state_problem(found, can_refund(found, by), "返金",
                                  "返金は入金のあった寄附（入金済）に限ります。" if found.status in CANCELLABLE else "")
    payment = current_payment(found)
    if amount is None or amount <= 0:
        problems.append(Problem("refund_amount", "返金額を1円以上で入力してください。"))
    elif payment is not None and amount > payment.amount:
        problems.append(Problem("refund_amount", f"返金額 {amount:,}円 が入金額 {payment.amount:,}円 を超えています。"))
    if refunded_on is None:
        problems.append(Problem("refunded_on", "返金日を入力してください。"))
    elif refunded_on > today():
        problems.append(Problem("refunded_on", "返金日に未来の日付は入力できません。"))
    elif payment is not None and refunded_on < payment.received_on:
        problems.append(Problem("refunded_on", f"返金日が収納日（{payment.received_on.isoformat()}）より前です。"))
    if not reason.strip():
        problems.append(Problem("reason", "返金の理由を入力してください。"))
    return problems


def refund(donation: Donation | int | None, amount: int | None, refunded_on: date | None, reason: str,
           by: User | None) -> StatusEvent:
    """返金 of money that came in; after posting (a supervisor only) the certificate is void."""
    found = locked_donation(donation)
    problems = _refund_problems(found, amount, refunded_on, reason, by)
    if problems:
        raise FurusatoError.of(problems)
    assert amount is not None and refunded_on is not None
    # A certificate issued for money now paid back is void (posted or still in a batch).
    voided = db.session.scalar(select(Certificate.id).where(Certificate.donation_id == found.id)
                               .order_by(Certificate.id.desc()))
    before = DonationState(found.status).label
    event = _add(found, StatusAction.refund, DonationState.refunded, by, reason=reason.strip(),
                 refund_amount=amount, refunded_on=refunded_on, voids_certificate_id=voided)
    detail = f"返金 {before}→返金 {amount:,}円 返金日 {refunded_on.isoformat()}：{reason.strip()}"
    audit.record("update", "furusato_donation", found.id,
                 detail + ("（発行済の受領証明書は無効）" if voided else ""), by=by)
    return event


def reverse(donation: Donation | int | None, reason: str, by: User | None) -> StatusEvent:
    """取消: a supervisor undoes the last change by a new event back to the state before it."""
    found = locked_donation(donation)
    problems = []
    change = last_change(found)
    if not is_supervisor(by):
        problems.append(Problem("donation", "状態の変更の取消は統括責任者が行います。"))
    elif change is None:
        problems.append(Problem("donation", "取り消せる状態の変更がありません。"))
    elif change.action == StatusAction.pay:
        problems.append(Problem("donation", "入金による変更は取り消せません。入金の記録を訂正してください。"))
    if not reason.strip():
        problems.append(Problem("reason", "取消の理由を入力してください。"))
    if problems:
        raise FurusatoError.of(problems)
    assert change is not None
    event = _add(found, StatusAction.reverse, change.from_state, by, reason=reason.strip(), reverses_id=change.id)
    audit.record("update", "furusato_donation", found.id,
                 f"状態の変更を取消（{change.action.label}）{change.to_state.label}→{change.from_state.label}："
                 f"{reason.strip()}", by=by)
    return event
