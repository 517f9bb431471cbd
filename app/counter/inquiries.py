"""Inquiries at the window and by phone, and complaints (000 §6(15)② 窓口及び電話での問い合わせ
対応; §14 and 別紙: complaints handled and answered). Every inquiry is recorded with when, the
channel, the category, the procedure of the catalog it is about, what was answered, whether it
was handed to city staff and the minutes it took; the list is searchable and pages, and the
monthly report counts it (`inquiry_summary`). Incidents are the staff domain's log
(app/staff/incidents.py): `inquiry_summary` counts them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.auth import audit
from app.auth.models import Programme, Role, User
from app.core.dates import now
from app.core.refusal import Problem
from app.counter import catalog
from app.counter.cases import CaseError
from app.counter.inquiry_models import Inquiry, InquiryChannel, InquiryKind
from app.counter.models import Category
from app.extensions import db
from app.staff.models import Incident
from app.web.paging import Page, paged

MAX_MINUTES = 600


@dataclass(frozen=True)
class InquiryInput:
    kind: str
    channel: str
    received_at: datetime | None
    category: str
    procedure_code: str
    question: str
    answer: str
    handling: str
    handed_to_city: bool
    handed_to: str
    minutes: int | None


def may_record(user: User) -> bool:
    return user.role in (Role.operator, Role.supervisor)


def _problems(data: InquiryInput) -> list[Problem]:
    problems = []
    if not InquiryKind.has(data.kind):
        problems.append(Problem("kind", "問い合わせか苦情かを選んでください。"))
    if not InquiryChannel.has(data.channel):
        problems.append(Problem("channel", "受付方法（窓口・電話）を選んでください。"))
    if data.received_at is None:
        problems.append(Problem("received_at", "受付日時を入力してください。"))
    elif data.received_at > now() + timedelta(minutes=1):
        problems.append(Problem("received_at", "受付日時に未来の日時は入力できません。"))
    if not Category.has(data.category):
        problems.append(Problem("category", "分類を選んでください。"))
    procedure = catalog.get_procedure(data.procedure_code) if data.procedure_code else None
    if data.procedure_code and procedure is None:
        problems.append(Problem("procedure_code", "手続一覧にない手続です。"))
    elif procedure is not None and Category.has(data.category) and procedure.category != data.category:
        problems.append(Problem("procedure_code", f"この手続の分類は「{procedure.category.label}」です。"))
    if not data.question.strip():
        problems.append(Problem("question", "問い合わせ・苦情の内容を入力してください。"))
    if data.kind == InquiryKind.inquiry and not data.answer.strip() and not data.handed_to_city:
        problems.append(Problem("answer", "回答した内容を入力してください"
                                          "（市職員へ引き継いだ場合はその旨を選んでください）。"))
    if data.handed_to_city and not data.handed_to.strip():
        problems.append(Problem("handed_to", "引き継いだ市の担当（課・職員）を入力してください。"))
    if data.minutes is None or not 1 <= data.minutes <= MAX_MINUTES:
        problems.append(Problem("minutes", f"対応時間を1〜{MAX_MINUTES}分で入力してください。"))
    return problems


def record(data: InquiryInput, *, by: User) -> Inquiry:
    """Record an inquiry (answered at once, or handed to city staff) or a complaint (open
    until its answer is recorded, unless it is given now)."""
    if not may_record(by):
        raise CaseError("問い合わせを記録できるのは窓口の職員です。")
    if problems := _problems(data):
        raise CaseError.of(problems)
    assert data.received_at is not None and data.minutes is not None
    procedure = catalog.get_procedure(data.procedure_code) if data.procedure_code else None
    inquiry = Inquiry(kind=InquiryKind(data.kind), channel=InquiryChannel(data.channel), received_at=data.received_at,
                      category=Category(data.category), procedure=procedure, question=data.question.strip(),
                      answer=data.answer.strip(), handling=data.handling.strip(), handed_to_city=data.handed_to_city,
                      handed_to=data.handed_to.strip(), minutes=data.minutes, recorded_by_id=by.id)
    closed = data.kind == InquiryKind.inquiry or bool(data.answer.strip())
    inquiry.answered_at = now() if closed else None
    db.session.add(inquiry)
    db.session.flush()
    audit.record("create", "counter_inquiry", inquiry.id, f"{inquiry.kind.label}（{inquiry.channel.label}）"
                 f" {inquiry.category.label}", by=by)
    return inquiry


def answer_complaint(inquiry: Inquiry, handling: str, answer: str, *, by: User) -> None:
    """A complaint's handling and the answer given: it is closed."""
    if not may_record(by):
        raise CaseError("苦情の対応を記録できるのは窓口の職員です。")
    if not inquiry.is_open:
        raise CaseError("この苦情はすでに回答済みです。")
    problems = [Problem(name, f"{label}を入力してください。") for name, value, label in
                (("handling", handling, "対応の経過"), ("answer", answer, "回答した内容")) if not value.strip()]
    if problems:
        raise CaseError.of(problems)
    inquiry.handling, inquiry.answer, inquiry.answered_at = handling.strip(), answer.strip(), now()
    audit.record("update", "counter_inquiry", inquiry.id, "苦情の対応・回答を記録", by=by)


