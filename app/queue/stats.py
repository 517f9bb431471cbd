"""Waiting statistics (issue 4): per ticket, and per category and hour, for the supervisor's
live dashboard, the CSV export and later the monthly report (業務報告書, 000 §10).

Tickets are counted under the category they were issued for (what the visitor asked for);
a transferred ticket is counted once, with its transfer shown.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import audit
from app.auth.models import User
from app.core import spreadsheet
from app.extensions import db
from app.queue.models import ServiceCategory, Ticket, TicketState


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the value below which `fraction` of the values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def wait_minutes(ticket: Ticket) -> float | None:
    return _minutes(ticket.issued_at, ticket.first_called_at)


def service_minutes(ticket: Ticket) -> float | None:
    return _minutes(ticket.served_at, ticket.finished_at)


@dataclass
class Bucket:
    """Figures for one category (and hour, or the whole day)."""

    tickets: int = 0
    called: int = 0
    finished: int = 0
    no_show: int = 0
    transferred: int = 0
    waiting: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def add(self, ticket: Ticket) -> None:
        self.tickets += 1
        self.called += ticket.first_called_at is not None
        self.finished += ticket.finished_at is not None and ticket.state != TicketState.no_show
        self.no_show += ticket.state == TicketState.no_show
        self.transferred += ticket.transfers > 0
        self.waiting += ticket.state == TicketState.waiting
        if (w := wait_minutes(ticket)) is not None:
            self.waits.append(w)
        if (s := service_minutes(ticket)) is not None:
            self.services.append(s)

    @property
    def avg_wait(self) -> float | None:
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def p90_wait(self) -> float | None:
        return percentile(self.waits, 0.9)

    @property
    def avg_service(self) -> float | None:
        return sum(self.services) / len(self.services) if self.services else None

    @property
    def p90_service(self) -> float | None:
        return percentile(self.services, 0.9)


@dataclass
class DayStats:
    day: date
    categories: list[ServiceCategory]
    total: Bucket
    by_category: dict[int, Bucket]
    by_hour: dict[tuple[int, int], Bucket]

    def hours(self) -> list[int]:
        return sorted({hour for _, hour in self.by_hour})


def tickets_of(start: date, end: date | None = None) -> list[Ticket]:
    end = end or start
    return list(db.session.scalars(
        select(Ticket).where(Ticket.office_day >= start, Ticket.office_day <= end)
        .options(selectinload(Ticket.original_category), selectinload(Ticket.category),
                 selectinload(Ticket.counter))
        .order_by(Ticket.office_day, Ticket.issued_at, Ticket.id)))


def summarize(day: date, tickets: Iterable[Ticket] | None = None) -> DayStats:
    tickets = tickets_of(day) if tickets is None else tickets
    categories = list(db.session.scalars(select(ServiceCategory).order_by(
        ServiceCategory.sort_order, ServiceCategory.id)))
    stats = DayStats(day, categories, Bucket(), {}, {})
    for ticket in tickets:
        key = ticket.original_category_id
        stats.total.add(ticket)
        stats.by_category.setdefault(key, Bucket()).add(ticket)
        stats.by_hour.setdefault((key, ticket.issued_at.hour), Bucket()).add(ticket)
    return stats


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def tickets_csv(tickets: Iterable[Ticket]) -> str:
    """One row per ticket (no personal data), with a BOM for Excel on the office PCs."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(["日付", "番号", "発券時の業務", "業務", "優先", "状態", "発券", "初回呼出", "対応開始",
                     "窓口完了", "不在", "会計呼出", "会計完了", "窓口", "再呼出回数", "転送回数",
                     "待ち時間（分）", "対応時間（分）", "発券方法"])
    for t in tickets:
        writer.writerow([
            t.office_day.isoformat(), t.label, t.original_category.name, t.category.name,
            t.priority.label if t.priority else "", t.state.label, _time(t.issued_at),
            _time(t.first_called_at), _time(t.served_at), _time(t.finished_at), _time(t.no_show_at),
            _time(t.cashier_called_at), _time(t.cashier_done_at), t.counter.label if t.counter else "",
            t.recalls, t.transfers, _fmt(wait_minutes(t)), _fmt(service_minutes(t)),
            t.source.label,
        ])
    return out.getvalue()


def summary_csv(stats: DayStats) -> str:
    """Per category and hour of issue: tickets, average and 90th-percentile wait and service."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(["日付", "業務", "時間帯", "発券数", "呼出数", "完了数", "不在数", "転送数",
                     "平均待ち時間（分）", "90%待ち時間（分）", "平均対応時間（分）", "90%対応時間（分）"])
    names = {c.id: c.name for c in stats.categories}
    for (category_id, hour), b in sorted(stats.by_hour.items(), key=lambda kv: (
            [c.id for c in stats.categories].index(kv[0][0]) if kv[0][0] in names else 999, kv[0][1])):
        writer.writerow([stats.day.isoformat(), names.get(category_id, str(category_id)),
                         f"{hour}:00〜{hour + 1}:00", b.tickets, b.called, b.finished, b.no_show,
                         b.transferred, _fmt(b.avg_wait), _fmt(b.p90_wait), _fmt(b.avg_service),
                         _fmt(b.p90_service)])
    return out.getvalue()


def export_tickets_csv(day: date, by: User | None) -> str:
    """The day's tickets as CSV, with the export in the audit log."""
    audit.record("export", "queue_tickets", day.isoformat(), "番号札の実績CSV", by=by)
    return tickets_csv(tickets_of(day))


def export_summary_csv(day: date, by: User | None) -> str:
    """The day's waits by category and hour as CSV, with the export in the audit log."""
    audit.record("export", "queue_summary", day.isoformat(), "業務別・時間帯別の待ち時間CSV", by=by)
    return summary_csv(summarize(day))
