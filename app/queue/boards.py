"""The counters' LED call boards (000 §11 別表): each shows the number called to its counter,
through a device job for the counter PC's agent (DESIGN "Hardware")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core.models import Counter
from app.devices import jobs
from app.devices.models import DeviceJob, DeviceKind, JobKind, Terminal, TerminalKind
from app.extensions import db


def counter_terminal(counter: Counter, device: str) -> Terminal | None:
    """The counter PC of a counter that has `device` bound."""
    for terminal in db.session.scalars(select(Terminal).where(
            Terminal.counter_id == counter.id, Terminal.kind == TerminalKind.counter_pc, Terminal.active.is_(True))):
        if jobs.binding(terminal, device) is not None:
            return terminal
    return None


def show(counter: Counter, text: str) -> DeviceJob | None:
    """The counter's serial LED call board shows its current number (through the agent)."""
    terminal = counter_terminal(counter, DeviceKind.call_board)
    if terminal is None:
        return None
    return jobs.enqueue(terminal, jobs.JobSpec(DeviceKind.call_board, JobKind.call_board, {"text": text},
                                               f"呼出表示 {counter.label} {text}", "counter", counter.id))


def clear(counter_id: int | None) -> None:
    """The counter is free: its board goes blank until the next call."""
    counter = db.session.get(Counter, counter_id) if counter_id else None
    if counter is not None:
        show(counter, "")


def still_called_labels(board: str, day: date) -> list[str]:
    """The day's numbers still called on a call display (at a counter, or called to the cashier)."""
    from app.queue.models import AT_COUNTER, Board, Ticket, TicketState

    states = AT_COUNTER if board == Board.queue else (TicketState.cashier_called,)
    return [t.label for t in db.session.scalars(
        select(Ticket).where(Ticket.office_day == day, Ticket.state.in_(states)))]
