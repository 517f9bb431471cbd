"""Scheduled work of the devices domain."""

from __future__ import annotations

from huey import crontab

from app.devices import jobs
from app.tasks.engine import periodic


@periodic(crontab(minute="*"), "devices.end_expired_jobs", at_start=True)
def end_expired_jobs() -> None:
    """Every minute, on every terminal: a card read whose page gave up, or whose agent went
    silent, is cancelled and its sealed PIN wiped even when that terminal's agent never polls
    again (a PC switched off at the counter)."""
    jobs.end_expired()
