"""The 疑義データ work list (004 §7(1)エ), in pages with the count of every flag it selects."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.models import SuspectFlag, SuspectState

PAGE_SIZE = 100


@dataclass(frozen=True)
class SuspectFilter:
    """The work list's conditions: "open" (not cleared), "cleared", or "" for every flag."""

    status: str = "open"
    reason: str = ""


@dataclass(frozen=True)
class SuspectPage:
    rows: list[SuspectFlag]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _conditions(flt: SuspectFilter) -> list[ColumnElement[bool]]:
    status = flt.status if flt.status in ("open", "cleared", "") else "open"
    where: list[ColumnElement[bool]] = []
    if status == "open":
        where.append(SuspectFlag.status != SuspectState.cleared)
    elif status:
        where.append(SuspectFlag.status == status)
    if flt.reason:
        where.append(SuspectFlag.reason == flt.reason)
    return where


def suspect_list(flt: SuspectFilter = SuspectFilter(), page: int = 1, *, by: User) -> SuspectPage:
    """One page of the flags the filter selects, oldest first; the list shows each flag's
    donation and donor (a read of those shown)."""
    where = _conditions(flt)
    count = int(db.session.scalar(select(func.count()).select_from(SuspectFlag).where(*where)) or 0)
    page = min(max(1, page), max(1, -(-count // PAGE_SIZE)))
    flags = list(db.session.scalars(select(SuspectFlag).where(*where).order_by(SuspectFlag.created_at, SuspectFlag.id)
                                    .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    audit.read_list("furusato_donation", dict.fromkeys(f.donation_id for f in flags),
                    f"疑義データの一覧（{page}ページ）", by=by)
    return SuspectPage(flags, count, page)