def get_inquiry(inquiry_id: int, *, by: User) -> Inquiry | None:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is not None:
        audit.record("read", "counter_inquiry", inquiry.id, inquiry.kind.label, by=by)
    return inquiry


@dataclass(frozen=True)
class InquirySearch:
    text: str = ""
    kind: str = ""
    channel: str = ""
    category: str = ""
    first: date | None = None
    last: date | None = None
    open_only: bool = False


def search(criteria: InquirySearch, page: int = 1, *, by: User) -> Page[Inquiry]:
    """Newest first; the text is looked for in the question, the answer and the handling."""
    query = select(Inquiry)
    if criteria.text.strip():
        like = f"%{criteria.text.strip()}%"
        query = query.where(or_(Inquiry.question.like(like), Inquiry.answer.like(like), Inquiry.handling.like(like)))
    for column, value, enum in ((Inquiry.kind, criteria.kind, InquiryKind), (Inquiry.channel, criteria.channel,
                                InquiryChannel), (Inquiry.category, criteria.category, Category)):
        if enum.has(value):
            query = query.where(column == value)
    if criteria.first:
        query = query.where(Inquiry.received_at >= datetime.combine(criteria.first, time()))
    if criteria.last:
        query = query.where(Inquiry.received_at < datetime.combine(criteria.last + timedelta(days=1), time()))
    if criteria.open_only:
        query = query.where(Inquiry.answered_at.is_(None))
    result = paged(query.order_by(Inquiry.received_at.desc(), Inquiry.id.desc()), page)
    if result.rows:
        audit.record("read", "counter_inquiry", len(result.rows), "問い合わせ一覧 表示: "
                     + ", ".join(str(i.id) for i in result.rows), by=by)
    return result


def open_complaints() -> int:
    return db.session.scalar(select(func.count()).select_from(Inquiry).where(
        Inquiry.kind == InquiryKind.complaint, Inquiry.answered_at.is_(None))) or 0


def inquiry_summary(session: Session, first_day: date, last_day: date) -> dict[str, Any]:
    """The month's counts for the monthly report (issue 20 §1 "inquiries and complaints,
    incidents"): inquiries and complaints received in [first_day, last_day] by channel and by
    category, those handed to city staff, complaints still open, the average minutes, and the
    counter's incidents that occurred in the period (from the staff domain's log)."""
    start = datetime.combine(first_day, time())
    end = datetime.combine(last_day + timedelta(days=1), time())
    period = (Inquiry.received_at >= start, Inquiry.received_at < end)

    def grouped(column: Any) -> dict[str, int]:
        return {str(k): int(n) for k, n in session.execute(
            select(column, func.count()).where(*period).group_by(column)).all()}

    by_kind = grouped(Inquiry.kind)
    minutes = session.scalar(select(func.coalesce(func.sum(Inquiry.minutes), 0)).where(*period)) or 0
    total = sum(by_kind.values())
    return {
        "inquiries": by_kind.get(InquiryKind.inquiry.value, 0),
        "complaints": by_kind.get(InquiryKind.complaint.value, 0),
        "by_channel": grouped(Inquiry.channel),
        "by_category": grouped(Inquiry.category),
        "handed_to_city": session.scalar(select(func.count()).select_from(Inquiry).where(
            *period, Inquiry.handed_to_city.is_(True))) or 0,
        "complaints_open": session.scalar(select(func.count()).select_from(Inquiry).where(
            *period, Inquiry.kind == InquiryKind.complaint, Inquiry.answered_at.is_(None))) or 0,
        "minutes_total": int(minutes),
        "average_minutes": round(minutes / total, 1) if total else 0.0,
        "incidents": session.scalar(select(func.count()).select_from(Incident).where(
            Incident.programme == Programme.counter, Incident.occurred_at >= start, Incident.occurred_at < end)) or 0,
    }
