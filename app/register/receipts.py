"""The receipt (領収書) and the void slip as printer documents, and printing them on the
register's printer through a device job (000 §6(1)③イ: 領収書（レシート）の発行・交付).

Lines are laid out for 80 mm paper in the printer's Kanji font: 42 half-width columns, a
full-width character taking two. The cash drawer is kicked only when cash changes hands.
"""

from __future__ import annotations

from app.auth import audit
from app.auth.models import User
from app.core.dates import wareki
from app.core.refusal import Refusal
from app.core.services import get_municipality
from app.devices import jobs
from app.devices.models import DeviceJob, DeviceKind, JobKind, Terminal
from app.register.models import Payment
from app.register.services import void_of
from hardware.printer import Cut, Document, DrawerKick, Feed, Rule, Text
from hardware.printer.render import COLUMNS, display_width

TAX_NOTE = "行政手数料のため消費税は非課税です。"
PRINTER = DeviceKind.printer


class PrintError(Refusal):
    """The receipt cannot be queued (the register has no printer)."""


def yen(amount: int) -> str:
    return f"{amount:,}円"


def columns(left: str, right: str, width: int = COLUMNS) -> str:
    """`left` and `right` on one line, `right` flush with the right edge."""
    gap = max(1, width - display_width(left) - display_width(right))
    return left + " " * gap + right


def fit(text: str, width: int = COLUMNS) -> str:
    """Cut `text` to one printed line."""
    out = ""
    for ch in text:
        if display_width(out + ch) > width:
            break
        out += ch
    return out


def addressee_line(addressee: str) -> str:
    """「〇〇 様」 on one printed line: a name too long is cut, never the honorific."""
    return fit(addressee, COLUMNS - display_width(" 様")) + " 様"


def _line_texts(payment: Payment) -> list[Text]:
    texts = []
    for line in payment.lines:
        label = line.label + ("（公用）" if line.official else "")
        texts.append(Text(fit(label)))
        if line.official:
            detail = f"  {abs(line.quantity)}{line.unit} 公用のため無料"
        else:
            detail = f"  {line.unit_amount:,}円 × {abs(line.quantity)}{line.unit}"
        texts.append(Text(columns(detail, yen(line.amount))))
    return texts


def receipt_document(payment: Payment, reissue: bool = False, voided: Payment | None = None) -> Document:
    """The 領収書 for a payment; a reprint is marked 再発行 and never opens the drawer. A reprint
    of a voided payment (`voided` is its 取消 record) is marked 取消済 and says what was voided
    and when, instead of acknowledging the money."""
    city = get_municipality()
    number = payment.receipt_no
    doc = Document()
    if payment.in_cash and not reissue:
        doc.add(DrawerKick(pin=2))
    doc.add(Text(city.name if city else "", bold=True, width=2, height=2, align="center"),
            Feed(1),
            Text("領　収　書", bold=True, width=2, height=2, align="center"))
    if reissue:
        doc.add(Text("【再発行】", bold=True, align="center"))
    if voided is not None:
        doc.add(Text("【取消済】", bold=True, width=2, height=2, align="center"))
    if payment.addressee:
        doc.add(Feed(1), Text(addressee_line(payment.addressee), bold=True))
    doc.add(Feed(1),
            Text(f"{wareki(payment.paid_at.date())} {payment.paid_at:%H:%M}"),
            Text(f"領収番号 {number}"),
            Rule("-"),
            *_line_texts(payment),
            Rule("-"),
            Text(columns("合計", yen(payment.total)), bold=True))
    if payment.in_cash:
        doc.add(Text(columns("お預かり", yen(payment.received))),
                Text(columns("お釣り", yen(payment.change))))
    else:
        doc.add(Text(columns("お支払方法", payment.method.label)))
    doc.add(Rule("-"), *(_voided_texts(voided) if voided is not None else [Text("上記の金額を領収しました。")]),
            Text(TAX_NOTE),
            Text(f"取扱者 {payment.cashier.display_name}"))
    doc.add(Feed(2), Cut())
    return doc


def _voided_texts(reversal: Payment) -> list[Text]:
    """What a voided receipt says in place of 「上記の金額を領収しました」."""
    return [Text("この領収は取り消されています。"),
            Text(f"取消日時 {wareki(reversal.paid_at.date())} {reversal.paid_at:%H:%M}"),
            Text(columns("取消額", yen(-reversal.total))),
            Text(fit(f"理由 {reversal.reason}"))]


def void_document(reversal: Payment) -> Document:
    """The slip for a void (取消): what was reversed, the refund, the reason and the approver."""
    original = reversal.reverses
    assert original is not None  # a void always reverses a payment (CHECK constraint)
    city = get_municipality()
    doc = Document()
    if reversal.in_cash:
        doc.add(DrawerKick(pin=2))
    doc.add(Text(city.name if city else "", bold=True, align="center"),
            Text("領収取消（返金）", bold=True, width=2, height=2, align="center"),
            Feed(1),
            Text(f"{wareki(reversal.paid_at.date())} {reversal.paid_at:%H:%M}"),
            Text(f"取消対象 領収番号 {original.receipt_no}"),
            Rule("-"),
            *_line_texts(reversal),
            Rule("-"),
            Text(columns("返金額", yen(-reversal.total)), bold=True),
            Text(columns("返金方法", reversal.method.label)),
            Text(fit(f"理由 {reversal.reason}")),
            Text(f"取扱者 {reversal.cashier.display_name}"),
            Text(f"承認者 {reversal.approved_by.display_name if reversal.approved_by else ''}"),
            Feed(2), Cut())
    return doc


def _enqueue(terminal: Terminal, doc: Document, summary: str, payment: Payment, by: User | None) -> DeviceJob:
    try:
        return jobs.enqueue(terminal, jobs.JobSpec(PRINTER, JobKind.print, {"document": doc.to_dict()}, summary,
                                                   "payment", payment.id), by=by)
    except jobs.JobError as exc:
        raise PrintError(exc.message) from exc


def print_receipt(payment: Payment, terminal: Terminal, by: User | None = None,
                  reissue: bool = False) -> DeviceJob:
    """Queue the receipt on the register's printer. The job row commits with the payment, so
    the agent prints it only once the payment is committed."""
    number = payment.receipt_no
    voided = void_of(payment)
    voided_mark = "（取消済）" if voided is not None else ""
    marks = ("（再発行）" if reissue else "") + voided_mark
    job = _enqueue(terminal, receipt_document(payment, reissue, voided),
                   f"領収書{marks} {number} {yen(payment.total)}", payment, by)
    if reissue:
        audit.record("print", "payment", payment.id, f"領収書再発行{voided_mark} {number}（ジョブ{job.id}）", by=by)
    return job


def print_void(reversal: Payment, terminal: Terminal, by: User | None = None) -> DeviceJob:
    original = reversal.reverses
    number = original.receipt_no if original else ""
    return _enqueue(terminal, void_document(reversal), f"領収取消 {number} {yen(-reversal.total)}", reversal, by)


def print_job(payment: Payment) -> DeviceJob | None:
    """The newest print job of a payment: its receipt (or reprint), or a void's slip."""
    return jobs.latest_for("payment", payment.id, JobKind.print)
