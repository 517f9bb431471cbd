"""Payments of donations (issue 16 §1): 収納日, amount, method and who recorded it, with
corrections that keep history.

A payment is recorded once per donation; a correction is a new row that supersedes the current
one (never an update or a delete). The donation's paid_on is the current row's 収納日 and its
status is 入金済 while it has one: what the receipt certificate reads (wt-cert), so those two
columns keep exactly that meaning.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import certificate_numbers
from app.furusato.models import Certificate, Donation, DonationPayment, DonationState, PaymentMethod
from app.furusato.services import FurusatoError, name_of
from app.furusato.status_models import StatusAction, StatusEvent

# States in which no money can be taken in: the donation was called off or paid back.
CLOSED = (DonationState.cancelled, DonationState.refunded)
# States a first payment moves to 入金済; a posted donation already had its payment.
WAITING = (DonationState.applied, DonationState.unpaid)


def can_record(donation: Donation) -> bool:
    """Whether the payment form is offered: not for a cancelled or refunded donation."""
    return donation.status not in CLOSED


def current_payment(donation: Donation) -> DonationPayment | None:
    """The payment that counts: the newest row no other row supersedes."""
    superseded = select(DonationPayment.supersedes_id).where(DonationPayment.supersedes_id.is_not(None))
    return db.session.scalar(select(DonationPayment).where(
        DonationPayment.donation_id == donation.id, DonationPayment.id.not_in(superseded))
        .order_by(DonationPayment.id.desc()))


def history(donation: Donation) -> list[DonationPayment]:
    """Every payment row of a donation, oldest first (corrections after what they correct)."""
    return list(db.session.scalars(select(DonationPayment).where(DonationPayment.donation_id == donation.id)
                                   .order_by(DonationPayment.id)))


def locked_donation(donation: Donation | int | None) -> Donation:
    """The donation, its row locked (two clerks recording one payment: one waits, then sees
    the other's), or a refusal naming the field."""
    donation_id = donation.id if isinstance(donation, Donation) else donation
    found = None
    if donation_id is not None:
        found = db.session.scalar(select(Donation).where(Donation.id == donation_id)
                                  .with_for_update().execution_options(populate_existing=True))
    if found is None:
        raise FurusatoError("該当する寄附が見つかりません。寄附番号を確かめてください。", "donation")
    return found


def _problems(donation: Donation, received_on: date | None, amount: int | None, method: str) -> list[Problem]:
    problems = []
    if donation.status in CLOSED:
        problems.append(Problem("donation", f"この寄附は{DonationState(donation.status).label}のため、"
                                            "入金を記録できません。"))
    if received_on is None:
        problems.append(Problem("received_on", "収納日を入力してください。"))
    elif received_on > today():
        problems.append(Problem("received_on", "収納日に未来の日付は入力できません。"))
    if amount is None:
        problems.append(Problem("amount", "入金額を入力してください。"))
    elif amount != donation.amount:
        problems.append(Problem("amount", f"入金額 {amount:,}円 が寄附金額 {donation.amount:,}円 と一致しません。"))
    if not PaymentMethod.has(method):
        problems.append(Problem("method", "入金方法を選んでください。"))
    return problems


def _add(donation: Donation, payment: DonationPayment, user: User | None) -> DonationPayment:
    """Add the payment row; the donation's 収納日, method and status follow it."""
    payment.donation_id = donation.id
    payment.recorded_by = name_of(user)
    db.session.add(payment)
    donation.paid_on = payment.received_on
    donation.payment_method = PaymentMethod(payment.method)
    if donation.status in WAITING:  # a posted donation stays posted; the change is in its history
        db.session.add(StatusEvent(donation_id=donation.id, action=StatusAction.pay, from_state=donation.status,
                                   to_state=DonationState.paid, reason="入金の記録", username=name_of(user)))
        donation.status = DonationState.paid
    donation.updated_at = now()
    db.session.flush()
    return payment


def record_payment(donation: Donation | int | None, received_on: date | None, amount: int | None,
                   method: str, user: User | None) -> DonationPayment:
    """Record the money of a donation waiting for it; every problem is refused at once and
    nothing changes."""
    found = locked_donation(donation)
    problems = _problems(found, received_on, amount, method)
    if current_payment(found) is not None:
        problems.insert(0, Problem("donation", "この寄附の入金は既に記録されています。誤りは訂正してください。"))
    if problems:
        raise FurusatoError.of(problems)
    assert received_on is not None and amount is not None
    payment = _add(found, DonationPayment(received_on=received_on, amount=amount, method=method), user)
    audit.record("create", "furusato_donation", found.id,
                 f"入金を記録 収納日 {received_on.isoformat()} {amount:,}円 {PaymentMethod(method).label}", by=user)
    return payment


def issued_certificate(donation: Donation) -> Certificate | None:
    """The donation's certificate as first issued (the one a reissue copies), if any."""
    return db.session.scalar(select(Certificate).where(
        Certificate.donation_id == donation.id, Certificate.reissue_of_id.is_(None)).order_by(Certificate.id.desc()))


def pending_reissue(original: Certificate) -> Certificate | None:
    """A reissue of the certificate waiting to be printed (no batch yet): the next batch prints it."""
    return db.session.scalar(select(Certificate).where(Certificate.reissue_of_id == original.id,
                                                       Certificate.batch == ""))


def correction_notes(previous: date, payment: DonationPayment) -> list[str]:
    """What the office must know after a correction of the 収納日 of a donation with a certificate:
    a reissue waits to be printed, and, when the 収納日 moved to another calendar year, the year
    of the donor's deduction moved with it (the deduction is for the year the money was paid, so
    the year on the reissued certificate differs and the donor must be told; the certificate
    number stays that of the fiscal year it was issued in)."""
    if payment.received_on == previous or issued_certificate(payment.donation) is None:
        return []
    notes = ["受領証明書の再発行を作成しました（次の印刷に入ります）。"]
    if payment.received_on.year != previous.year:
        notes.append(f"収納日が{previous.year}年から{payment.received_on.year}年に変わったため、寄附金控除の対象となる年も"
                     "変わります。寄附者に連絡し、前の証明書を使わないよう案内してください。")
    return notes


def correct_payment(donation: Donation | int | None, received_on: date | None, amount: int | None,
                    method: str, reason: str, user: User | None) -> DonationPayment:
    """Correct the current payment by a new row that supersedes it, with the reason."""
    found = locked_donation(donation)
    problems = _problems(found, received_on, amount, method)
    previous = current_payment(found)
    if previous is None:
        problems.insert(0, Problem("donation", "この寄附には訂正する入金の記録がありません。"))
    if not reason.strip():
        problems.append(Problem("reason", "訂正の理由を入力してください。"))
    if previous is not None and (previous.received_on, previous.amount, previous.method) == (
            received_on, amount, method):
        problems.append(Problem("received_on", "訂正する項目がありません（収納日・入金額・入金方法が同じです）。"))
    certificate = issued_certificate(found)
    moved = previous is not None and received_on is not None and received_on != previous.received_on
    if certificate is not None and moved and (user is None or user.role != Role.supervisor):
        problems.append(Problem("received_on", f"受領証明書（{certificate.fiscal_year}年度 第{certificate.number}号）を"
                                               "発行済みのため、収納日を訂正すると証明書の再発行が必要です。"
                                               "統括責任者が訂正してください（再発行の証明書は次の印刷に入ります）。"))
    if problems:
        raise FurusatoError.of(problems)
    assert previous is not None and received_on is not None and amount is not None
    payment = _add(found, DonationPayment(received_on=received_on, amount=amount, method=method,
                                          supersedes_id=previous.id, reason=reason.strip()), user)
    if certificate is not None and moved and pending_reissue(certificate) is None:
        certificate_numbers.reissue(certificate, by=user)
    audit.record("update", "furusato_donation", found.id,
                 f"入金を訂正 収納日 {previous.received_on.isoformat()}→{received_on.isoformat()} "
                 f"{previous.amount:,}円→{amount:,}円 {PaymentMethod(previous.method).label}→"
                 f"{PaymentMethod(method).label}：{reason.strip()}", by=user)
    return payment
