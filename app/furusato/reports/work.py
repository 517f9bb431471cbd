"""The report's lines on the home work list: a draft to submit (the supervisor, by the 10th,
004 §10(1)), a submitted report to inspect (the city)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.work_line import WorkLine
from app.extensions import db
from app.furusato.reports.models import MonthlyReport, ReportState

GROUP = "ふるさと納税"


def _count(state: ReportState) -> int:
    return int(db.session.scalar(select(func.count(MonthlyReport.id)).where(MonthlyReport.state == state)) or 0)


def waiting(user: User) -> list[WorkLine]:
    if user.role == Role.supervisor:
        return [WorkLine("業務報告書（提出待ちの下書き）", _count(ReportState.draft), "furusato.reports", group=GROUP)]
    if user.role == Role.city_staff:
        return [WorkLine("業務報告書（検査待ち）", _count(ReportState.submitted), "furusato.reports", group=GROUP)]
    return []
