"""The stored 翌月勤務割当表 (000 §10: 業務従事者名簿・翌月勤務割当表, due by the 25th, rolled by
app/reports/due.py): made once from the proposal of app/reports/roster.py, then edited in the
browser — a person placed on or taken off a counter for a day —, checked against the office
calendar (an office day with nobody on a counter) and against the demand (roster.checked), then
submitted to the city.

Who may be placed: a 作業従事者 of the counter's register whose term covers the day, whose
confidentiality pledge is on file and who attended a training (000 別紙 §5: education before the
work, the 誓約書 before handling personal data; article numbers not verified); one counter a day
per person. A shift runs over the day's office hours (a late Monday to its late closing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Programme, User
from app.core import calendar
from app.core.dates import now, today
from app.core.models import Counter
from app.core.refusal import Problem
from app.extensions import db
from app.reports import roster
from app.reports.due import first_of_month, next_month, roster_due
from app.reports.models import RosterPlan, RosterShift, RosterState
from app.reports.monthly import ReportRefused
from app.staff import training
from app.staff.models import Post, StaffEntry

SUBJECT = "reports_roster"
MAKERS = ("supervisor", "admin")


def get(plan_id: int) -> RosterPlan | None:
    return db.session.get(RosterPlan, plan_id)


def for_month(month: date) -> RosterPlan | None:
    return db.session.scalar(select(RosterPlan).where(RosterPlan.month == first_of_month(month)))


def may_edit(plan: RosterPlan | None, by: User) -> bool:
    return by.role in MAKERS and (plan is None or plan.state == RosterState.draft)


def _audit(plan: RosterPlan, what: str, by: User) -> None:
    audit.record("update", SUBJECT, f"{plan.month:%Y-%m}", f"勤務割当表（{plan.label}）：{what}", by=by,
                 programme=Programme.counter)


def create(month: date, *, by: User) -> RosterPlan:
    """Store the proposal of `month` as its roster, to be edited."""
    month = first_of_month(month)
    if by.role not in MAKERS:
        raise ReportRefused("勤務割当表を作成できるのは統括責任者・管理者です。")
    if for_month(month) is not None:
        raise ReportRefused(f"{month.year}年{month.month}月の勤務割当表はすでに作成されています。", "month")
    plan = RosterPlan(month=month, due_on=roster_due(month), created_by_id=by.id)
    for day in roster.build(month).days:
        plan.shifts += [RosterShift(day=day.day, counter_id=s.counter_id, staff_entry_id=s.entry_id,
                                    starts=s.starts, ends=s.ends) for s in day.shifts]
    db.session.add(plan)
    db.session.flush()
    _audit(plan, f"案から作成（{len(plan.shifts)}件の割当）", by)
    return plan


def stored(plan: RosterPlan) -> roster.Roster:
    """The stored roster as the page and the PDF show it: every office day of the month (a day
    without anyone is a gap of the calendar check), the register's people, the demand check."""
    by_day: dict[date, list[roster.Shift]] = {}
    for s in plan.shifts:
        by_day.setdefault(s.day, []).append(roster.Shift(s.staff_entry.name, s.counter.label, s.starts, s.ends,
                                                         s.staff_entry_id, s.counter_id, s.id))
    days = [roster.DayPlan(day, hours, tuple(by_day.get(day, ()))) for day, hours in roster.office_days(plan.month)]
    return roster.checked(roster.Roster(plan.month, plan.due_on, roster.people_of(plan.month), days))


def unstaffed_days(shown: roster.Roster) -> list[date]:
    return [d.day for d in shown.days if not d.shifts]


def read(plan: RosterPlan, *, by: User) -> roster.Roster:
    shown = stored(plan)
    audit.record("read", SUBJECT, f"{plan.month:%Y-%m}", f"勤務割当表（{plan.label}）", by=by,
                 programme=Programme.counter)
    return shown


@dataclass(frozen=True)
class AssignInput:
    day: str = ""
    staff: str = ""
    counter: str = ""


def _qualification(entry: StaffEntry, day: date) -> list[str]:
    lacks = []
    if entry.post != Post.worker:
        lacks.append("作業従事者ではありません")
    if not entry.current(day):
        lacks.append("この日は従事期間外です")
    if not entry.pledged:
        lacks.append("秘密保持の誓約書が未提出です")
    if not training.attended(entry):
        lacks.append("研修が未受講です")
    return lacks


