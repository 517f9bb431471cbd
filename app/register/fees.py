"""The fee schedule (手数料) and the pricing of a basket: pure rules plus the schedule table.

A fee is versioned by `effective_from`; the amount charged is the one in force on the payment
date, and a payment copies it, so changing the schedule never rewrites a past payment.
公用 (official) requests are free (000 §6(1): 公用請求を含む) and are marked on every line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.cache import Cached
from app.core.dates import today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.register.models import Fee

#: Demo defaults: the amounts most city ordinances set (手数料条例), in yen.
DEFAULT_FEES: tuple[tuple[str, str, str, int], ...] = (
    ("resident_record_copy", "住民票の写し", "通", 300),
    ("resident_record_certificate", "住民票記載事項証明書", "通", 300),
    ("family_register_copy", "戸籍謄本・抄本", "通", 450),
    ("removed_family_register_copy", "除籍・改製原戸籍謄本・抄本", "通", 750),
    ("family_register_annex", "戸籍の附票の写し", "通", 300),
    ("family_register_certificate", "戸籍届書記載事項証明書", "通", 350),
    ("seal_certificate", "印鑑登録証明書", "通", 300),
    ("seal_registration", "印鑑登録（登録証の交付）", "件", 300),
    ("seal_card_reissue", "印鑑登録証再交付", "枚", 300),
    ("tax_certificate", "税証明", "通", 300),
    ("temporary_vehicle_permit", "臨時運行許可", "件", 750),
    ("address_numbering_certificate", "住居表示証明書", "通", 300),
    ("administrative_certificate", "行政証明", "通", 300),
    ("my_number_card_reissue", "個人番号カード再交付", "枚", 1000),
)
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")
MAX_QUANTITY = 99
MAX_AMOUNT = 1_000_000


class FeeError(Refusal):
    """A fee or a basket the schedule refuses."""


@dataclass(frozen=True)
class Rate:
    """The part of a fee version that pricing needs."""

    code: str
    label: str
    unit: str
    amount: int


@dataclass(frozen=True)
class Item:
    """One line of a basket: a fee, how many, and whether it is an official (free) request."""

    fee_code: str
    quantity: int
    official: bool = False


@dataclass(frozen=True)
class PricedLine:
    fee_code: str
    label: str
    unit: str
    quantity: int
    unit_amount: int
    official: bool
    amount: int


@dataclass(frozen=True)
class Quote:
    lines: tuple[PricedLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def validate_items(items: Iterable[Item]) -> list[Item]:
    checked = list(items)
    if not checked:
        raise FeeError("請求する手数料がありません。", "lines")
    for item in checked:
        if not isinstance(item.quantity, int) or not 1 <= item.quantity <= MAX_QUANTITY:
            raise FeeError(f"数量は1〜{MAX_QUANTITY}で指定してください（{item.fee_code}）。", "lines")
    return checked


def price(items: Sequence[Item], rates: Mapping[str, Rate]) -> Quote:
    """Price a basket with the rates in force. Official lines cost nothing."""
    lines = []
    for item in validate_items(items):
        rate = rates.get(item.fee_code)
        if rate is None:
            raise FeeError(f"手数料「{item.fee_code}」は手数料表にないか、まだ適用日前です。", "lines")
        amount = 0 if item.official else rate.amount * item.quantity
        lines.append(PricedLine(rate.code, rate.label, rate.unit, item.quantity,
                                0 if item.official else rate.amount, item.official, amount))
    return Quote(tuple(lines))


def change_due(total: int, received: int) -> int:
    """The change for cash received against a total; refuses too little cash."""
    if received < total:
        raise FeeError(f"お預かり金額が不足しています（合計 {total:,}円、お預かり {received:,}円）。", "received")
    return received - total


# --- the schedule table ---------------------------------------------------------------------

def _read_rates() -> tuple[tuple[date, Rate], ...]:
    query = select(Fee).order_by(Fee.code, Fee.effective_from)
    return tuple((fee.effective_from, Rate(fee.code, fee.label, fee.unit, fee.amount))
                 for fee in db.session.scalars(query))


#: every version of every fee, kept per process (app/core/cache.py): the register, each case
#: page and each bill's total read the fee table (issue 22)
_RATES = Cached("fees", _read_rates, (Fee,))


def rates_on(day: date) -> dict[str, Rate]:
    """Every fee in force on `day`: for each code the version with the latest effective date
    on or before it."""
    rates: dict[str, Rate] = {}
    for effective_from, rate in _RATES.get():  # by code, then effective date
        if effective_from <= day:
            rates[rate.code] = rate
    return rates


def schedule_on(day: date) -> list[Fee]:
    """The fee rows in force on `day`, in display order."""
    latest: dict[str, Fee] = {}
    query = select(Fee).where(Fee.effective_from <= day).order_by(Fee.code, Fee.effective_from)
    for fee in db.session.scalars(query):
        latest[fee.code] = fee
    return sorted(latest.values(), key=lambda f: (f.sort_order, f.code))


def all_versions() -> list[Fee]:
    return list(db.session.scalars(select(Fee).order_by(Fee.sort_order, Fee.code, Fee.effective_from)))


def fee_choices(day: date | None = None) -> list[tuple[str, str]]:
    return [(f.code, f"{f.label}（{f.amount:,}円）") for f in schedule_on(day or today())]


@dataclass(frozen=True)
class FeeInput:
    code: str
    label: str
    unit: str
    amount: int | None
    effective_from: date | None


def can_edit_schedule(by: User) -> bool:
    """The fee schedule follows the city's ordinance; an administrator enters its changes."""
    return by.role == "admin"


