"""Reopening a closed register day (issue 15 §2): a supervisor undoes a close that came too
early, with the reason. Nothing is deleted: the close stays as it was counted, the reopening is
a row of its own, and closing again adds a new close; the 日計表 shows the whole sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.extensions import db
from app.register.models import DailyClose, DayState, RegisterDay, RegisterReopening
from app.register.services import RegisterError, _locked


def can_reopen_days(by: User) -> bool:
    """Reopening a closed day is the supervisor's (統括責任者) decision."""
    return by.role == "supervisor"


def _later_day(day: RegisterDay) -> RegisterDay | None:
    return db.session.scalar(select(RegisterDay).where(
        RegisterDay.terminal_id == day.terminal_id, RegisterDay.business_date > day.business_date)
        .order_by(RegisterDay.business_date).limit(1))


def may_reopen(close: DailyClose, by: User) -> bool:
    """Whether `by` is offered to reopen the day of `close`: it is the day's last close, the day
    is closed, and the register has not started a later day (its float came from this close)."""
    day = close.day
    return (can_reopen_days(by) and day.closed and day.close is not None and day.close.id == close.id
            and _later_day(day) is None)


def reopen_day(day: RegisterDay, reason: str, by: User) -> RegisterReopening:
    """Open a closed day again: payments and calls to the register work again until it is closed
    anew. Refused for a day the register has moved past (the next day's float and count rest on
    its close)."""
    if not can_reopen_days(by):
        raise RegisterError("日計の再開は統括責任者が行います。")
    locked = db.session.scalars(_locked(select(RegisterDay).where(RegisterDay.id == day.id))).one()
    problems = []
    if not locked.closed or locked.close is None:
        problems.append(Problem("", f"{locked.business_date:%Y-%m-%d}の日計は締められていません。"))
    later = _later_day(locked)
    if later is not None:
        problems.append(Problem("", f"{later.business_date:%Y-%m-%d}の営業日が始まっているため、"
                                    "この日の日計は再開できません。"))
    if not reason.strip():
        problems.append(Problem("reason", "再開の理由を入力してください。"))
    if problems:
        raise RegisterError.of(problems)
    undone = locked.close
    assert undone is not None  # checked above
    reopening = RegisterReopening(day=locked, undone=undone, reopened_by_id=by.id, reason=reason.strip()[:1000])
    db.session.add(reopening)
    locked.state = DayState.open
    db.session.flush()
    audit.record("update", "register_day", locked.id,
                 f"{locked.terminal.name} {locked.business_date:%Y-%m-%d} 日計を再開"
                 f"（{undone.closed_at:%H:%M}の日計{undone.id}）理由：{reopening.reason}", by=by)
    return reopening


@dataclass(frozen=True)
class DayEvent:
    """One step of a day's closing history, as the 日計表 lists it."""

    at: datetime
    what: str  # 日計 / 再開
    by: str
    detail: str
    close_id: int | None = None


def day_history(day: RegisterDay) -> list[DayEvent]:
    """Every close and reopening of the day, in the order they happened: each close, then the
    reopening that undid it, if any."""
    undoing = {r.daily_close_id: r for r in day.reopenings}
    events = []
    for c in day.closes:
        events.append(DayEvent(c.closed_at, "日計", c.closed_by.display_name,
                               f"実査有高 {c.counted_cash:,}円 過不足 {c.difference:+,}円", c.id))
        if (r := undoing.get(c.id)) is not None:
            events.append(DayEvent(r.reopened_at, "再開", r.reopened_by.display_name, f"理由：{r.reason}"))
    return events


def undone_ids(closes: list[DailyClose]) -> set[int]:
    """The closes among `closes` that a reopening undid (the 日計表 list marks them)."""
    return {r.daily_close_id for c in closes for r in c.day.reopenings}


def superseded(close: DailyClose) -> bool:
    """A close that a later reopening undid (the day's close is another, or none yet)."""
    return any(r.daily_close_id == close.id for r in close.day.reopenings)
