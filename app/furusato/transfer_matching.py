"""Matching a transfer to the donation it pays (issue 16 §1): by the payer's name in kana and
the amount, among donations waiting for a bank or postal payment applied for on or before the
day of the transfer; and the office's resolution of what matching could not decide.

A bank writes the payer (振込依頼人名) in half-width kana without small kana, often with a legal
form abbreviated (ｶ) for 株式会社 before the name, (ｶ after it); folded as app/core/text.py folds
kana, and with the abbreviation both dropped and spelled out, it compares with the donor's
kana_key. Exactly one waiting donation of that name and that amount is a certain match; the
payment is then recorded with payments.record_payment, the one way a payment is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.refusal import Problem
from app.core.text import DASHES
from app.extensions import db
from app.furusato import normalize, payments
from app.furusato.models import Donation, Donor, PaymentMethod
from app.furusato.services import FurusatoError
from app.furusato.transfer_models import OPEN_STATES, MatchKind, TransferRow, TransferState
from app.web.paging import Page, paged

# The methods whose donations wait for a transfer (a card or a convenience store pays itself).
TRANSFER_METHODS = (PaymentMethod.bank, PaymentMethod.postal)
# At most this many donations of the same amount are offered for one transfer.
MAX_AMOUNT_CANDIDATES = 30

# 全銀協's abbreviations of legal forms (振込依頼人名), as they read after NFKC, and the words
# a donor's kana spells them with.
LEGAL_FORMS = {
    "カ": "カブシキガイシヤ", "ユ": "ユウゲンガイシヤ", "ド": "ゴウドウガイシヤ", "メ": "ゴウメイガイシヤ",
    "シ": "ゴウシガイシヤ", "ザイ": "ザイダンホウジン", "シヤ": "シヤダンホウジン", "イ": "イリヨウホウジン",
    "ガク": "ガツコウホウジン", "フク": "シヤカイフクシホウジン", "トクヒ": "トクテイヒエイリカツドウホウジン",
}
_FORMS = "|".join(sorted(LEGAL_FORMS, key=len, reverse=True))
_PREFIX = re.compile(rf"^\(?({_FORMS})\)")
_SUFFIX = re.compile(rf"\(({_FORMS})\)?$")
_PAYER_DASHES = {ord(ch): "ー" for ch in DASHES}
_ORDER_TOKEN = re.compile(r"[0-9A-Z][0-9A-Z_-]{5,63}")


# What records the payment without asking anyone.
CERTAIN = (MatchKind.certain, MatchKind.order)


@dataclass(frozen=True)
class PayerKeys:
    """The payer's folded name (legal form dropped) and every spelling a donor's kana may have."""

    key: str
    spellings: tuple[str, ...]


def payer_keys(payer: str) -> PayerKeys:
    text = normalize.nfkc(payer).replace("（", "(").replace("）", ")")
    text = re.sub(r"\s+", "", text)
    before = after = ""
    if match := _PREFIX.match(text):
        before, text = LEGAL_FORMS[match.group(1)], text[match.end():]
    elif match := _SUFFIX.search(text):
        after, text = LEGAL_FORMS[match.group(1)], text[:match.start()]
    key = normalize.kana_key(text).translate(_PAYER_DASHES)
    if not key:
        return PayerKeys("", ())
    spellings = (key, f"{before}{key}{after}") if before or after else (key,)
    return PayerKeys(key, spellings)


@dataclass
class Found:
    """The waiting donations a transfer may pay, best first, and what kind of match they make."""

    kind: MatchKind
    both: list[Donation] = field(default_factory=list)  # same name and amount
    name_only: list[Donation] = field(default_factory=list)
    amount_only: list[Donation] = field(default_factory=list)

    @property
    def candidates(self) -> list[Donation]:
        return [*self.both, *self.name_only, *self.amount_only]


def _waiting(on: object) -> Select[tuple[Donation]]:
    return (select(Donation).join(Donor, Donor.id == Donation.donor_id)
            .where(Donation.status.in_(payments.WAITING), Donation.payment_method.in_(TRANSFER_METHODS),
                   Donation.applied_on <= on)
            .order_by(Donation.applied_on, Donation.id))


def order_numbers(memo: str) -> list[str]:
    """What in a 通信欄 may be a donation's number (a payer copies it from the letter)."""
    return _ORDER_TOKEN.findall(normalize.nfkc(memo).upper())[:20]


def _by_number(row: TransferRow) -> list[Donation]:
    numbers = order_numbers(row.memo)
    if not numbers:
        return []
    return list(db.session.scalars(_waiting(row.transferred_on).where(Donation.order_id.in_(numbers),
                                                                       Donation.amount == row.amount)))


