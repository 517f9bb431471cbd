"""The settlement's steps (004 §7(7)ア-ウ, §13): a supplier's month confirmed, disputed, resolved
and closed (reopened by a supervisor with a reason); carriers' invoices reconciled against the
lines; city-approved advertising; the month's invoice issued, accepted by the city, paid.
Every change is audited; GETs only compute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.gifts.models import Supplier
from app.furusato.settlement import costs
from app.furusato.settlement.models import (
    AdSpend,
    CarrierInvoice,
    CityInvoice,
    InvoiceState,
    NoteKind,
    SupplierMonth,
    SupplierMonthNote,
    SupplierMonthState,
)
from app.furusato.settlement.periods import bill_due, month_end, payment_due
from app.furusato.settlement.rates import SettlementError


@dataclass(frozen=True)
class SupplierStatement:
    supplier: Supplier
    month: date
    lines: list[costs.StatementLine]
    row: SupplierMonth | None

    @property
    def state(self) -> SupplierMonthState:
        return self.row.state if self.row is not None else SupplierMonthState.open

    @property
    def parcels(self) -> int:
        return sum(line.parcels for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def procurement(self) -> int:
        return sum(line.procurement for line in self.lines)

    @property
    def shipping(self) -> int:
        return sum(line.shipping for line in self.lines)

    @property
    def total(self) -> int:
        return self.procurement + self.shipping

    @property
    def changed_since_closed(self) -> int:
        """What the lines add up to now less what was confirmed (0 while open or unchanged)."""
        if self.row is None or self.row.state != SupplierMonthState.confirmed:
            return 0
        return self.total - (self.row.procurement + self.row.shipping)


def _row(supplier_id: int, month: date) -> SupplierMonth | None:
    return db.session.scalar(select(SupplierMonth).where(SupplierMonth.supplier_id == supplier_id,
                                                         SupplierMonth.month == month))


def statement(supplier: Supplier, month: date) -> SupplierStatement:
    return SupplierStatement(supplier, month, costs.statement_lines(month, month_end(month), supplier.id),
                             _row(supplier.id, month))


def statements(month: date) -> list[SupplierStatement]:
    """Every supplier with a line shipped in the month, or a month row already."""
    ids = set(costs.suppliers_shipping(month, month_end(month)))
    ids |= set(db.session.scalars(select(SupplierMonth.supplier_id).where(SupplierMonth.month == month)))
    suppliers = db.session.scalars(select(Supplier).where(Supplier.id.in_(ids)).order_by(Supplier.code))
    return [statement(s, month) for s in suppliers]


def _note_required(note: str, what: str) -> str:
    text = note.strip()
    if not text:
        raise SettlementError(f"{what}を入力してください。", "note")
    return text


def _open_row(supplier: Supplier, month: date) -> SupplierMonth:
    row = _row(supplier.id, month)
    if row is None:
        row = SupplierMonth(supplier_id=supplier.id, month=month)
        db.session.add(row)
        db.session.flush()
    return row


def _note(row: SupplierMonth, kind: NoteKind, note: str, by: User) -> None:
    db.session.add(SupplierMonthNote(supplier_month_id=row.id, kind=kind, note=note, by=by.username))
    audit.record("update", "furusato_supplier_month", row.id,
                 f"{row.supplier.name} {row.month:%Y年%-m月}：{kind.label}" + (f"（{note}）" if note else ""), by=by)


def confirm(supplier: Supplier, month: date, note: str, *, by: User) -> SupplierMonth:
    """The supplier confirmed the month's statement (§7(7)ア 相互に確認): the month closes with
    its totals kept."""
    current = statement(supplier, month)
    if current.state == SupplierMonthState.confirmed:
        raise SettlementError(f"{supplier.name}の{month:%Y年%-m月}分はすでに確認済（締め）です。")
    if current.state == SupplierMonthState.disputed:
        raise SettlementError("相違の申出が解消されていません。先に解消の内容を記録してください。", "note")
    if month_end(month) > today():
        raise SettlementError(f"{month:%Y年%-m月}はまだ終わっていないため締められません。")
    row = _open_row(supplier, month)
    row.state = SupplierMonthState.confirmed
    row.parcels, row.procurement, row.shipping = current.parcels, current.procurement, current.shipping
    row.confirmed_at, row.confirmed_by = now(), by.username
    _note(row, NoteKind.confirm, note.strip(), by)
    return row


def dispute(supplier: Supplier, month: date, note: str, *, by: User) -> SupplierMonth:
    """The supplier says the statement differs (§7(7)ア 齟齬): what they said is recorded."""
    text = _note_required(note, "相違の内容")
    row = _open_row(supplier, month)
    if row.state == SupplierMonthState.confirmed:
        raise SettlementError("確認済（締め）の月です。統括責任者が締めを解除してから記録してください。")
    row.state = SupplierMonthState.disputed
    _note(row, NoteKind.dispute, text, by)
    return row


def resolve(supplier: Supplier, month: date, note: str, *, by: User) -> SupplierMonth:
    """How the difference was resolved (the cause found, lines corrected): back to 確認待ち."""
    text = _note_required(note, "解消の内容（原因と修正）")
    row = _row(supplier.id, month)
    if row is None or row.state != SupplierMonthState.disputed:
        raise SettlementError("相違の申出がありません。")
    row.state = SupplierMonthState.open
    _note(row, NoteKind.resolve, text, by)
    return row


def can_reopen(by: User) -> bool:
    return by.role == Role.supervisor


def reopen(supplier: Supplier, month: date, reason: str, *, by: User) -> SupplierMonth:
    """Only a supervisor reopens a closed month, with the reason (audited); refused once the
    month's invoice was issued, since its amounts were billed."""
    if not can_reopen(by):
        raise SettlementError("締めの解除は統括責任者のみが行えます。")
    text = _note_required(reason, "解除の理由")
    row = _row(supplier.id, month)
    if row is None or row.state != SupplierMonthState.confirmed:
        raise SettlementError("確認済（締め）の月ではありません。")
    if invoice_of(month) is not None:
        raise SettlementError(f"{month:%Y年%-m月}分はすでに市へ請求済みのため解除できません。")
    row.state = SupplierMonthState.open
    row.confirmed_at, row.confirmed_by = None, ""
    _note(row, NoteKind.reopen, text, by)
    return row


