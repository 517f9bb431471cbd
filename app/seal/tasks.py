"""Scheduled work of seal registration."""

from __future__ import annotations

from huey import crontab

from app.core.dates import today
from app.seal import services
from app.tasks.engine import periodic


@periodic(crontab(minute="5"), "seal.expire_inquiries", at_start=True)
def expire_inquiries() -> None:
    """Close the inquiries whose reply deadline has passed (000 §6(2)③): the first run after
    midnight closes yesterday's, and every hour catches a night the consumer was down."""
    services.expire_overdue(today())
