"""The audit log: who read or changed which personal data or money, and when (DESIGN "Data").

Rows are only ever inserted. A flush that would update or delete one is refused here, and the
migration adds database triggers that refuse it too.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from app.auth import objects
from app.auth.models import Action, AuditEntry, Programme, User
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
    programme: Programme | str | None = None,
) -> AuditEntry:
    """Add one audit row to the current session (the request's commit writes it). `by` is who
    did it; None is the system itself (periodic work, a command). `username` alone names an
    actor without an account (a failed login's typed name). `programme` is the programme whose
    data the row is about; by default the one the object's kind belongs to (app/auth/objects)."""
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
        programme=Programme(programme) if programme else objects.programme_of(object_type),
    )
    db.session.add(entry)
    return entry


def read_list(object_type: str, ids: Iterable[Any], what: str, *, by: User | None) -> AuditEntry | None:
    """One read row for a page that lists people: what the page was and which objects it showed
    (their ids; the page itself is a read of each). Nothing when it showed none."""
    shown = [str(i) for i in ids]
    if not shown:
        return None
    return record("read", object_type, "list", f"{what}：{len(shown)}件 " + ", ".join(f"#{i}" for i in shown), by=by)


PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    person: int | None = None  # a user's id
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def sees_everything(by: User) -> bool:
    """An administrator (every programme) sees every row, those of no programme too."""
    return frozenset(by.programmes) >= frozenset(Programme)


def search(f: AuditFilter, *, by: User) -> Select[tuple[AuditEntry]]:
    """The entries the filter selects among those `by` may read: the city audits the contractor
    of its own programme (000 別紙 §13, 004 特記事項 §14), so a person of one programme reads
    that programme's rows only."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if not sees_everything(by):
        query = query.where(AuditEntry.programme.in_(sorted(by.programmes)))
    if f.person is not None:
        query = query.where(AuditEntry.user_id == f.person)
    for column, value in ((AuditEntry.object_type, f.object_type), (AuditEntry.object_id, f.object_id),
                          (AuditEntry.action, f.action)):
        if value.strip():
            query = query.where(column == value.strip())
    if f.date_from:
        query = query.where(AuditEntry.at >= datetime.combine(f.date_from, datetime.min.time()))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), datetime.min.time())
        query = query.where(AuditEntry.at < end)
    return query


@dataclass(frozen=True)
class AuditRow:
    """One entry as a person reads it: the actor's name, the object's name and page."""

    entry: AuditEntry
    person: str
    object_name: str
    link: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _people(entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.user_id for e in entries if e.user_id is not None}
    if not ids:
        return {}
    return {uid: name for uid, name in db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))}


def _person(entry: AuditEntry, people: dict[int, str]) -> str:
    if entry.user_id is None:
        return "（システム）" if entry.username == "(system)" else f"（未登録の利用者名「{entry.username}」）"
    return people.get(entry.user_id, entry.username)


def readable(entries: list[AuditEntry]) -> list[AuditRow]:
    people = _people(entries)
    known = objects.known_names({(e.object_type, e.object_id) for e in entries})
    return [AuditRow(e, _person(e, people),
                     objects.name(e.object_type, e.object_id, known.get((e.object_type, e.object_id), "")),
                     objects.link(e.object_type, e.object_id)) for e in entries]


@objects.names_of("user")
def _user_names(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def page(f: AuditFilter, number: int = 1, *, by: User) -> AuditPage:
    """One page of the selected entries, newest first, with how many there are in all."""
    query = search(f, by=by)
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = max(1, min(number, -(-count // PAGE_SIZE) or 1))
    found = list(db.session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
    if found:  # the log names the people whose data was read: reading it is a read too
        record("read", "audit_log", "list", f"監査ログの閲覧（{number}ページ、{len(found)}件／{count}件）", by=by,
               programme=_reader_programme(by))
    return AuditPage(readable(found), int(count), number)


def _reader_programme(by: User) -> Programme | None:
    """The programme a reading or an export of the log is about: the reader's, if only one."""
    return None if sees_everything(by) else next(iter(sorted(by.programmes)), None)


def entries(f: AuditFilter, *, by: User, limit: int | None = None) -> list[AuditEntry]:
    """The log's entries that the filter selects, newest first."""
    return list(db.session.scalars(search(f, by=by).limit(limit)))


def people(*, by: User) -> list[tuple[int, str]]:
    """The people a filter may name: the users of `by`'s programmes, by display name."""
    users = db.session.scalars(select(User).order_by(User.display_name)).all()
    return [(u.id, u.display_name) for u in users if sees_everything(by) or u.programmes & by.programmes]


def export_csv(f: AuditFilter, conditions: str, *, by: User) -> str:
    """The selected entries as CSV; the export itself is logged with the conditions it used,
    as a row of the programme it covers (000 別紙 §13, 004 特記事項 §14)."""
    found = entries(f, by=by)
    record("export", "audit_log", "-", f"{len(found)}件 条件={conditions}", by=by, programme=_reader_programme(by))
    return to_csv(readable(found))


def to_csv(rows: Iterable[AuditRow]) -> str:
    """CSV with a BOM so that Excel on the office PCs opens the Japanese text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(["日時", "業務", "利用者", "操作", "対象", "対象種別", "対象ID", "内容", "端末アドレス"])
    for row in rows:
        e = row.entry
        writer.writerow([
            e.at.strftime("%Y-%m-%d %H:%M:%S"), e.programme.label if e.programme else "", row.person,
            Action.label_of(e.action), row.object_name, objects.kind_of(e.object_type).label, e.object_id,
            e.detail, e.address,
        ])
    return out.getvalue()


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("監査ログは追記のみです。変更・削除はできません。")
