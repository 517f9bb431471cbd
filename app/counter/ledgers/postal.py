"""郵便請求 (000 §6(1)): the register of certificate requests that came by post. Receiving one
opens a counter case (requester kind 郵便請求) that is checked, entered and reviewed like any
other; its fee goes to the register, which takes the enclosed 定額小為替 as the payment method
kept apart from the cash drawer (app/register/models.py PaymentMethod). The change goes back
with the certificate as 定額小為替 or stamps (the city's rule), and the ledger keeps the
mailed-out date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.counter import catalog, visits
from app.counter.ledgers.models import ChangeForm, PostalRequest
from app.counter.ledgers.plates import LedgerError
from app.counter.models import Case, CaseState, Category, Procedure, RequesterKind
from app.extensions import db
from app.register import services as register
from app.register.models import BillState, Payment, PaymentMethod

MAX_COPIES = 20


def postal_procedures() -> list[Procedure]:
    """The certificates a postal request may ask for: those the catalog accepts by post."""
    return [p for p in catalog.list_procedures()
            if p.active and p.category == Category.certificate and RequesterKind.postal in p.applicants]


@dataclass(frozen=True)
class PostalInput:
    received_on: date | None
    requester_name: str
    requester_address: str
    procedure_code: str
    copies: int | None
    money_order_amount: int | None
    money_order_count: int | None
    money_order_numbers: str = ""
    reply_envelope: bool = True
    note: str = ""


def _problems(data: PostalInput, today: date) -> list[Problem]:
    problems = []
    if data.received_on is None or data.received_on > today:
        problems.append(Problem("received_on", "受付日（到着日）を今日までの日付で入力してください。"))
    if not data.requester_name.strip():
        problems.append(Problem("requester_name", "請求者の氏名を入力してください。"))
    if not data.requester_address.strip():
        problems.append(Problem("requester_address", "返送先の住所を入力してください。"))
    if data.procedure_code not in {p.code for p in postal_procedures()}:
        problems.append(Problem("procedure_code", "郵便で請求できる証明書を選んでください。"))
    if data.copies is None or not 1 <= data.copies <= MAX_COPIES:
        problems.append(Problem("copies", f"通数は1〜{MAX_COPIES}通で入力してください。"))
    if data.money_order_amount is None or data.money_order_amount < 0:
        problems.append(Problem("money_order_amount", "定額小為替の額面の合計を入力してください（同封なしは0）。"))
    if data.money_order_count is None or data.money_order_count < 0:
        problems.append(Problem("money_order_count", "定額小為替の枚数を入力してください（同封なしは0）。"))
    elif data.money_order_amount and not data.money_order_count:
        problems.append(Problem("money_order_count", "額面があるときは枚数も入力してください。"))
    return problems


def receive(data: PostalInput, *, today: date, by: User) -> PostalRequest:
    """Enter a mailed request in the register and open its case (郵便請求)."""
    problems = _problems(data, today)
    if problems:
        raise LedgerError.of(problems)
    assert data.received_on is not None and data.copies is not None
    name = " ".join(data.requester_name.split())
    visit = visits.open_visit(name, [data.procedure_code], by)
    case = visit.cases[0]
    case.requester_kind, case.requester_address = RequesterKind.postal, data.requester_address.strip()
    request = PostalRequest(
        received_on=data.received_on, requester_name=name, requester_address=data.requester_address.strip(),
        procedure_code=data.procedure_code, copies=data.copies, money_order_amount=data.money_order_amount or 0,
        money_order_count=data.money_order_count or 0, money_order_numbers=data.money_order_numbers.strip(),
        reply_envelope=data.reply_envelope, note=data.note.strip(), case_id=case.id, created_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    audit.record("create", "postal_request", request.id,
                 f"郵便請求 {name} {case.procedure.name} {data.copies}通 定額小為替{request.money_order_amount:,}円"
                 f"（{request.money_order_count}枚）", by=by)
    return request


def read(request_id: int, *, by: User) -> PostalRequest | None:
    request = db.session.get(PostalRequest, request_id)
    if request is not None:
        audit.record("read", "postal_request", request.id, request.requester_name, by=by)
    return request


def case_of(request: PostalRequest) -> Case | None:
    return db.session.get(Case, request.case_id) if request.case_id else None


def payment_of(request: PostalRequest) -> Payment | None:
    """The register's payment of the request's case fee, if it is paid."""
    bill = register.bill_for_source("case", request.case_id) if request.case_id else None
    if bill is None or bill.state != BillState.paid:
        return None
    return db.session.scalar(select(Payment).where(Payment.bill_id == bill.id, Payment.kind == "payment")
                             .order_by(Payment.id.desc()).limit(1))


def open_query() -> Select[tuple[PostalRequest]]:
    """Requests whose certificate is not mailed yet, oldest first."""
    return (select(PostalRequest).where(PostalRequest.mailed_on.is_(None))
            .order_by(PostalRequest.received_on, PostalRequest.id))


def all_query() -> Select[tuple[PostalRequest]]:
    return select(PostalRequest).order_by(PostalRequest.received_on.desc(), PostalRequest.id.desc())


@dataclass(frozen=True)
class MailingInput:
    mailed_on: date | None
    change_form: str


def record_mailing(request: PostalRequest, data: MailingInput, *, today: date, by: User) -> None:
    """The certificate went out in the reply envelope: the case is done (reviewed, issued and
    paid), and any change goes with it as 定額小為替 or stamps."""
    case = case_of(request)
    payment = payment_of(request)
    problems = []
    if request.mailed_on is not None:
        problems.append(Problem("", f"{request.mailed_on:%Y-%m-%d}に発送済みです。"))
    if case is None or case.state != CaseState.done or payment is None:
        problems.append(Problem("", "証明書の交付と手数料の収納（定額小為替）が済んでから発送してください。"))
    if data.mailed_on is None or (data.mailed_on > today) or data.mailed_on < request.received_on:
        problems.append(Problem("mailed_on", "発送日を受付日から今日までの日付で入力してください。"))
    change = payment.change if payment is not None and payment.method == PaymentMethod.postal_money_order else 0
    if not ChangeForm.has(data.change_form):
        problems.append(Problem("change_form", "おつりの返し方を選んでください。"))
    elif change > 0 and data.change_form == ChangeForm.none:
        problems.append(Problem("change_form", f"おつり{change:,}円を定額小為替か切手で返送してください。"))
    elif change == 0 and data.change_form != ChangeForm.none:
        problems.append(Problem("change_form", "おつりはありません。「なし」を選んでください。"))
    if problems:
        raise LedgerError.of(problems)
    request.mailed_on, request.mailed_by_id = data.mailed_on, by.id
    request.change_amount, request.change_form = change, ChangeForm(data.change_form)
    db.session.flush()
    audit.record("update", "postal_request", request.id,
                 f"発送 {request.mailed_on:%Y-%m-%d}" + (f" おつり{change:,}円（{request.change_form.label}）"
                                                        if change else ""), by=by)