# Carriers' invoices (§7(7)イ 配送料業者への支払)

@dataclass(frozen=True)
class CarrierInput:
    carrier: str = ""
    number: str = ""
    parcels: int | None = None
    amount: int | None = None


def carrier_invoices(month: date) -> list[CarrierInvoice]:
    return list(db.session.scalars(select(CarrierInvoice).where(CarrierInvoice.month == month)
                                   .order_by(CarrierInvoice.id)))


def add_carrier_invoice(month: date, data: CarrierInput, *, by: User) -> CarrierInvoice:
    problems = []
    if not data.carrier.strip():
        problems.append(Problem("carrier", "配送業者を入力してください。"))
    if data.parcels is None or data.parcels < 0:
        problems.append(Problem("parcels", "個数は0以上の整数で入力してください。"))
    if data.amount is None or data.amount < 0:
        problems.append(Problem("amount", "請求額は0以上の整数（円）で入力してください。"))
    if problems:
        raise SettlementError.of(problems)
    assert data.parcels is not None and data.amount is not None
    row = CarrierInvoice(month=month, carrier=data.carrier.strip(), number=data.number.strip(), parcels=data.parcels,
                         amount=data.amount, entered_by=by.username)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "furusato_carrier_invoice", row.id,
                 f"{row.carrier} {month:%Y年%-m月}分 {row.parcels}個 {row.amount:,}円", by=by)
    return row


@dataclass(frozen=True)
class Reconciliation:
    """The carriers' bills against the shipped lines: parcels and yen, and the differences."""

    parcels: int
    shipping: int
    billed_parcels: int
    billed: int

    @property
    def parcel_difference(self) -> int:
        return self.billed_parcels - self.parcels

    @property
    def difference(self) -> int:
        return self.billed - self.shipping


def reconciliation(month: date) -> Reconciliation:
    lines = costs.statement_lines(month, month_end(month))
    bills = carrier_invoices(month)
    return Reconciliation(sum(line.parcels for line in lines), sum(line.shipping for line in lines),
                          sum(b.parcels for b in bills), sum(b.amount for b in bills))


# Advertising the city approved (§13(6))

@dataclass(frozen=True)
class AdInput:
    spent_on: date | None = None
    medium: str = ""
    description: str = ""
    amount: int | None = None
    approved_on: date | None = None
    approval_ref: str = ""


def ads(month: date) -> list[AdSpend]:
    return list(db.session.scalars(select(AdSpend).where(AdSpend.spent_on >= month, AdSpend.spent_on < month_end(month))
                                   .order_by(AdSpend.spent_on, AdSpend.id)))


