"""The donation office's work list on the home page (STYLE rule 20): today's imports, the
suspects not yet resolved, the certificates due, the money not matched to a donation, the
returned mail to follow up, the export requests to approve."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.work_line import WorkLine
from app.extensions import db
from app.furusato import certificates, export_requests, returns, services, transfer_matching
from app.furusato.calls import services as calls
from app.furusato.models import ImportBatch
from app.furusato.onestop import review as onestop_review
from app.furusato.reports import work as report_work
from app.furusato.retention import services as retention
from app.furusato.settlement import work as settlement_work
from app.furusato.shipping import work as shipping_work

GROUP = "ふるさと納税"


def imports_on(day: date) -> int:
    start = datetime.combine(day, time.min)
    return int(db.session.scalar(select(func.count()).select_from(ImportBatch).where(
        ImportBatch.started_at >= start, ImportBatch.started_at < start + timedelta(days=1))) or 0)


def _onestop_lines(today: date) -> list[WorkLine]:
    """ワンストップ特例 (issue 17 §2): open, deficient, not acknowledged, with the days left to the
    31 January handover."""
    counts = onestop_review.counts(onestop_review.default_year(today), today)
    left = f"通知期限まであと{counts.days_left}日" if counts.days_left >= 0 else "通知期限を過ぎています"
    return [WorkLine("ワンストップ特例申請の審査待ち", counts.open, "furusato.onestop_list", {"state": "received"},
                     note=left, group=GROUP),
            WorkLine("ワンストップ特例申請の不備（補正待ち）", counts.deficient, "furusato.onestop_list",
                     {"state": "deficient"}, note=left, group=GROUP),
            WorkLine("ワンストップ特例の受付済み通知（未送付）", counts.unacknowledged, "furusato.onestop_list",
                     {"state": "accepted"}, note=left, group=GROUP)]


def waiting(user: User, today: date) -> list[WorkLine]:
    lines: list[WorkLine] = []
    if user.role in (Role.operator, Role.supervisor):
        due = certificates.due_summary(today)
        lines += [
            WorkLine("本日のポータル取込", imports_on(today), "furusato.imports_page", group=GROUP),
            WorkLine("未解決の疑義データ", services.open_suspect_count(), "furusato.suspects", group=GROUP),
            WorkLine("受領証明書（今週が発送期限）", due.this_week, "furusato.certificates_due", group=GROUP),
            WorkLine("受領証明書（発送期限超過）", due.overdue, "furusato.certificates_due", group=GROUP),
            WorkLine("未照合の入金", transfer_matching.open_total()[0], "furusato.transfers_open", group=GROUP),
            WorkLine("郵便物の戻り（確認待ち）", returns.open_count(), "furusato.returns_page", group=GROUP),
            WorkLine("問い合わせ（折り返し予定日まで）", calls.follow_ups_due(today), "furusato.inquiries",
                     group=GROUP),
            *shipping_work.lines(),
            *_onestop_lines(today),
        ]
    if user.role == Role.city_staff:
        lines += shipping_work.city_lines()
    if user.role in (Role.supervisor, Role.city_staff):
        lines.append(WorkLine("個人情報の出力申請（承認待ち）", len(export_requests.work_list(by=user)),
                              "furusato.export_requests", group=GROUP))
    lines += report_work.waiting(user)
    lines += settlement_work.lines(user, today)
    if user.role == Role.supervisor:
        lines.append(WorkLine("保存期間を過ぎた記録（廃棄の申請待ち）", retention.due_total(), "furusato.retention",
                              group=GROUP))
    if user.role == Role.city_staff:
        lines.append(WorkLine("廃棄の申請（承認待ち）", retention.waiting_decision(), "furusato.retention",
                              group=GROUP))
    return lines
