"""The monthly 業務報告書 (000 §10, issue 20 §1): made by a task (periodically for the month just
ended, or on demand with a progress bar), then 作成中 → 提出済 → 検査済.

The contractor (統括責任者) makes it again as often as it likes while it is 作成中, writes the
改善を要する事項, and submits it; what was submitted is kept as made (PDF and CSV annex) and the
city's staff inspect it with a note. The report is due by the 7th of the next month, rolled to
the next office day (app/reports/due.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from huey import crontab
from sqlalchemy import select

from app.auth import audit
from app.auth.models import Programme, Role, User
from app.core import services as core_services
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.reports import documents, sections
from app.reports.due import first_of_month, next_month, previous_month, report_due
from app.reports.models import MonthlyReport, ReportState
from app.tasks import services as tasks
from app.tasks.engine import periodic
from app.tasks.models import Task
from app.web.paging import Page, paged

KIND = "reports.monthly"
SUBJECT = "reports_monthly"
MAKERS = (Role.supervisor, Role.admin)
INSPECTORS = (Role.city_staff, Role.admin)


class ReportRefused(Refusal):
    pass


def period_of(month: date) -> sections.Period:
    return sections.Period(month, date.fromordinal(next_month(month).toordinal() - 1))


def parse_month(text: str, field: str = "month") -> date:
    """A month as YYYY-MM (full-width digits too), refused with the field named."""
    import unicodedata

    value = unicodedata.normalize("NFKC", text or "").strip()
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ReportRefused("対象月は YYYY-MM の形で入力してください（例：2026-11）。", field) from None


def get(report_id: int) -> MonthlyReport | None:
    return db.session.get(MonthlyReport, report_id)


def for_month(month: date) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == first_of_month(month)))


def reports(page: int = 1) -> Page[MonthlyReport]:
    return paged(select(MonthlyReport).order_by(MonthlyReport.month.desc()), page)


def may_make(user: User) -> bool:
    return user.role in MAKERS


def may_inspect(user: User) -> bool:
    return user.role in INSPECTORS


def task_of(report: MonthlyReport) -> Task | None:
    return db.session.get(Task, report.task_id) if report.task_id else None


def is_making(report: MonthlyReport) -> bool:
    task = task_of(report)
    return task is not None and not task.finished


def can_make(report: MonthlyReport, user: User) -> bool:
    return may_make(user) and report.state is ReportState.draft and not is_making(report)


def can_submit(report: MonthlyReport, user: User) -> bool:
    return may_make(user) and report.state is ReportState.draft and report.generated_at is not None \
        and not is_making(report)


def can_inspect(report: MonthlyReport, user: User) -> bool:
    return may_inspect(user) and report.state is ReportState.submitted


# --- making it --------------------------------------------------------------------------------

def ensure(month: date) -> MonthlyReport:
    """The report of a month, added as 作成中 if there is none yet."""
    month = first_of_month(month)
    report = for_month(month)
    if report is None:
        report = MonthlyReport(month=month, due_on=report_due(month), state=ReportState.draft)
        db.session.add(report)
        db.session.flush()
    return report


def request(month: date, *, by: User | None) -> MonthlyReport:
    """Ask for the report of a month to be made (again): a task, queued when the caller commits."""
    problems = []
    if first_of_month(month) > first_of_month(today()):
        problems.append(Problem("month", "まだ始まっていない月の業務報告書は作成できません。"))
    if by is not None and not may_make(by):
        problems.append(Problem("", "業務報告書を作成できるのは統括責任者です。"))
    if problems:
        raise ReportRefused.of(problems)
    report = ensure(month)
    if report.state is not ReportState.draft:
        raise ReportRefused(f"{report.label}の業務報告書は{report.state.label}です。作り直せません。", "month")
    if is_making(report):
        raise ReportRefused(f"{report.label}の業務報告書は作成中です。終わるまでお待ちください。", "month")
    task = tasks.submit(KIND, {"report_id": report.id}, by=by, subject_type=SUBJECT, subject_id=report.id,
                        title=f"業務報告書（{report.label}）の作成")
    report.task_id = task.id
    return report


def build(month: date, *, remarks: str = "", state_label: str = "作成中",
          progress: Callable[[int, int, str], None] | None = None) -> tuple[documents.Built, str, dict[str, Any]]:
    """The PDF, the CSV annex and the headline figures of a month (nothing written)."""
    period = period_of(month)
    made: list[sections.Section] = []
    steps = len(sections.SECTIONS) + 1
    for n, fn in enumerate(sections.SECTIONS):
        if progress:
            progress(n, steps, "集計")
        made.append(fn(period))
    if progress:
        progress(len(made), steps, "PDFの作成")
    built = documents.monthly_pdf(month, made, municipality=core_services.get_municipality(),
                                  due_on=report_due(month), remarks=remarks, state_label=state_label)
    summary = {s.key: _jsonable(s.figures) for s in made}
    return built, documents.annex_csv(month, made), summary


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 2)
    return value


def make(report_id: int, progress: Callable[[int, int, str], None] | None = None) -> MonthlyReport:
    """The task's work: make the PDF and annex of a draft and keep them on the report."""
    report = db.session.get_one(MonthlyReport, report_id)
    if report.state is not ReportState.draft:  # run again after it was submitted: nothing to do
        return report
    built, annex, summary = build(report.month, remarks=report.remarks, progress=progress)
    report.pdf, report.annex_csv, report.pages, report.summary = built.data, annex, built.pages, summary
    report.generated_at = now()
    audit.record("create", SUBJECT, report.id, f"業務報告書（{report.label}）を作成 {built.pages}ページ",
                 by=None, username="(system)", programme=Programme.counter)
    return report