def find(row: TransferRow) -> Found:
    """The donations waiting for this transfer's money now. The donation whose number the
    通信欄 gives, of the same amount, is certain whoever paid (a parent pays for a child)."""
    numbered = _by_number(row)
    if len(numbered) == 1:
        return Found(MatchKind.order, numbered)
    spellings = payer_keys(row.payer).spellings
    named = list(db.session.scalars(_waiting(row.transferred_on).where(Donor.kana_key.in_(spellings)))) \
        if spellings else []
    both = [d for d in named if d.amount == row.amount]
    name_only = [d for d in named if d.amount != row.amount]
    amount_only = [d for d in db.session.scalars(
        _waiting(row.transferred_on).where(Donation.amount == row.amount).limit(MAX_AMOUNT_CANDIDATES + len(both)))
        if d not in both][:MAX_AMOUNT_CANDIDATES]
    if len(both) == 1:
        kind = MatchKind.certain
    elif both:
        kind = MatchKind.several
    elif name_only:
        kind = MatchKind.name_only
    elif amount_only:
        kind = MatchKind.amount_only
    else:
        kind = MatchKind.none
    return Found(kind, both, name_only, amount_only)


def state_for(kind: MatchKind) -> TransferState:
    if kind in (MatchKind.none, MatchKind.taken):
        return TransferState.unmatched
    return TransferState.recorded if kind in CERTAIN else TransferState.uncertain


# --- the office's resolution ------------------------------------------------------------------

def open_rows(page: int = 1) -> Page[TransferRow]:
    """The money not yet resolved, oldest first."""
    return paged(select(TransferRow).where(TransferRow.state.in_(OPEN_STATES))
                 .order_by(TransferRow.transferred_on, TransferRow.id), page)


def open_total() -> tuple[int, int]:
    """How many transfers are unresolved and how much money they are."""
    count, total = db.session.execute(select(func.count(), func.coalesce(func.sum(TransferRow.amount), 0))
                                      .where(TransferRow.state.in_(OPEN_STATES))).one()
    return int(count), int(total)


def read_row(row_id: int, *, by: User | None) -> TransferRow | None:
    """A transfer with the payer's name, audited as a read."""
    row = db.session.get(TransferRow, row_id)
    if row is not None:
        audit.record("read", "furusato_transfer", row.id, f"入金照合 {row.payer}", by=by)
    return row


def _locked_open(row_id: int) -> TransferRow:
    """The row locked (two clerks resolving one transfer: one waits, then sees the other's)."""
    row = db.session.scalar(select(TransferRow).where(TransferRow.id == row_id).with_for_update()
                            .execution_options(populate_existing=True))
    if row is None:
        raise FurusatoError("該当する入金の明細が見つかりません。", "row")
    if not row.open:
        raise FurusatoError(f"この入金は既に処理されています（{row.state.label}）。", "row")
    return row


def choose(row_id: int, donation_id: int | None, *, by: User) -> TransferRow:
    """The office says which donation the money pays: its payment is recorded (収納日 = the
    transfer's day, the method of the file's kind)."""
    row = _locked_open(row_id)
    offered = {d.id for d in find(row).candidates}
    if donation_id is None or donation_id not in offered:
        raise FurusatoError("充当する寄附を候補から選んでください。", "donation")
    payment = payments.record_payment(donation_id, row.transferred_on, row.amount, row.batch.method, by)
    row.state, row.donation_id, row.payment_id = TransferState.recorded, donation_id, payment.id
    row.resolved_by, row.resolved_at = by.username, now()
    audit.record("update", "furusato_transfer", row.id,
                 f"入金照合：{row.transferred_on.isoformat()} {row.amount:,}円 {row.payer} "
                 f"を寄附 #{donation_id} に充当", by=by)
    db.session.flush()
    return row


def exclude(row_id: int, reason: str, *, by: User) -> TransferRow:
    """対象外: money that pays no donation (a double payment to refund, another 入金), with why."""
    row = _locked_open(row_id)
    if not reason.strip():
        raise FurusatoError.of([Problem("reason", "対象外とする理由を入力してください。")])
    row.state, row.reason = TransferState.excluded, reason.strip()
    row.resolved_by, row.resolved_at = by.username, now()
    audit.record("update", "furusato_transfer", row.id,
                 f"入金照合：{row.transferred_on.isoformat()} {row.amount:,}円 {row.payer} を対象外：{row.reason}",
                 by=by)
    db.session.flush()
    return row
