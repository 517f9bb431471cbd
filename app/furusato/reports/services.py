"""業務報告書 (004 §10(1)): made on the 1st of each month for exactly the previous month by a
periodic task, or on demand (a task with a progress bar); drafted, submitted to the city and
inspected (検査) by it. The inspected report is the basis of the month's invoice (§13).

The report holds figures only (no personal data), so its PDF and CSV are kept on its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from huey import crontab
from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato.reports import document
from app.furusato.reports.models import MonthlyReport, ReportState, StrategyMeeting
from app.furusato.reports.sections import SECTIONS, Scope
from app.tasks import services as tasks
from app.tasks.engine import periodic
from app.tasks.models import Task
from app.web.paging import Page, paged

KIND = "furusato.monthly_report"
SUBJECT = "furusato_monthly_report"


class ReportRefused(Refusal):
    pass


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    """The month a report made on `day` covers: the one before `day`'s month."""
    return first_of_month(first_of_month(day) - timedelta(days=1))


def month_scope(month: date) -> Scope:
    """Exactly the calendar month: its first day up to (not including) the next month's."""
    return Scope(month, next_month(month))


def parse_month(text: str) -> date | None:
    """'2026-11' (or 2026/11) as the first day of that month; None if it is not one."""
    parts = text.strip().replace("/", "-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def get(report_id: int) -> MonthlyReport | None:
    return db.session.get(MonthlyReport, report_id)


def of_month(month: date) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))


def reports(page: int = 1) -> Page[MonthlyReport]:
    return paged(select(MonthlyReport).order_by(MonthlyReport.month.desc()), page)


def task_of(report: MonthlyReport) -> Task | None:
    return db.session.get(Task, report.task_id) if report.task_id else None


def _submit(report: MonthlyReport, by: User | None) -> Task:
    task = tasks.submit(KIND, {"report_id": report.id}, by=by, subject_type=SUBJECT, subject_id=report.id,
                        title=f"業務報告書（{report.label}）の作成")
    report.task_id = task.id
    return task


def request(month: date | None, *, by: User | None, queue: bool = True) -> MonthlyReport:
    """Ask for the report of `month`: a new one, or the draft made again (a submitted or
    inspected report is not changed). Its task is queued when the caller's transaction commits."""
    if month is None:
        raise ReportRefused("対象の月を「2026-11」の形で入力してください。", "month")
    if month >= first_of_month(today()):
        raise ReportRefused("業務報告書は、終わった月についてだけ作成できます。", "month")
    report = of_month(month)
    if report is not None and report.state in (ReportState.submitted, ReportState.inspected):
        raise ReportRefused(f"{report.label}の業務報告書は{report.state.label}のため、作り直せません。", "month")
    if report is None:
        report = MonthlyReport(month=month, created_by_id=by.id if by else None)
        db.session.add(report)
    report.state = ReportState.making
    db.session.flush()
    if queue:
        _submit(report, by)
    audit.record("create", SUBJECT, report.id, f"業務報告書（{report.label}）の作成を開始", by=by,
                 username=None if by else "(system)")
    return report


def generate(report_id: int, progress: Any = None) -> MonthlyReport:
    """Compute every section for the report's month and write its PDF and CSV (the task's work;
    run again it makes the same figures anew)."""
    report = db.session.get_one(MonthlyReport, report_id)
    scope = month_scope(report.month)
    sections = []
    for done, section in enumerate(SECTIONS, start=1):
        sections.append(section(scope))
        if progress is not None:
            progress(done, len(SECTIONS) + 1, "集計しています")
    title = f"ふるさと納税業務 業務報告書（{report.label}）"
    report.pdf, report.pages = document.render(title, scope.label, sections)
    report.csv = document.annex(sections)
    report.state, report.generated_at = ReportState.draft, now()
    if progress is not None:
        progress(len(SECTIONS) + 1, len(SECTIONS) + 1, "PDFを作成しました")
    audit.record("update", SUBJECT, report.id, f"業務報告書（{report.label}）を作成：{report.pages}ページ", by=None)
    return report


@tasks.kind(KIND, title="業務報告書の作成", programme="furusato")
def generate_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    report_id = int(ctx.params["report_id"])

    def report_progress(done: int, total: int, phase: str) -> None:
        ctx.progress(done, total, phase=phase, unit="節")

    report = generate(report_id, report_progress)
    db.session.commit()
    return {"summary": f"{report.label}の業務報告書（{report.pages}ページ）を作成しました。",
            "link": f"/furusato/reports/{report.id}", "link_label": "業務報告書を開く"}