@tasks.kind(KIND, title="業務報告書の作成", programme=Programme.counter)
def _make_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    report_id = int(ctx.params["report_id"])

    def report(done: int, total: int, phase: str) -> None:
        ctx.progress(done, total, phase=phase, unit="項目")

    made = make(report_id, report)
    result = {"pages": made.pages, "link": f"/reports/monthly/{made.id}", "link_label": "業務報告書を開く"}
    db.session.commit()
    ctx.progress(len(sections.SECTIONS) + 1, len(sections.SECTIONS) + 1, phase="完了", unit="項目")
    return result


@periodic(crontab(hour="6", minute="10"), "reports.monthly", at_start=True)
def make_last_month() -> None:
    """On the first days of a month, the draft of the month just ended is made unattended (once:
    a report already made, submitted or being made is left alone)."""
    month = previous_month(first_of_month(today()))
    report = ensure(month)
    if report.state is ReportState.draft and report.generated_at is None and not is_making(report):
        request(month, by=None)


# --- its way to the city --------------------------------------------------------------------

@dataclass(frozen=True)
class RemarksInput:
    remarks: str = ""


def save_remarks(report: MonthlyReport, data: RemarksInput, *, by: User) -> None:
    """改善を要する事項: written while 作成中; the report is made again to carry it."""
    if not may_make(by) or report.state is not ReportState.draft:
        raise ReportRefused("改善を要する事項は作成中の業務報告書にだけ書けます。", "remarks")
    if len(data.remarks) > 4000:
        raise ReportRefused("改善を要する事項は4000字以内で入力してください。", "remarks")
    report.remarks = data.remarks.strip()
    audit.record("update", SUBJECT, report.id, f"業務報告書（{report.label}）の改善を要する事項を更新", by=by,
                 programme=Programme.counter)


def submit(report: MonthlyReport, *, by: User) -> None:
    if not can_submit(report, by):
        raise ReportRefused("作成の済んだ作成中の業務報告書だけを提出できます。")
    report.state, report.submitted_at, report.submitted_by_id = ReportState.submitted, now(), by.id
    late = "（期限後）" if today() > report.due_on else ""
    audit.record("update", SUBJECT, report.id, f"業務報告書（{report.label}）を市へ提出{late}", by=by,
                 programme=Programme.counter)


@dataclass(frozen=True)
class InspectionInput:
    note: str = ""


def inspect(report: MonthlyReport, data: InspectionInput, *, by: User) -> None:
    """The city's inspection (検査) of a submitted report, with its note."""
    if not can_inspect(report, by):
        raise ReportRefused("提出済の業務報告書だけを市職員が検査できます。", "note")
    if len(data.note) > 2000:
        raise ReportRefused("検査の所見は2000字以内で入力してください。", "note")
    report.state, report.inspected_at, report.inspected_by_id = ReportState.inspected, now(), by.id
    report.inspection_note = data.note.strip()
    audit.record("update", SUBJECT, report.id, f"業務報告書（{report.label}）を検査", by=by,
                 programme=Programme.counter)


def document(report: MonthlyReport, kind: str, *, by: User) -> tuple[bytes, str, str]:
    """The kept PDF or CSV annex, with its download in the audit log (the returns' reasons it
    lists may name a person)."""
    if report.generated_at is None:
        raise ReportRefused("この業務報告書はまだ作成されていません。")
    audit.record("read" if kind == "pdf" else "export", SUBJECT, report.id,
                 f"業務報告書（{report.label}）の{'PDF' if kind == 'pdf' else 'CSV別表'}", by=by,
                 programme=Programme.counter)
    stem = f"gyomu-hokoku-{report.month:%Y-%m}"
    if kind == "pdf":
        return report.pdf or b"", "application/pdf", f"{stem}.pdf"
    return (report.annex_csv or "").encode("utf-8"), "text/csv; charset=utf-8", f"{stem}-annex.csv"


def overdue(on: date | None = None) -> list[MonthlyReport]:
    """Drafts past their due day (for the supervisor's work list)."""
    on = on or today()
    return list(db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.state == ReportState.draft, MonthlyReport.due_on < on)))


def day_sheet(day: date, *, by: User | None) -> bytes:
    """日報: the one-page day sheet of a day (made on demand: one day is quick)."""
    made = sections.collect(sections.Period(day, day), sections.DAY_SECTIONS)
    audit.record("read", "reports_day_sheet", day.isoformat(), f"業務日報 {day.isoformat()}", by=by,
                 username=None if by else "(cli)", programme=Programme.counter)
    return documents.day_sheet_pdf(day, made, municipality=core_services.get_municipality()).data
