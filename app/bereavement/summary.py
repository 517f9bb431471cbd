"""The bereavement corner's counts for the monthly report (issue 20 §3: count reservations
and visits in the monthly report). The reports package calls this as one of its sections."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bereavement.models import ItemOutcome, Reservation, ReservationItem, ReservationState, Slot


def bereavement_summary(session: Session, first_day: date, last_day: date) -> dict[str, Any]:
    """Counts for reservations whose slot falls in [first_day, last_day]: booked (not
    cancelled) by channel, visits held, cancelled, counter cases opened and procedures handed
    over by department."""
    in_month = (Slot.day >= first_day, Slot.day <= last_day)
    by_state = dict(session.execute(select(Reservation.state, func.count()).join(Slot).where(*in_month)
                                    .group_by(Reservation.state)).all())
    by_channel = dict(session.execute(select(Reservation.channel, func.count()).join(Slot).where(
        *in_month, Reservation.state != ReservationState.cancelled).group_by(Reservation.channel)).all())
    items = (select(ReservationItem.department, ReservationItem.outcome, func.count())
             .join(Reservation, ReservationItem.reservation_id == Reservation.id).join(Slot)
             .where(*in_month).group_by(ReservationItem.department, ReservationItem.outcome))
    cases = handed = 0
    by_department: dict[str, int] = {}
    for department, outcome, n in session.execute(items):
        if outcome == ItemOutcome.case_opened:
            cases += n
        elif outcome == ItemOutcome.handed_over:
            handed += n
            by_department[department] = by_department.get(department, 0) + n
    return {
        "reservations": sum(n for s, n in by_state.items() if s != ReservationState.cancelled),
        "visits": by_state.get(ReservationState.visiting, 0) + by_state.get(ReservationState.done, 0),
        "cancelled": by_state.get(ReservationState.cancelled, 0),
        "by_channel": {str(k): v for k, v in by_channel.items()},
        "cases_opened": cases,
        "handed_over": handed,
        "handed_over_by_department": by_department,
    }