def due_month(day: date) -> date:
    """The month the periodic task reports on when it runs on `day`."""
    return previous_month(day)


@periodic(crontab(day="1", hour="6", minute="0"), "furusato.monthly_report", at_start=True)
def make_previous_month(day: date | None = None) -> MonthlyReport | None:
    """On the 1st (and when a consumer starts, to catch up a missed 1st): the report of the
    previous month, unless it exists already."""
    month = due_month(day or today())
    if of_month(month) is not None:
        return None
    return request(month, by=None)


# --- submitted, inspected --------------------------------------------------------------------

def can_submit(report: MonthlyReport, user: User) -> bool:
    return report.state is ReportState.draft and user.role == Role.supervisor


def can_inspect(report: MonthlyReport, user: User) -> bool:
    return report.state is ReportState.submitted and user.role == Role.city_staff


def can_remake(report: MonthlyReport, user: User) -> bool:
    return report.state is ReportState.draft and user.role in (Role.operator, Role.supervisor)


def submit(report: MonthlyReport, *, by: User) -> None:
    """The supervisor submits the draft to the city (004 §10(1))."""
    if not can_submit(report, by):
        raise ReportRefused("提出できるのは、下書きの業務報告書を統括責任者が提出するときだけです。")
    report.state, report.submitted_at, report.submitted_by_id = ReportState.submitted, now(), by.id
    audit.record("update", SUBJECT, report.id, f"業務報告書（{report.label}）を提出", by=by)


def inspect(report: MonthlyReport, approve: bool, note: str, *, by: User) -> None:
    """The city's inspection (検査, 004 §13): passed, or returned to draft with the reason."""
    if not can_inspect(report, by):
        raise ReportRefused("検査できるのは、提出された業務報告書を市職員が検査するときだけです。")
    if not approve and not note.strip():
        raise ReportRefused("差し戻す理由を入力してください。", "note")
    report.inspection_note = note.strip()
    if approve:
        report.state, report.inspected_at, report.inspected_by_id = ReportState.inspected, now(), by.id
    else:
        report.state, report.submitted_at, report.submitted_by_id = ReportState.draft, None, None
    audit.record("approve" if approve else "return", SUBJECT, report.id,
                 f"業務報告書（{report.label}）を" + ("検査済みに" if approve else f"差戻し：{note.strip()}"), by=by)


def file_of(report: MonthlyReport, suffix: str) -> bytes:
    data = report.pdf if suffix == ".pdf" else report.csv
    if report.state is ReportState.making or data is None:
        raise ReportRefused("業務報告書はまだできていません。")
    return data


# --- strategy meetings (004 §10(2)) ------------------------------------------------------------

@dataclass
class MeetingInput:
    held_on: date | None
    title: str
    attendees: str
    decisions: str
    actions: str


def add_meeting(data: MeetingInput, *, by: User) -> StrategyMeeting:
    problems = []
    if data.held_on is None:
        problems.append(Problem("held_on", "開催日を入力してください。"))
    elif data.held_on > today():
        problems.append(Problem("held_on", "開催日は今日までの日にしてください。"))
    if not data.attendees.strip():
        problems.append(Problem("attendees", "出席者を入力してください。"))
    if not data.decisions.strip():
        problems.append(Problem("decisions", "決定事項を入力してください。"))
    if problems:
        raise ReportRefused.of(problems)
    assert data.held_on is not None
    meeting = StrategyMeeting(held_on=data.held_on, title=data.title.strip(), attendees=data.attendees.strip(),
                              decisions=data.decisions.strip(), actions=data.actions.strip(), created_by_id=by.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record("create", "furusato_strategy_meeting", meeting.id, f"戦略会議（{data.held_on}）を記録", by=by)
    return meeting


def meetings(page: int = 1) -> Page[StrategyMeeting]:
    return paged(select(StrategyMeeting).order_by(StrategyMeeting.held_on.desc(), StrategyMeeting.id.desc()), page)


def meetings_of(month: date) -> list[StrategyMeeting]:
    return list(db.session.scalars(select(StrategyMeeting).where(
        StrategyMeeting.held_on >= month, StrategyMeeting.held_on < next_month(month))
        .order_by(StrategyMeeting.held_on)))
