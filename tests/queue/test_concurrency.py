"""Many operators pressing "call next" at the same instant never get the same ticket (issue 4),
on SQLite (serialised writers) and PostgreSQL (FOR UPDATE SKIP LOCKED + compare-and-set)."""

from __future__ import annotations

import threading
from collections import Counter as Tally

from sqlalchemy import func, select

from app.core import services as core_services
from app.extensions import db
from app.queue import services
from app.queue.models import Call, Ticket

THREADS = 16
TICKETS = 240


def _call_until_empty(app, counter_id: int, barrier: threading.Barrier, taken: list[int],
                      errors: list[BaseException]) -> None:
    try:
        barrier.wait()
        while True:
            with app.app_context():
                counter = db.session.get(core_services.Counter, counter_id)
                ticket = services.call_next(counter, finish_current=True)
                ticket_id = ticket.id if ticket else None
                db.session.commit()
                db.session.remove()
            if ticket_id is None:
                return
            taken.append(ticket_id)
    except BaseException as exc:  # the main thread reports it
        errors.append(exc)


def test_concurrent_call_next_never_duplicates(app, clock, office) -> None:
    counters = [core_services.save_counter(None, 100 + n, f"並行窓口{n}", "citizens") for n in range(THREADS)]
    office.a.counters = counters
    for _ in range(TICKETS):
        services.issue_ticket(office.a, at=clock.at)
    counter_ids = [c.id for c in counters]
    db.session.commit()
    db.session.close()  # the main thread must not hold a transaction (SQLite's write lock)

    barrier = threading.Barrier(THREADS)
    taken: list[int] = []
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_call_until_empty, args=(app, cid, barrier, taken, errors))
               for cid in counter_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    duplicates = [ticket_id for ticket_id, n in Tally(taken).items() if n > 1]
    assert duplicates == []
    assert len(taken) == TICKETS
    seqs = db.session.scalars(select(Call.seq).where(Call.board == "queue").order_by(Call.seq)).all()
    assert seqs == list(range(1, TICKETS + 1))  # one number per call, none skipped or repeated
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.state == "waiting")) == 0
    per_ticket = db.session.execute(select(Call.ticket_id, func.count()).group_by(Call.ticket_id)).all()
    assert len(per_ticket) == TICKETS and {n for _, n in per_ticket} == {1}
    # the work was shared: more than one operator got tickets
    assert len(db.session.scalars(select(Ticket.counter_id).distinct()).all()) > 1


def test_concurrent_cashier_calls_never_duplicate(app, clock, office) -> None:
    for _ in range(60):
        ticket = services.issue_ticket(office.a, at=clock.at)
        ticket.state, ticket.cashier_sent_at, ticket.finished_at = "cashier_waiting", clock.at, clock.at
    db.session.commit()
    db.session.close()
    barrier = threading.Barrier(8)
    taken: list[int] = []
    errors: list[BaseException] = []

    def work(place: str) -> None:
        try:
            barrier.wait()
            while True:
                with app.app_context():
                    ticket = services.call_next_cashier(place)
                    ticket_id = ticket.id if ticket else None
                    db.session.commit()
                    db.session.remove()
                if ticket_id is None:
                    return
                taken.append(ticket_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"レジ{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(taken) == 60 and len(set(taken)) == 60
