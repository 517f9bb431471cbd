"""The 業務計画書 (000 §10: 時期「契約締結後１週間以内 以後、２カ月ごと」, 内容「２カ月間の業務実施
計画」; issue 20 §1): one plan per two-month period, made from a template whose sections are
data — staffing and counters with hours (from the stored roster of app/reports/roster_plan.py
where it exists, else the proposal), the expected demand by weekday and hour from past tickets
(app/reports/roster.py `demand`), training, improvement actions, and free text per section —
with the previous plan's results beside it (actual tickets, waits and cases per procedure of the
previous period against what that plan expected). 作成中 → 提出済 → 承認済 or 差戻し (the city's
staff decide); every step is kept in the plan's history and audited.

Our choices (000 §10 names neither a day nor the periods): the periods start on the odd months
(1・2月, 3・4月, …), and a period's plan is due by the 25th of the month before it, rolled to the
next office day like the roster (app/reports/due.py). The first plan, "within a week of the
contract", is not modelled apart: a deployment makes it as the plan of its first period.
"""

from __future__ import annotations

import unicodedata
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Programme, Role, User
from app.core.calendar import WEEKDAYS_JA
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.reports import roster, roster_plan, sections
from app.reports.due import ROSTER_DAY, first_of_month, next_month, previous_month, roll_to_office_day
from app.reports.models import WorkPlan, WorkPlanEvent, WorkPlanState
from app.reports.monthly import ReportRefused, parse_month
from app.reports.roster_document import POSTS
from app.web.paging import Page, paged

SUBJECT = "reports_work_plan"
MAKERS = (Role.supervisor, Role.admin)
DECIDERS = (Role.city_staff, Role.admin)
TEXT_LIMIT = 2000
#: the template's sections, in the order of the plan (key, heading)
SECTIONS = (("staffing", "実施体制（窓口・従事者・時間）"), ("demand", "来庁見込み（曜日・時間帯別）"),
            ("training", "研修計画"), ("improvement", "業務改善の取組"), ("other", "その他"))
HEADINGS = dict(SECTIONS)
REQUIRED = ("staffing", "training", "improvement")  # a plan is not submitted without them


# --- periods and the due day ------------------------------------------------------------------

def period_start(month: date) -> date:
    """The first month of the period holding `month` (periods start on odd months: our choice)."""
    month = first_of_month(month)
    return month if month.month % 2 == 1 else previous_month(month)


def months_of(starts: date) -> tuple[date, date]:
    return starts, next_month(starts)


def period_of(starts: date) -> sections.Period:
    return sections.Period(starts, next_month(next_month(starts)) - timedelta(days=1))


def plan_due(starts: date) -> date:
    """Due by the 25th of the month before the period (000 §10 names no day: our choice), rolled
    to the next regular office day like the roster."""
    return roll_to_office_day(previous_month(starts).replace(day=ROSTER_DAY))


def previous_start(starts: date) -> date:
    return previous_month(previous_month(starts))


def next_start(day: date | None = None) -> date:
    """The period whose plan is to be made next: the one after today's."""
    return next_month(next_month(period_start(day or today())))


def parse_period(text: str, field: str = "starts") -> date:
    """A period named by its first month (YYYY-MM, full-width too); an even month is refused."""
    month = parse_month(unicodedata.normalize("NFKC", text or ""), field)
    if month.month % 2 == 0:
        raise ReportRefused("計画期間は奇数月から始まる2か月です（例：2027-01 は1月・2月）。", field)
    return month


# --- reading ----------------------------------------------------------------------------------

def get(plan_id: int) -> WorkPlan | None:
    return db.session.get(WorkPlan, plan_id)


def for_period(starts: date) -> WorkPlan | None:
    return db.session.scalar(select(WorkPlan).where(WorkPlan.starts == starts))


def plans(page: int = 1) -> Page[WorkPlan]:
    return paged(select(WorkPlan).order_by(WorkPlan.starts.desc()), page)


def previous_of(plan: WorkPlan) -> WorkPlan | None:
    return for_period(previous_start(plan.starts))


def may_make(by: User) -> bool:
    return by.role in MAKERS


def may_edit(plan: WorkPlan, by: User) -> bool:
    return may_make(by) and plan.state in (WorkPlanState.draft, WorkPlanState.returned)


