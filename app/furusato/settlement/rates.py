"""The dated rates the invoice is computed with (004 §13(1)ア, (3)-(5)): the figures are the
contract's, so the office enters them with the day they take effect; a rate applies from its
effective date until the next one of its kind (and parcel size) begins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato.settlement.models import RateKind, SettlementRate

COMMISSION_UNIT = 10_000  # the commission rate is stored in 0.01% units: 1250 is 12.50%


class SettlementError(Refusal):
    pass


@dataclass(frozen=True)
class RateInput:
    kind: str = ""
    key: str = ""
    effective_from: date | None = None
    value: int | None = None


def rate_on(kind: RateKind, day: date, key: str = "") -> int | None:
    """The rate in force on `day`, or None when none had taken effect."""
    return db.session.scalar(
        select(SettlementRate.value).where(SettlementRate.kind == kind, SettlementRate.key == key,
                                           SettlementRate.effective_from <= day)
        .order_by(SettlementRate.effective_from.desc()).limit(1))


def rates() -> list[SettlementRate]:
    return list(db.session.scalars(select(SettlementRate).order_by(SettlementRate.kind, SettlementRate.key,
                                                                   SettlementRate.effective_from)))


def set_rate(data: RateInput, *, by: User) -> SettlementRate:
    """Enter a rate from a date on; every problem at once, nothing changed when refused."""
    problems = []
    if data.kind not in {k.value for k in RateKind}:
        problems.append(Problem("kind", "料金の種類を選んでください。"))
    if data.effective_from is None:
        problems.append(Problem("effective_from", "適用開始日を入力してください。"))
    if data.value is None or data.value < 0:
        problems.append(Problem("value", "金額・率は0以上の整数で入力してください。"))
    key = data.key.strip()
    if data.kind == RateKind.shipping and not key.isdigit():
        problems.append(Problem("key", "配送料には荷物のサイズ（60・80・100…）を入力してください。"))
    if data.kind != RateKind.shipping:
        key = ""
    if not problems and db.session.scalar(select(SettlementRate.id).where(
            SettlementRate.kind == data.kind, SettlementRate.key == key,
            SettlementRate.effective_from == data.effective_from)):
        problems.append(Problem("effective_from", "同じ種類・同じ適用開始日の料金がすでにあります。"))
    if problems:
        raise SettlementError.of(problems)
    assert data.effective_from is not None and data.value is not None
    row = SettlementRate(kind=RateKind(data.kind), key=key, effective_from=data.effective_from, value=data.value,
                         created_by=by.username)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "furusato_settlement_rate", row.id,
                 f"{row.kind.label}{'（' + key + 'サイズ）' if key else ''} {row.value} を {row.effective_from} から",
                 by=by)
    return row
