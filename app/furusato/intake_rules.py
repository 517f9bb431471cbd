"""What phone, FAX, counter and mail intake asks beyond a donation (issue 16 §1): a state it may
set, and for 入金済 the payment itself (収納日 and 入金額; the method is the 決済方法), which
services.create_direct_donation records through payments.record_payment."""

from __future__ import annotations

from typing import Any

from app.core.dates import now
from app.core.refusal import Problem
from app.furusato.models import DonationState

# What intake may set: the money is in only with its payment (収納日, amount, method), which is
# recorded as a payment (payments.record_payment); the other states are the office's later steps.
INTAKE_STATES = (DonationState.applied, DonationState.unpaid, DonationState.paid)


def intake_payment_problems(data: Any) -> list[Problem]:
    """What intake asks beyond a donation: a state it may set, and for 入金済 the payment."""
    if data.status not in INTAKE_STATES:
        return [Problem("status", "入金状況を選んでください。")]
    if data.status != DonationState.paid:
        return []
    problems = []
    if data.paid_on is None:
        problems.append(Problem("paid_on", "入金済の場合は収納日を入力してください。"))
    elif data.paid_on > now().date():
        problems.append(Problem("paid_on", "収納日に未来の日付は入力できません。"))
    elif data.applied_on is not None and data.paid_on < data.applied_on:
        problems.append(Problem("paid_on", "収納日が申込日より前です。"))
    if data.paid_amount is None:
        problems.append(Problem("paid_amount", "入金済の場合は入金額を入力してください。"))
    elif data.amount is not None and data.paid_amount != data.amount:
        problems.append(Problem("paid_amount",
                                f"入金額 {data.paid_amount:,}円 が寄附金額 {data.amount:,}円 と一致しません。"))
    return problems