def may_decide(plan: WorkPlan, by: User) -> bool:
    return by.role in DECIDERS and plan.state == WorkPlanState.submitted


# --- the template -----------------------------------------------------------------------------

def _staffing(starts: date) -> dict[str, Any]:
    """Who works which counter how many days, per month: the stored roster where it exists."""
    rows, sources = [], []
    for month in months_of(starts):
        stored = roster_plan.for_month(month)
        shown = roster_plan.stored(stored) if stored else roster.build(month)
        source = f"勤務割当表（{stored.state.label}）" if stored else "従事者名簿からの案"
        sources.append(f"{month.month}月：{source}")
        days: Tally[tuple[str, str]] = Tally()
        hours: dict[tuple[str, str], set[str]] = {}
        for day in shown.days:
            for s in day.shifts:
                days[(s.name, s.counter)] += 1
                hours.setdefault((s.name, s.counter), set()).add(f"{s.starts:%H:%M}〜{s.ends:%H:%M}")
        rows += [[f"{month.month}月", name, counter, f"{n}日", "・".join(sorted(hours[(name, counter)]))]
                 for (name, counter), n in sorted(days.items())]
    return {"headers": ["月", "従事者", "窓口", "日数", "時間"], "rows": rows, "source": "、".join(sources)}


def _demand(starts: date) -> tuple[dict[str, Any], float]:
    """The expected tickets per weekday and hour (the roster's demand: the eight weeks before the
    period), and the tickets the period's office days are expected to bring."""
    expected, minutes = roster.demand(starts)
    rows = [[WEEKDAYS_JA[wd], f"{h}:00〜{h + 1}:00", f"{n:.1f}"] for (wd, h), n in sorted(expected.items())]
    days = roster.office_days(starts) + roster.office_days(next_month(starts))
    total = sum(float(n) for day, _hours in days for (wd, _h), n in expected.items() if wd == day.weekday())
    return {"headers": ["曜日", "時間帯", "来庁見込み（枚/時）"], "rows": rows,
            "source": f"過去{roster.DEMAND_WEEKS}週間の番号札（平均対応時間 {minutes:.1f}分）"}, round(float(total), 1)


def _training(starts: date) -> dict[str, Any]:
    people = roster.people_of(starts)
    rows = [[p.name, POSTS.get(p.post, p.post), "提出済" if p.pledged else "未提出",
             "受講済" if p.trained else "未受講（期間中に実施）"] for p in people]
    return {"headers": ["氏名", "区分", "誓約書", "研修"], "rows": rows, "source": "従事者名簿"}


