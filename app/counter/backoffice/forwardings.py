"""進達 (000 §6(11)⑪「窓口業務委託に係る関連業務の資料及び申請書等の受付、委託者への進達」): what
the counter received and forwarded to the city's departments or to other offices, to whom and
when, and the answer. An answer is expected by the day entered (by default
DEFAULT_ANSWER_DAYS after sending: the city's working rule as assumed here, not verified);
those not answered by then are on the overdue list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.counter.backoffice.common import BackofficeError, audited_page, clean, day_between, required
from app.counter.backoffice.models import Destination, Forwarding
from app.extensions import db
from app.web.paging import Page

KIND = "counter_forwarding"
DEFAULT_ANSWER_DAYS = 14


def default_due(sent_on: date) -> date:
    return sent_on + timedelta(days=DEFAULT_ANSWER_DAYS)


@dataclass(frozen=True)
class ForwardingInput:
    what: str
    person_name: str
    destination_kind: str
    destination: str
    sent_on: date | None
    due_on: date | None


def forward(data: ForwardingInput, *, today: date, by: User) -> Forwarding:
    problems = required(data, (("what", "進達する書類・内容"), ("destination", "進達先")))
    if not Destination.has(data.destination_kind):
        problems.append(Problem("destination_kind", "進達先の区分を選んでください。"))
    problems += day_between("sent_on", "進達日", data.sent_on, None, today, "")
    if data.due_on is None:
        problems.append(Problem("due_on", "回答期限を入力してください。"))
    elif data.sent_on is not None and data.due_on < data.sent_on:
        problems.append(Problem("due_on", "回答期限は進達日以降の日付にしてください。"))
    if problems:
        raise BackofficeError.of(problems)
    assert data.sent_on is not None and data.due_on is not None
    item = Forwarding(what=clean(data.what), person_name=clean(data.person_name),
                      destination_kind=Destination(data.destination_kind), destination=clean(data.destination),
                      sent_on=data.sent_on, due_on=data.due_on, sent_by_id=by.id)
    db.session.add(item)
    db.session.flush()
    audit.record("create", KIND, item.id, f"進達 {item.what} → {item.destination}", by=by)
    return item


def read(forwarding_id: int, *, by: User) -> Forwarding | None:
    item = db.session.get(Forwarding, forwarding_id)
    if item is not None:
        audit.record("read", KIND, item.id, f"進達 {item.what}", by=by)
    return item


@dataclass(frozen=True)
class AnswerInput:
    answered_on: date | None
    answer: str


def record_answer(item: Forwarding, data: AnswerInput, *, today: date, by: User) -> None:
    problems = [Problem("", f"この進達には{item.answered_on:%Y-%m-%d}に回答があります。")] if item.answered_on else []
    problems += day_between("answered_on", "回答日", data.answered_on, item.sent_on, today, "進達日")
    problems += required(data, (("answer", "回答の内容"),))
    if problems:
        raise BackofficeError.of(problems)
    item.answered_on, item.answer, item.answered_by_id = data.answered_on, data.answer.strip(), by.id
    db.session.flush()
    audit.record("update", KIND, item.id, f"進達の回答 {item.what} {data.answered_on:%Y-%m-%d}", by=by)


def is_overdue(item: Forwarding, today: date) -> bool:
    """Not answered and the expected day is past: overdue from the day after due_on."""
    return item.answered_on is None and item.due_on < today


def ledger_query() -> Select[tuple[Forwarding]]:
    return select(Forwarding).order_by(Forwarding.sent_on.desc(), Forwarding.id.desc())


def overdue_query(today: date) -> Select[tuple[Forwarding]]:
    return (select(Forwarding).where(Forwarding.answered_on.is_(None), Forwarding.due_on < today)
            .order_by(Forwarding.due_on, Forwarding.id))


def ledger_page(page: int, *, by: User) -> Page[Forwarding]:
    return audited_page(ledger_query(), page, KIND, "進達簿", by=by)


def overdue_page(today: date, page: int, *, by: User) -> Page[Forwarding]:
    return audited_page(overdue_query(today), page, KIND, "回答期限を過ぎた進達", by=by)
