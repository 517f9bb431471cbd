"""Scheduled work of the donation office."""

from __future__ import annotations

from huey import crontab

from app.furusato import exports, services  # noqa: F401  (exports: its kind of background work)
from app.tasks.engine import periodic


@periodic(crontab(minute="15"), "furusato.sync_portals", at_start=True)
def sync_portals() -> None:
    """One portal row per import profile: a release that adds a profile shows it on the import
    page once a consumer has started (and hourly after), never as a side effect of a page."""
    services.sync_portals()