def template(starts: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sections of a new plan (tables as made, empty text) and what it expects."""
    demand, tickets = _demand(starts)
    tables = {"staffing": _staffing(starts), "demand": demand, "training": _training(starts)}
    made = {key: {**tables.get(key, {"headers": [], "rows": [], "source": ""}), "text": ""} for key, _ in SECTIONS}
    return made, {"tickets": tickets, "target_wait": None}


# --- the previous plan's results --------------------------------------------------------------

@dataclass(frozen=True)
class Results:
    label: str
    plan: WorkPlan | None
    rows: list[list[str]]  # 指標, 計画, 実績
    procedures: list[list[str]]  # 手続, 件数


def _figure(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"


def results(plan: WorkPlan) -> Results:
    """The previous period as it went (tickets, waits, cases per procedure from the queue's and
    the cases' data) against what the previous plan expected (none when there was no plan)."""
    starts = previous_start(plan.starts)
    period = period_of(starts)
    queue = sections.queue_section(period).figures
    cases = sections.cases_section(period).figures
    previous = for_period(starts)
    expected = previous.expected if previous else {}
    label = f"{starts.year}年{starts.month}月・{starts.month % 12 + 1}月"
    rows = [["番号札の発券数", _figure(expected.get("tickets"), "枚"), _figure(queue["tickets"], "枚")],
            ["平均待ち時間", _figure(expected.get("target_wait"), "分"), _figure(queue["avg_wait"], "分")],
            ["90%の待ち時間", "—", _figure(queue["p90_wait"], "分")],
            ["平均対応時間", "—", _figure(queue["avg_service"], "分")],
            ["受付した案件", "—", _figure(cases["cases"], "件")]]
    procedures = [[name, f"{n:,}件"] for name, n in cases["by_procedure"].items()]
    return Results(label, previous, rows, procedures)


# --- the steps --------------------------------------------------------------------------------

def _step(plan: WorkPlan, action: str, by: User, note: str = "") -> None:
    plan.events.append(WorkPlanEvent(action=action, by_id=by.id, note=note, at=now()))
    db.session.flush()
    audit.record("update", SUBJECT, plan.id, f"業務計画書（{plan.label}）：{action}", by=by,
                 programme=Programme.counter)


def create(starts: date, *, by: User) -> WorkPlan:
    if not may_make(by):
        raise ReportRefused("業務計画書を作成できるのは統括責任者・管理者です。")
    if for_period(starts) is not None:
        raise ReportRefused(f"{starts.year}年{starts.month}月からの業務計画書はすでに作成されています。", "starts")
    made, expected = template(starts)
    plan = WorkPlan(starts=starts, due_on=plan_due(starts), sections=made, expected=expected, created_by_id=by.id)
    db.session.add(plan)
    db.session.flush()
    _step(plan, "ひな形から作成", by)
    return plan


@dataclass(frozen=True)
class PlanInput:
    target_wait: str = ""
    staffing: str = ""
    demand: str = ""
    training: str = ""
    improvement: str = ""
    other: str = ""


def _target(text: str, problems: list[Problem]) -> float | None:
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 240:
        problems.append(Problem("target_wait", "目標平均待ち時間は1〜240の数（分）で入力してください。"))
        return None
    return number


def save(plan: WorkPlan, data: PlanInput, *, by: User) -> None:
    """The contractor's text per section and the target wait; every problem at once."""
    if not may_edit(plan, by):
        raise ReportRefused("作成中か差戻しの業務計画書だけを統括責任者・管理者が編集できます。")
    problems: list[Problem] = []
    target = _target(data.target_wait, problems)
    for key, heading in SECTIONS:
        if len(getattr(data, key)) > TEXT_LIMIT:
            problems.append(Problem(key, f"{heading}は{TEXT_LIMIT}文字以内で入力してください。"))
    if problems:
        raise ReportRefused.of(problems)
    plan.sections = {key: {**plan.sections.get(key, {}), "text": getattr(data, key).strip()} for key, _ in SECTIONS}
    plan.expected = {**plan.expected, "target_wait": target}
    _step(plan, "保存", by)


def submit(plan: WorkPlan, *, by: User) -> None:
    """To the city (000 §10); refused while a required section has no text."""
    if not may_edit(plan, by):
        raise ReportRefused("作成中か差戻しの業務計画書だけを統括責任者・管理者が提出できます。")
    empty = [HEADINGS[key] for key in REQUIRED if not plan.sections.get(key, {}).get("text")]
    if empty:
        raise ReportRefused(f"記入されていない項目があります：{'、'.join(empty)}。")
    plan.state = WorkPlanState.submitted
    _step(plan, "市へ提出" + ("（期限後）" if today() > plan.due_on else ""), by)


@dataclass(frozen=True)
class DecisionInput:
    note: str = ""


def decide(plan: WorkPlan, data: DecisionInput, approve: bool, *, by: User) -> None:
    """The city approves, or returns the plan with the reason (a return needs one)."""
    problems: list[Problem] = []
    if not may_decide(plan, by):
        problems.append(Problem("", "提出済の業務計画書だけを市の職員が承認・差戻しできます。"))
    note = data.note.strip()
    if not approve and not note:
        problems.append(Problem("note", "差戻しの理由を入力してください。"))
    if len(note) > TEXT_LIMIT:
        problems.append(Problem("note", f"所見は{TEXT_LIMIT}文字以内で入力してください。"))
    if problems:
        raise ReportRefused.of(problems)
    plan.state = WorkPlanState.approved if approve else WorkPlanState.returned
    _step(plan, "承認" if approve else "差戻し", by, note)


def read(plan: WorkPlan, *, by: User) -> Results:
    """The plan's page (staff names in it): an audited read; the previous plan's results."""
    audit.record("read", SUBJECT, plan.id, f"業務計画書（{plan.label}）", by=by, programme=Programme.counter)
    return results(plan)


def document(plan: WorkPlan, *, by: User) -> bytes:
    from app.reports.work_plan_document import work_plan_pdf

    return work_plan_pdf(plan, read(plan, by=by))
