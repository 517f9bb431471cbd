"""The back-office ledgers' figures for the counter's monthly report (業務報告書, 000 §10):
what each ledger took in and finished in the period, and what was still open at its end."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.counter.backoffice import passports
from app.counter.backoffice.models import Forwarding, HouseNumberNotice, ReturnedCard
from app.counter.backoffice.models import PassportApplication as Passport


def _between(column: Any, first: date, last: date) -> Any:
    return column.between(first, last)


def backoffice_summary(session: Session, first_day: date, last_day: date) -> dict[str, int]:
    def count(model: type[Any], *where: Any) -> int:
        return int(session.scalar(select(func.count(model.id)).where(*where)) or 0)

    passport_open_at_end = (Passport.issued_on <= passports.last_lapsed_issue(last_day),
                            (Passport.handed_on.is_(None)) | (Passport.handed_on > last_day),
                            (Passport.returned_on.is_(None)) | (Passport.returned_on > last_day))
    return {
        "passports_received": count(Passport, _between(Passport.received_on, first_day, last_day)),
        "passports_handed": count(Passport, _between(Passport.handed_on, first_day, last_day)),
        "passports_returned": count(Passport, _between(Passport.returned_on, first_day, last_day)),
        "passports_past_six_months": count(Passport, *passport_open_at_end),
        "house_numbers_issued": count(HouseNumberNotice, _between(HouseNumberNotice.issued_on, first_day, last_day)),
        "house_numbers_handed": count(HouseNumberNotice, _between(HouseNumberNotice.handed_on, first_day, last_day)),
        "forwardings_sent": count(Forwarding, _between(Forwarding.sent_on, first_day, last_day)),
        "forwardings_answered": count(Forwarding, _between(Forwarding.answered_on, first_day, last_day)),
        "forwardings_overdue": count(Forwarding, Forwarding.due_on < last_day, Forwarding.sent_on <= last_day,
                                     Forwarding.answered_on.is_(None) | (Forwarding.answered_on > last_day)),
        "cards_returned": count(ReturnedCard, _between(ReturnedCard.returned_on, first_day, last_day)),
        "cards_handed": count(ReturnedCard, _between(ReturnedCard.handed_on, first_day, last_day)),
        "cards_destroyed": count(ReturnedCard, _between(ReturnedCard.destroyed_on, first_day, last_day)),
        "cards_open": count(ReturnedCard, ReturnedCard.returned_on <= last_day,
                            ReturnedCard.handed_on.is_(None) | (ReturnedCard.handed_on > last_day),
                            ReturnedCard.destroyed_on.is_(None) | (ReturnedCard.destroyed_on > last_day)),
    }
