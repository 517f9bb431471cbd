"""How many tickets a kiosk issues to one address a minute (issue 14 §4). The kiosk's page is
public: without a limit a script could take the day's numbers, fill the queue with tickets
nobody holds and run the kiosk's printer out of paper. The limit is per kiosk and address, so
a flood from elsewhere does not stop the kiosk's own presses (behind the reverse proxy the
address is the client's only where the proxy's forwarded address is trusted)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.config import settings
from app.core.refusal import Refusal
from app.extensions import db
from app.queue.models import Ticket

WINDOW = timedelta(minutes=1)
MESSAGE = "ただいま発券が混み合っています。少し待ってから、もう一度ボタンを押してください。"


class KioskBusy(Refusal):
    """A press past the kiosk's limit: it issues no ticket."""


def check(ticket: Ticket) -> None:
    """Refuse the kiosk ticket just flushed when it is past the limit for its kiosk and address.

    It counts itself, after its number was taken: on PostgreSQL that number's row lock orders
    concurrent presses of a category, so each counts the tickets committed before it. The
    refusal rolls the request back, number included."""
    recent = db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.kiosk_id == ticket.kiosk_id, Ticket.issued_from == ticket.issued_from,
        Ticket.issued_at > ticket.issued_at - WINDOW))
    if (recent or 0) > settings().KIOSK_TICKETS_PER_MINUTE:
        raise KioskBusy(MESSAGE)