def _day_of(plan: RosterPlan, text: str, problems: list[Problem]) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        problems.append(Problem("day", "日付を選んでください。"))
        return None
    if not plan.month <= day < next_month(plan.month):
        problems.append(Problem("day", f"{plan.label}の日を選んでください。"))
    elif calendar.office_hours(day) is None:
        problems.append(Problem("day", f"{day:%-m月%-d日}は閉庁日です。"))
    else:
        return day
    return None


def _row(model: type, text: str, field: str, what: str, problems: list[Problem]):  # type: ignore[no-untyped-def]
    row = db.session.get(model, int(text)) if text.strip().isdigit() else None
    if row is None:
        problems.append(Problem(field, f"{what}を選んでください。"))
    return row


def assign(plan: RosterPlan, data: AssignInput, *, by: User) -> RosterShift:
    """Place one person on one counter for one day; every problem is named at once."""
    if not may_edit(plan, by):
        raise ReportRefused("作成中の勤務割当表だけを統括責任者・管理者が編集できます。")
    problems: list[Problem] = []
    day = _day_of(plan, data.day, problems)
    entry = _row(StaffEntry, data.staff, "staff", "従事者", problems)
    counter = _row(Counter, data.counter, "counter", "窓口", problems)
    if entry is not None and entry.programme != Programme.counter:
        problems.append(Problem("staff", "窓口業務の従事者名簿の人を選んでください。"))
    elif entry is not None and day is not None:
        if lacks := _qualification(entry, day):
            problems.append(Problem("staff", f"{entry.name}さんは配置できません（{'、'.join(lacks)}）。"))
        elif any(s.day == day and s.staff_entry_id == entry.id for s in plan.shifts):
            problems.append(Problem("staff", f"{entry.name}さんは{day:%-m月%-d日}にすでに配置されています。"))
    if problems:
        raise ReportRefused.of(problems)
    assert day is not None and entry is not None and counter is not None
    hours = calendar.office_hours(day)
    assert hours is not None
    shift = RosterShift(day=day, counter_id=counter.id, staff_entry_id=entry.id, starts=hours.opens, ends=hours.closes)
    plan.shifts.append(shift)
    db.session.flush()
    _audit(plan, f"{day:%-m月%-d日} {counter.label}に{entry.name}を配置", by)
    return shift


def unassign(plan: RosterPlan, shift_id: int, *, by: User) -> None:
    if not may_edit(plan, by):
        raise ReportRefused("作成中の勤務割当表だけを統括責任者・管理者が編集できます。")
    shift = next((s for s in plan.shifts if s.id == shift_id), None)
    if shift is None:
        raise ReportRefused("その割当はこの勤務割当表にありません。")
    what = f"{shift.day:%-m月%-d日} {shift.counter.label}の{shift.staff_entry.name}を外す"
    plan.shifts.remove(shift)
    db.session.flush()
    _audit(plan, what, by)


def submit(plan: RosterPlan, *, by: User) -> None:
    """To the city (000 §10, by the 25th rolled); a roster that leaves an office day with nobody
    at a counter is refused, a shortfall against the demand is only shown."""
    if not may_edit(plan, by):
        raise ReportRefused("作成中の勤務割当表だけを統括責任者・管理者が提出できます。")
    if empty := unstaffed_days(stored(plan)):
        listed = "、".join(f"{d:%-m月%-d日}" for d in empty)
        raise ReportRefused(f"窓口に誰も配置されていない開庁日があります：{listed}。")
    plan.state, plan.submitted_at, plan.submitted_by_id = RosterState.submitted, now(), by.id
    _audit(plan, "市へ提出" + ("（期限後）" if today() > plan.due_on else ""), by)


def placeable(plan: RosterPlan) -> list[roster.Person]:
    """The people the page offers to place (the service checks again on each day)."""
    return [p for p in roster.people_of(plan.month) if p.on_counter]


def counters() -> list[Counter]:
    return list(db.session.scalars(select(Counter).order_by(Counter.number)))


def document(plan: RosterPlan, *, by: User) -> bytes:
    """The PDF a city files; reading it is audited like the page."""
    from app.reports.roster_document import roster_pdf

    return roster_pdf(plan, read(plan, by=by))
