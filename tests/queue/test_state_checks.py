"""64c7071097be: the queue's states and kinds are checked by the database too, and a row reads
back as enum members (so a page says `ticket.state.label`)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.queue.models import Ticket, TicketState


@pytest.mark.parametrize(("column", "value"), [("state", "lost"), ("priority", "vip"), ("source", "web")])
def test_the_database_refuses_a_value_no_enum_has(issue, column: str, value: str) -> None:
    ticket = issue()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text(f"UPDATE queue_tickets SET {column} = :value WHERE id = :id"),  # noqa: S608
                           {"value": value, "id": ticket.id})
    db.session.rollback()


def test_a_ticket_reads_back_as_members(issue) -> None:
    ticket_id = issue(priority="elderly").id
    db.session.expire_all()
    ticket = db.session.get_one(Ticket, ticket_id)
    assert ticket.state is TicketState.waiting and ticket.state.label == "待ち"
    assert ticket.priority.label == "高齢" and ticket.source.label == "窓口"
