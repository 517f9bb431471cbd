"""The monthly back office's figures for the counter's monthly report (業務報告書, 000 §6(15)⑥):
`monthly_checks_summary(session, first_day, last_day)` counts the monthly lists of the months in
the period, the mail-outs posted in it with their returns and replies, and the handovers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.counter.monthly.models import (
    Handover,
    MailOut,
    MailOutItem,
    MailOutState,
    MonthlyList,
    MonthlyListItem,
    MonthlyListKind,
    SubsidyCheck,
)


@dataclass(frozen=True)
class ListCount:
    kind: MonthlyListKind
    lists: int  # drawn for a month in the period
    items: int
    checked: int
    done: int  # lists marked done


@dataclass(frozen=True)
class MonthlyChecksSummary:
    first_day: date
    last_day: date
    lists: tuple[ListCount, ...]
    mailouts_posted: int
    letters_posted: int
    letters_returned: int
    survey_replies: int
    handovers_handed: int
    handovers_answered: int
    handovers_open: int  # handed over by the end of the period and not answered by then
    subsidy_checked: int  # medical-subsidy applications first-checked in the period
    subsidy_incomplete: int  # of those, with something missing
    subsidy_sent: int  # of those, sent to the city


def monthly_checks_summary(session: Session, first_day: date, last_day: date) -> MonthlyChecksSummary:
    start, end = datetime.combine(first_day, time.min), datetime.combine(last_day + timedelta(days=1), time.min)
    in_period = (MonthlyList.month >= first_day.replace(day=1), MonthlyList.month <= last_day)
    counts = []
    for kind in MonthlyListKind:
        lists, done = session.execute(select(func.count(MonthlyList.id), func.count(MonthlyList.done_at))
                                      .where(MonthlyList.kind == kind, *in_period)).one()
        items, checked = session.execute(
            select(func.count(MonthlyListItem.id), func.count(MonthlyListItem.checked_at))
            .join(MonthlyList, MonthlyList.id == MonthlyListItem.list_id)
            .where(MonthlyList.kind == kind, *in_period)).one()
        counts.append(ListCount(kind, int(lists), int(items), int(checked), int(done)))
    posted = (MailOut.state == MailOutState.posted, MailOut.posted_on >= first_day, MailOut.posted_on <= last_day)
    mailouts, letters = session.execute(select(func.count(MailOut.id), func.coalesce(func.sum(MailOut.letters), 0))
                                        .where(*posted)).one()
    returned = session.scalar(select(func.count(MailOutItem.id)).where(
        MailOutItem.returned_on >= first_day, MailOutItem.returned_on <= last_day))
    replied = session.scalar(select(func.count(MailOutItem.id)).where(
        MailOutItem.replied_on >= first_day, MailOutItem.replied_on <= last_day))
    handed = session.scalar(select(func.count(Handover.id)).where(Handover.handed_at >= start,
                                                                   Handover.handed_at < end))
    answered = session.scalar(select(func.count(Handover.id)).where(Handover.answered_at >= start,
                                                                     Handover.answered_at < end))
    still_open = session.scalar(select(func.count(Handover.id)).where(
        Handover.handed_at < end, Handover.answered_at.is_(None) | (Handover.answered_at >= end)))
    checks = list(session.scalars(select(SubsidyCheck).where(SubsidyCheck.checked_at >= start,
                                                              SubsidyCheck.checked_at < end)))
    return MonthlyChecksSummary(first_day, last_day, tuple(counts), int(mailouts), int(letters), int(returned or 0),
                                int(replied or 0), int(handed or 0), int(answered or 0), int(still_open or 0),
                                len(checks), sum(bool(c.missing) for c in checks),
                                sum(c.handover_id is not None for c in checks))