def _fee_problems(data: FeeInput, code: str, backdate: bool) -> list[Problem]:
    problems = []
    if not CODE_PATTERN.fullmatch(code):
        problems.append(Problem("code",
                                "手数料コードは半角英小文字・数字・下線で入力してください（例：resident_record_copy）。"))
    if not data.label.strip():
        problems.append(Problem("label", "名称を入力してください。"))
    if not data.unit.strip():
        problems.append(Problem("unit", "単位を入力してください（例：通）。"))
    if data.amount is None or not 0 <= data.amount <= MAX_AMOUNT:
        problems.append(Problem("amount", f"金額は0〜{MAX_AMOUNT:,}円の整数で入力してください。"))
    if data.effective_from is None:
        problems.append(Problem("effective_from", "適用開始日を入力してください。"))
    elif data.effective_from <= today() and _version(code, data.effective_from) is not None:
        problems.append(Problem("effective_from", "既に適用中の手数料は変更できません。"
                                "適用開始日を翌日以降にして新しい版を登録してください。"))
    elif data.effective_from <= today() and not backdate:
        problems.append(Problem("effective_from", "適用開始日は翌日以降の日付にしてください"
                                "（その日の途中や過去にさかのぼって手数料は変えられません）。"))
    return problems


def _version(code: str, effective_from: date) -> Fee | None:
    return db.session.scalar(select(Fee).where(Fee.code == code, Fee.effective_from == effective_from))


def save_fee(data: FeeInput, by: User | None = None, *, sort_order: int | None = None,
             backdate: bool = False) -> Fee:
    """Add a version of a fee. A version already in force is never changed; one that is not
    yet in force may be corrected (same code and date). A new version starts tomorrow or later,
    so the schedule's history agrees with the payments already taken and a day is priced by one
    version; only the initial schedule (`backdate`, the demo and tests) may start in the past."""
    code = data.code.strip()
    problems = _fee_problems(data, code, backdate)
    if problems:
        raise FeeError.of(problems)
    assert data.amount is not None and data.effective_from is not None  # checked above
    if sort_order is None:
        previous = db.session.scalar(select(Fee.sort_order).where(Fee.code == code).limit(1))
        sort_order = previous if previous is not None else len(DEFAULT_FEES) + 1
    fee = _version(code, data.effective_from) or Fee(code=code, effective_from=data.effective_from)
    fee.label, fee.unit, fee.amount, fee.sort_order = data.label.strip(), data.unit.strip(), data.amount, sort_order
    fee.created_by_id = by.id if by else None
    db.session.add(fee)
    db.session.flush()
    audit.record("update", "fee", fee.id,
                 f"{fee.label}（{code}）{data.amount:,}円 {data.effective_from.isoformat()}から適用", by=by)
    return fee


def seed_default_fees(effective_from: date) -> list[Fee]:
    """The demo city's schedule (also used by tests)."""
    return [save_fee(FeeInput(code, label, unit, amount, effective_from), sort_order=n, backdate=True)
            for n, (code, label, unit, amount) in enumerate(DEFAULT_FEES, start=1)]
