"""引継ぎ (handover) to city staff (issue 21): work the contractor may not finish itself because
the judgement is the city's (000 §7(2): city staff review and decide; 000 §6(11)–(13) 「委託者職員
への引継ぎ」). What, why, for which case or person, handed over when and by whom; answered when,
how and by whom. City staff answer from their home page's work list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.refusal import Problem, Refusal
from app.counter.models import Case
from app.counter.monthly.models import AnswerMethod, Handover
from app.extensions import db
from app.registry.models import Resident
from app.web.paging import Page, paged

SUBJECT = "counter_handover"


class HandoverError(Refusal):
    pass


@dataclass(frozen=True)
class HandoverInput:
    what: str = ""
    reason: str = ""
    case_id: int | None = None
    resident_id: int | None = None


@dataclass(frozen=True)
class AnswerInput:
    answer_method: str = ""
    answer: str = ""


def hand_over(data: HandoverInput, *, by: User) -> Handover:
    problems = []
    if not data.what.strip():
        problems.append(Problem("what", "引き継ぐ内容を入力してください。"))
    if not data.reason.strip():
        problems.append(Problem("reason", "市職員の判断が必要な理由を入力してください。"))
    if data.case_id is not None and db.session.get(Case, data.case_id) is None:
        problems.append(Problem("case_id", f"受付番号 {data.case_id} の案件はありません。"))
    if data.resident_id is not None and db.session.get(Resident, data.resident_id) is None:
        problems.append(Problem("resident_id", f"住民番号 {data.resident_id} の住民記録はありません。"))
    if problems:
        raise HandoverError.of(problems)
    handover = Handover(what=data.what.strip()[:200], reason=data.reason.strip(), case_id=data.case_id,
                        resident_id=data.resident_id, handed_by_id=by.id)
    db.session.add(handover)
    db.session.flush()
    audit.record("create", SUBJECT, handover.id, f"市職員へ引継ぎ：{handover.what}", by=by)
    return handover


def answer(handover: Handover, data: AnswerInput, *, by: User) -> None:
    problems = []
    if handover.answered_at is not None:
        problems.append(Problem("", "この引継ぎには回答済です。"))
    if not AnswerMethod.has(data.answer_method):
        problems.append(Problem("answer_method", "回答の方法を一覧から選んでください。"))
    if not data.answer.strip():
        problems.append(Problem("answer", "回答の内容を入力してください。"))
    if problems:
        raise HandoverError.of(problems)
    handover.answered_at, handover.answered_by_id = now(), by.id
    handover.answer_method, handover.answer = AnswerMethod(data.answer_method), data.answer.strip()
    audit.record("update", SUBJECT, handover.id, f"引継ぎに回答（{handover.answer_method.label}）", by=by)
    db.session.flush()


def get(handover_id: int) -> Handover | None:
    return db.session.get(Handover, handover_id)


def _open() -> Select[tuple[Handover]]:
    return select(Handover).where(Handover.answered_at.is_(None))


def open_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(_open().subquery())) or 0)


def page_of(which: str, page: int) -> Page[Handover]:
    """`open`: waiting for an answer, oldest first; `answered`: the latest answers first."""
    query = _open().order_by(Handover.handed_at, Handover.id) if which == "open" else (
        select(Handover).where(Handover.answered_at.is_not(None)).order_by(Handover.answered_at.desc()))
    return paged(query, page)
