"""The register's say at login: an account tied to entries that have all ended cannot log in,
and its sessions end (issue #14 §3: its holder no longer handles the programme's data, 004
特記事項 §3, 000 別紙 §3). Kept apart from the register's rules so that app/auth/services.py
can call it without importing them."""

from __future__ import annotations

from datetime import date, timedelta

from huey import crontab
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.extensions import db
from app.staff.models import StaffEntry
from app.tasks.engine import periodic

#: How far back the daily sweep looks for terms that ended (a consumer down for days catches up).
SWEEP_DAYS = 7


def has_ended(user: User, on: date | None = None) -> bool:
    """Whether the account is tied to register entries and every one of them has ended."""
    tied = list(db.session.scalars(select(StaffEntry).where(StaffEntry.user_id == user.id)))
    return bool(tied) and all(entry.ended(on) for entry in tied)


def login_refusal(user: User, on: date | None = None) -> str | None:
    """Why an account may not log in, or None; an account with no entry (an administrator) is
    not refused. Called by app/auth/services.py `authenticate` once the password was right, so
    the refusal tells nothing to one who does not know it; the refusal is audited."""
    if not has_ended(user, on):
        return None
    last = max(entry.end_on for entry in db.session.scalars(select(StaffEntry).where(StaffEntry.user_id == user.id))
               if entry.end_on is not None)
    audit.record("login_failed", "user", user.id, f"従事期間終了（{last:%Y-%m-%d}まで）", by=user)
    return (f"従事者名簿の従事期間が{last.year}年{last.month}月{last.day}日で終了しているため、"
            "このアカウントではログインできません。統括責任者に確認してください。")


def end_sessions_if_ended(user: User | None, on: date | None = None) -> bool:
    """End the account's sessions when its term is over (a session begun before the end would
    otherwise go on)."""
    from app.auth import services as auth  # auth's services call login_refusal: imported when used

    if user is None or not has_ended(user, on):
        return False
    auth.end_sessions(user)
    return True


@periodic(crontab(hour="0", minute="5"), "staff.end_sessions", at_start=True)
def end_sessions_of_ended_terms(on: date | None = None) -> list[int]:
    """Every night: the sessions of accounts whose term ended yesterday (or in the week before)."""
    day = on or today()
    since = day - timedelta(days=SWEEP_DAYS)
    ended = db.session.scalars(select(StaffEntry).where(
        StaffEntry.user_id.is_not(None), StaffEntry.end_on < day, StaffEntry.end_on >= since))
    users = {entry.user_id: entry.user for entry in ended}
    return [uid for uid, user in users.items() if end_sessions_if_ended(user, day)]
