"""The audit log: who read or changed which personal data or money, and when (DESIGN "Data").

Rows are only ever inserted. A flush that would update or delete one is refused here, and the
migration adds database triggers that refuse it too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from app.auth.models import Action, AuditEntry, User
from app.core import spreadsheet
from app.extensions import db


class AppendOnlyError(RuntimeError):
    pass


def record(
    action: str,
    object_type: str,
    object_id: Any,
    detail: str = "",
    *,
    by: User | None,
    username: str | None = None,
) -> AuditEntry:
    """Add one audit row to the current session (the request's commit writes it). `by` is who
    did it; None is the system itself (periodic work, a command). `username` alone names an
    actor without an account (a failed login's typed name)."""
    if not Action.has(action):
        raise ValueError(f"unknown audit action {action!r}")
    if by is not None:
        username = by.username
    entry = AuditEntry(
        user_id=by.id if by is not None else None,
        username=username or "(system)",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        address=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(f: AuditFilter) -> Select[tuple[AuditEntry]]:
    """The entries the filter selects (its text is matched without surrounding spaces)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    for column, value in ((AuditEntry.username, f.username), (AuditEntry.object_type, f.object_type),
                          (AuditEntry.object_id, f.object_id), (AuditEntry.action, f.action)):
        if value.strip():
            query = query.where(column == value.strip())
    if f.date_from:
        query = query.where(AuditEntry.at >= datetime.combine(f.date_from, datetime.min.time()))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), datetime.min.time())
        query = query.where(AuditEntry.at < end)
    return query


def entries(f: AuditFilter, limit: int | None = None) -> list[AuditEntry]:
    """The log's entries that the filter selects, newest first."""
    return list(db.session.scalars(search(f).limit(limit)))


def export_csv(f: AuditFilter, conditions: str, *, by: User) -> str:
    """The selected entries as CSV; the export itself is logged with the conditions it used."""
    found = entries(f)
    record("export", "audit_log", "-", f"{len(found)}件 条件={conditions}", by=by)
    return to_csv(found)


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """CSV with a BOM so that Excel on the office PCs opens the Japanese text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(["日時", "利用者", "操作", "対象種別", "対象ID", "内容", "端末アドレス"])
    for e in entries:
        writer.writerow([
            e.at.strftime("%Y-%m-%d %H:%M:%S"), e.username, Action.label_of(e.action),
            e.object_type, e.object_id, e.detail, e.address,
        ])
    return out.getvalue()


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("監査ログは追記のみです。変更・削除はできません。")
