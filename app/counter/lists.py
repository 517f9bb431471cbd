"""Work lists, search and time in state: what the counter and city staff see of many cases.
Lists show requesters' names, so showing one is an audited read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, or_, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now, today
from app.counter import workflow
from app.counter.models import Case, CaseState, Procedure, Visit
from app.extensions import db

LIST_LIMIT = 200
WORK_LISTS = {"mine": "自分の案件", "review": "審査待ち", "returned": "差戻し", "today": "本日の案件",
              "search": "検索"}


def time_in_states(case: Case, until: datetime | None = None) -> dict[str, timedelta]:
    """How long the case spent in each state, from its state-change events (feeds reports)."""
    spent: dict[str, timedelta] = defaultdict(timedelta)
    changes = [e for e in case.events if e.from_state != e.to_state]
    for current, following in zip(changes, changes[1:], strict=False):
        spent[current.to_state] += following.at - current.at
    if changes and changes[-1].to_state not in workflow.CLOSED_STATES:
        spent[changes[-1].to_state] += (until or now()) - changes[-1].at
    return dict(spent)


def average_time_in_states(cases: list[Case]) -> dict[str, timedelta]:
    """Mean time per state over closed cases (for the monthly report, 000 §10)."""
    totals: dict[str, timedelta] = defaultdict(timedelta)
    counts: dict[str, int] = defaultdict(int)
    for case in closed(cases):
        for state, spent in time_in_states(case).items():
            totals[state] += spent
            counts[state] += 1
    return {state: totals[state] / counts[state] for state in totals}


def closed(cases: list[Case]) -> list[Case]:
    return [case for case in cases if case.state in workflow.CLOSED_STATES]


def default_list(by: User) -> str:
    """City staff start from the cases waiting for their review, the counter from its own."""
    return "review" if workflow.is_reviewer(by.role) else "mine"


def _cases() -> Select[tuple[Case]]:
    return select(Case).join(Case.procedure).order_by(Case.created_at.desc(), Case.id.desc())


def visit_cases(visit: Visit) -> Select[tuple[Case]]:
    return select(Case).where(Case.visit_id == visit.id).order_by(Case.id)


def my_cases(by: User) -> Select[tuple[Case]]:
    return _cases().where(Case.operator_id == by.id, Case.state.in_(workflow.OPEN_STATES))


def waiting_for_review() -> Select[tuple[Case]]:
    return _cases().where(Case.state.in_(workflow.REVIEW_STATES))


def returned_to(by: User) -> Select[tuple[Case]]:
    return _cases().where(Case.operator_id == by.id, Case.returned.is_(True), Case.state == CaseState.input)


def todays_cases(day: date | None = None) -> Select[tuple[Case]]:
    start = datetime.combine(day or today(), datetime.min.time())
    return _cases().where(Case.created_at >= start, Case.created_at < start + timedelta(days=1))


@dataclass(frozen=True)
class CaseSearch:
    date_from: date | None = None
    date_to: date | None = None
    state: str = ""
    procedure: str = ""
    person: str = ""


def search_cases(f: CaseSearch) -> Select[tuple[Case]]:
    query = _cases()
    if f.date_from:
        query = query.where(Case.created_at >= datetime.combine(f.date_from, datetime.min.time()))
    if f.date_to:
        query = query.where(Case.created_at < datetime.combine(f.date_to + timedelta(days=1), datetime.min.time()))
    if f.state:
        query = query.where(Case.state == f.state)
    if f.procedure:
        query = query.where(Procedure.code == f.procedure)
    if f.person.strip():
        term = f.person.strip()
        query = query.where(or_(Case.requester_name.contains(term, autoescape=True),
                                Case.requester_kana.contains(term, autoescape=True)))
    return query


def work_list(name: str, by: User, search: CaseSearch | None = None) -> Select[tuple[Case]]:
    """The query of one of WORK_LISTS for `by`."""
    if name == "mine":
        return my_cases(by)
    if name == "review":
        return waiting_for_review()
    if name == "returned":
        return returned_to(by)
    if name == "today":
        return todays_cases()
    return search_cases(search or CaseSearch())


def list_cases(query: Select[tuple[Case]], by: User, limit: int = LIST_LIMIT, purpose: str = "案件一覧") -> list[Case]:
    """Lists show requesters' names: one audit row names the cases shown."""
    cases = list(db.session.scalars(query.limit(limit)))
    if cases:
        audit.record("read", "case_list", len(cases), f"{purpose}：" + ", ".join(str(c.id) for c in cases), by=by)
    return cases
