"""Per-process copies of what the busy pages show and almost nothing changes (issue 22): the
procedure catalog was read, and its JSON columns parsed, on every reception and work list.

Each copy carries the version it was read at. A flush that adds, changes or deletes a row of one
of a copy's models raises that copy's row in `cache_versions` in the same transaction, whoever
flushes (an admin's edit, `flask catalog load`, the demo, a test), so every process sees the
change at its next read, as soon as the change commits: a page reads the versions once per
transaction (one small statement, or none: the request's first statement, the signed-in user's
row, reads them with it, `get_with_versions`) and reloads a copy whose version moved. An UPDATE or DELETE
statement run through the session raises the versions too; one run on a bare connection is not
seen: none touches these models.

A copy is plain data (frozen dataclasses, tuples), never ORM objects: those belong to one
session and one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import event, inspect, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from app.core.models import CacheVersion

T = TypeVar("T")
M = TypeVar("M")
_COPIES = "yakuba_cached"
_VERSIONS = "yakuba_cache_versions"  # session.info: this transaction's versions, read once
_RAISED = "yakuba_cache_raised"  # session.info: the versions this transaction raised
#: model class → the names of the copies made from it
_WATCHED: dict[type, set[str]] = {}


class Cached(Generic[T]):
    """One copy per process and app of what `load` returns, reloaded when one of `models`
    changed since it was read."""

    def __init__(self, name: str, load: Callable[[], T], models: tuple[type, ...]) -> None:
        self.name, self.load = name, load
        for model in models:
            _WATCHED.setdefault(model, set()).add(name)

    def get(self) -> T:
        from app.extensions import db

        session = db.session()
        if session.autoflush:
            session.flush()  # a change not flushed yet raises its version first, as a query would
        version = _versions(session).get(self.name, 0)
        copies: dict[str, tuple[int, Any]] = current_app.extensions.setdefault(_COPIES, {})
        held = copies.get(self.name)
        if held is not None and held[0] == version:
            return held[1]
        value = self.load()
        if self.name not in session.info.get(_RAISED, ()):  # not what an uncommitted change shows
            copies[self.name] = (version, value)
        return value


def _versions(session: Session) -> dict[str, int]:
    versions = session.info.get(_VERSIONS)
    if versions is None:
        versions = {name: version for name, version in session.execute(select(CacheVersion.name, CacheVersion.version))}
        session.info[_VERSIONS] = versions
    return versions


def get_with_versions(model: type[M], ident: int) -> M | None:
    """`db.session.get(model, ident)` that reads this transaction's versions in the same
    statement when none are read yet (the row LEFT JOINed to every version): the signed-in
    user's row, the first statement of every request, so the copies a page shows cost no
    statement of their own (issue 22)."""
    from app.extensions import db

    session = db.session()
    if _VERSIONS in session.info or session.identity_map.get(session.identity_key(model, ident)) is not None:
        return session.get(model, ident)
    key = inspect(model).primary_key[0]
    rows = session.execute(select(model, CacheVersion.name, CacheVersion.version)
                           .outerjoin(CacheVersion, true()).where(key == ident)).all()
    if not rows:
        return None
    session.info[_VERSIONS] = {name: version for _, name, version in rows if name is not None}
    return rows[0][0]


@event.listens_for(Session, "after_flush")
def _raise_for_flush(session: Session, _context: Any) -> None:
    _raise(session, set().union(*(_WATCHED.get(type(obj), ()) for obj in chain(session.new, session.dirty,
                                                                              session.deleted))))


@event.listens_for(Session, "do_orm_execute")
def _raise_for_bulk(state: ORMExecuteState) -> None:
    """An UPDATE, DELETE or INSERT statement on a watched model, run through the session
    (`db.session.execute(delete(Fee)...)`), raises its copies' versions as a flush does."""
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None:
        _raise(state.session, set(_WATCHED.get(state.bind_mapper.class_, ())))


def _raise(session: Session, names: set[str]) -> None:
    if not names:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for name in sorted(names):
        upsert = dialect.insert(CacheVersion).values(name=name, version=1)
        connection.execute(upsert.on_conflict_do_update(index_elements=[CacheVersion.name],
                                                        set_={"version": CacheVersion.version + 1}))
    session.info.pop(_VERSIONS, None)
    session.info.setdefault(_RAISED, set()).update(names)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_versions(session: Session) -> None:
    session.info.pop(_VERSIONS, None)
    session.info.pop(_RAISED, None)
