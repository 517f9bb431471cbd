"""The queue's settings as every counter page and call reads them: a copy of the row kept per
process (app/core/cache.py), not the row (services.save_settings changes that)."""

from __future__ import annotations

from app.core.cache import Cached
from app.extensions import db
from app.queue.models import QueueSettings


def _read_settings() -> tuple[int, str] | None:
    row = db.session.get(QueueSettings, 1)
    return (row.recalls_before_no_show, row.cashier_place) if row is not None else None


_SETTINGS = Cached("queue_settings", _read_settings, (QueueSettings,))


def settings() -> QueueSettings:
    """The settings, or the defaults until an administrator saves them (not in the session)."""
    recalls, place = _SETTINGS.get() or (2, "会計窓口")
    return QueueSettings(id=1, recalls_before_no_show=recalls, cashier_place=place)