def add_ad(data: AdInput, *, by: User) -> AdSpend:
    """An ad the city approved beforehand (§13(6) 本市が事前に承認したものに限る)."""
    problems = []
    if data.spent_on is None:
        problems.append(Problem("spent_on", "実施日を入力してください。"))
    if not data.medium.strip():
        problems.append(Problem("medium", "媒体を入力してください。"))
    if data.amount is None or data.amount <= 0:
        problems.append(Problem("amount", "金額は1円以上の整数で入力してください。"))
    if data.approved_on is None:
        problems.append(Problem("approved_on", "市の承認日を入力してください（事前承認のあるものに限ります）。"))
    elif data.spent_on is not None and data.approved_on > data.spent_on:
        problems.append(Problem("approved_on", "市の承認日が実施日より後です（事前承認のあるものに限ります）。"))
    if problems:
        raise SettlementError.of(problems)
    assert data.spent_on is not None and data.amount is not None and data.approved_on is not None
    row = AdSpend(spent_on=data.spent_on, medium=data.medium.strip(), description=data.description.strip(),
                  amount=data.amount, approved_on=data.approved_on, approval_ref=data.approval_ref.strip(),
                  entered_by=by.username)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "furusato_ad_spend", row.id, f"{row.medium} {row.amount:,}円（{row.spent_on}）", by=by)
    return row


# The month's invoice to the city (§13, with the §7(7)イ statement; paid per §7(7)ウ)

def invoice_of(month: date) -> CityInvoice | None:
    return db.session.scalar(select(CityInvoice).where(CityInvoice.month == month))


def invoice_figures(month: date) -> costs.Costs:
    return costs.costs(month, month_end(month))


def issue_invoice(month: date, *, by: User) -> CityInvoice:
    """Issue the month's invoice: every supplier's month must be confirmed first (the statement
    attached is what they agreed to), and the month must be over."""
    if invoice_of(month) is not None:
        raise SettlementError(f"{month:%Y年%-m月}分の請求書はすでに発行済みです。")
    if month_end(month) > today():
        raise SettlementError(f"{month:%Y年%-m月}はまだ終わっていません。")
    waiting = [s.supplier.name for s in statements(month) if s.state != SupplierMonthState.confirmed]
    if waiting:
        raise SettlementError("返礼品提供事業者の確認が済んでいません：" + "、".join(waiting))
    c = invoice_figures(month)
    row = CityInvoice(month=month, commission=c.commission, procurement=c.procurement, shipping=c.shipping,
                      certificates=c.certificates, onestop=c.onestop, advertising=c.advertising, total=c.total,
                      issued_on=today(), due_on=bill_due(month), issued_by=by.username)
    db.session.add(row)
    db.session.flush()
    audit.record("create", "furusato_city_invoice", row.id, f"{month:%Y年%-m月}分 {row.total:,}円を請求", by=by)
    return row


def accept_invoice(invoice: CityInvoice, accepted_on: date | None, *, by: User) -> CityInvoice:
    """The city accepts a proper invoice; payment is due 30 days from then (§7(7)ウ)."""
    if by.role != Role.city_staff:
        raise SettlementError("請求書の受理は市職員が行います。")
    if invoice.state != InvoiceState.issued:
        raise SettlementError("受理待ちの請求書ではありません。")
    if accepted_on is None or accepted_on < invoice.issued_on:
        raise SettlementError("受理日を請求日以降の日付で入力してください。", "day")
    invoice.state, invoice.accepted_on, invoice.pay_by = InvoiceState.accepted, accepted_on, payment_due(accepted_on)
    audit.record("approve", "furusato_city_invoice", invoice.id,
                 f"{invoice.month:%Y年%-m月}分を{accepted_on}に受理（支払期限 {invoice.pay_by}）", by=by)
    return invoice


def record_payment(invoice: CityInvoice, paid_on: date | None, *, by: User) -> CityInvoice:
    if invoice.state != InvoiceState.accepted:
        raise SettlementError("支払待ちの請求書ではありません。")
    if paid_on is None or invoice.accepted_on is None or paid_on < invoice.accepted_on:
        raise SettlementError("入金日を受理日以降の日付で入力してください。", "day")
    invoice.state, invoice.paid_on = InvoiceState.paid, paid_on
    audit.record("update", "furusato_city_invoice", invoice.id, f"{invoice.month:%Y年%-m月}分の入金 {paid_on}", by=by)
    return invoice


def unpaid_count() -> int:
    return int(db.session.scalar(select(func.count(CityInvoice.id)).where(CityInvoice.state != InvoiceState.paid))
               or 0)


def supplier(supplier_id: int) -> Supplier | None:
    return db.session.get(Supplier, supplier_id)
