"""The dated rates the invoice is computed with (004 §13(1)ア, (3)-(5)): the figures are the
contract's, so the office enters them with the day they take effect; a rate applies from its
effective date until the next one of its kind (and key: parcel size, portal, payment method)
begins. The portals' and the payment providers' fees (§13(1)イ ただし書: the city pays them
directly, outside the commission) are rates like the commission, keyed by the portal's code and
by the payment method as the donations store them."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato.models import PaymentMethod, Portal, PortalKind
from app.furusato.settlement.models import RateKind, SettlementRate

COMMISSION_UNIT = 10_000  # the commission rate is stored in 0.01% units: 1250 is 12.50%
SHARES = (RateKind.commission, RateKind.portal_fee, RateKind.payment_fee)  # in COMMISSION_UNIT, at most 100%
FEES = (RateKind.portal_fee, RateKind.payment_fee)
History = dict[tuple[RateKind, str], tuple[list[date], list[int]]]


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


def history(kinds: tuple[RateKind, ...]) -> History:
    """Every rate of `kinds` in one query, by (kind, key), in date order (the table is small)."""
    found: History = {}
    for row in db.session.scalars(select(SettlementRate).where(SettlementRate.kind.in_(kinds))
                                  .order_by(SettlementRate.effective_from)):
        days, values = found.setdefault((row.kind, row.key), ([], []))
        days.append(row.effective_from)
        values.append(row.value)
    return found


def in_force(found: History, kind: RateKind, key: str, day: date) -> int | None:
    """As rate_on, from a history read once."""
    days, values = found.get((kind, key), ([], []))
    at = bisect_right(days, day)
    return values[at - 1] if at else None


def fee_portals() -> list[Portal]:
    """The portals a portal fee may be entered for (not the direct-intake row)."""
    return list(db.session.scalars(select(Portal).where(Portal.kind == PortalKind.portal)
                                   .order_by(Portal.sort_order, Portal.id)))


def key_label(row: SettlementRate, names: dict[str, str] | None = None) -> str:
    """What a rate's key names, in Japanese: the size, the portal, the payment method."""
    if row.kind == RateKind.shipping:
        return f"{row.key}サイズ"
    if row.kind == RateKind.payment_fee and PaymentMethod.has(row.key):
        return PaymentMethod(row.key).label
    if row.kind == RateKind.portal_fee:
        return (names or {}).get(row.key, row.key)
    return row.key


def _key_problem(kind: str, key: str) -> tuple[str, Problem | None]:
    """The key as stored for the kind, or the problem with what was typed."""
    if kind == RateKind.shipping:
        return key, None if key.isdigit() else Problem(
            "key", "配送料には荷物のサイズ（60・80・100…）を入力してください。")
    if kind == RateKind.portal_fee:
        codes = {p.code: p for p in fee_portals()}
        by_name = {p.name: p.code for p in codes.values()}
        if key in codes or key in by_name:
            return by_name.get(key, key), None
        known = "、".join(f"{p.code}（{p.name}）" for p in codes.values())
        what = (f"ポータルサイトのコード「{key}」は登録されていません。" if key
                else "ポータルサイトのコードを入力してください。")
        return key, Problem("key", f"{what}登録されているコード：{known}")
    if kind == RateKind.payment_fee:
        by_label = {m.label: m.value for m in PaymentMethod}
        if PaymentMethod.has(key) or key in by_label:
            return by_label.get(key, key), None
        known = "、".join(f"{m.value}（{m.label}）" for m in PaymentMethod)
        what = f"決済方法「{key}」は登録されていません。" if key else "決済方法を入力してください。"
        return key, Problem("key", f"{what}使える決済方法：{known}")
    return "", None


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
    elif data.kind in SHARES and data.value > COMMISSION_UNIT:
        problems.append(Problem("value", "率は0～10000（0%～100%、0.01%単位）で入力してください。"))
    key, problem = _key_problem(data.kind, data.key.strip())
    if problem is not None:
        problems.append(problem)
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
    named = f"（{key_label(row)}）" if key else ""
    audit.record("create", "furusato_settlement_rate", row.id,
                 f"{row.kind.label}{named} {row.value} を {row.effective_from} から", by=by)
    return row
