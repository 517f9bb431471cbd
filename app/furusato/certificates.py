"""寄附金受領証明書: when each is due, and the work list of those still to be sent (issue 16 §2).

The due date (004 §7(4)ア): 「寄附金の収納が確認できた場合、…寄附金受領証明書等を印刷し、
…原則2週間以内に寄附者に対して発送すること。なお、年末の休日（12月29日から12月31日まで）の
入金分については翌年1月5日までに郵送すること。」 So a certificate is due 14 days after its
収納日 (Donation.paid_on), and one for money received 29–31 December by 5 January next year.

The spec counts calendar days and does not say what happens when that day is a closed day.
The office posts only on an office day (000 §5, app/core/calendar.py), so a deadline that falls
on a Saturday, Sunday, national holiday or the year-end closure is brought forward to the last
regular office day before it: a deadline is met early, never late. When no office day lies
between the 収納日 and the deadline (5 January a Sunday after a year-end payment: 4 January is
a Saturday and 1–3 January are closed) the spec's own date stands.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, func, select

from app.auth import audit
from app.auth.models import User
from app.core.calendar import is_regular_office_day
from app.extensions import db
from app.furusato.models import Certificate, Donation, DonationState

PAGE_SIZE = 100
POSTING_DAYS = 14  # 004 §7(4)ア 「原則2週間以内」


def spec_deadline(paid_on: date) -> date:
    """The deadline as 004 §7(4)ア writes it, in calendar days."""
    if paid_on.month == 12 and paid_on.day >= 29:  # 年末の休日（12月29日から12月31日まで）の入金分
        return date(paid_on.year + 1, 1, 5)
    return paid_on + timedelta(days=POSTING_DAYS)


def due_date(paid_on: date) -> date:
    """The day the certificate must be posted by: the spec's deadline, or the last office day
    before it when it falls on a closed day (see the module's docstring)."""
    deadline = spec_deadline(paid_on)
    day = deadline
    while not is_regular_office_day(day):
        day -= timedelta(days=1)
        if day <= paid_on:
            return deadline
    return day


@dataclass(frozen=True)
class DueLine:
    donation: Donation
    due: date
    overdue: bool


@dataclass(frozen=True)
class DuePage:
    rows: list[DueLine]
    count: int
    overdue: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _waiting() -> Select[tuple[Donation]]:
    """Every paid donation (status 入金済 with a 収納日) with no certificate issued yet."""
    issued = select(Certificate.id).where(Certificate.donation_id == Donation.id).exists()
    return select(Donation).where(Donation.status == DonationState.paid, Donation.paid_on.is_not(None), ~issued)


def _overdue_before(today: date) -> date:
    """Lines paid before this day are overdue today: due_date(paid_on) < today. due_date is
    monotone in paid_on but not closed-form, so find the latest 収納日 still on time."""
    paid = today - timedelta(days=POSTING_DAYS)
    while due_date(paid) < today:
        paid += timedelta(days=1)
    while paid > date.min + timedelta(days=1) and due_date(paid - timedelta(days=1)) >= today:
        paid -= timedelta(days=1)
    return paid


def waiting() -> Select[tuple[Donation]]:
    """The donations waiting for their certificate (for a batch to add its filters to)."""
    return _waiting()


def due_by(day: date) -> ColumnElement[bool]:
    """The donations whose certificate is due on or before `day`."""
    return Donation.paid_on < _overdue_before(day + timedelta(days=1))


def due_list(today: date, page: int = 1, *, by: User | None) -> DuePage:
    """One page of the donations waiting for their certificate, the earliest 収納日 first, with
    the count of all and of the overdue ones; a read of each donation shown."""
    base = _waiting().subquery()
    count = int(db.session.scalar(select(func.count()).select_from(base)) or 0)
    overdue = int(db.session.scalar(select(func.count()).select_from(base)
                                    .where(base.c.paid_on < _overdue_before(today))) or 0)
    page = min(max(1, page), max(1, -(-count // PAGE_SIZE)))
    donations = list(db.session.scalars(_waiting().order_by(Donation.paid_on, Donation.id)
                                        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    lines = [DueLine(d, due_date(d.paid_on), due_date(d.paid_on) < today) for d in donations if d.paid_on]
    audit.read_list("furusato_donation", (d.id for d in donations), f"受領証明書の発送期限（{page}ページ）", by=by)
    return DuePage(lines, count, overdue, page)


def all_due(today: date) -> Iterator[DueLine]:
    """Every waiting donation, the earliest 収納日 first, in chunks (for the CLI)."""
    for donation in db.session.scalars(_waiting().order_by(Donation.paid_on, Donation.id)
                                       .execution_options(yield_per=1000)):
        assert donation.paid_on is not None
        due = due_date(donation.paid_on)
        yield DueLine(donation, due, due < today)


@dataclass(frozen=True)
class DueSummary:
    this_week: int  # due within the next seven days, today included
    overdue: int


def due_summary(today: date) -> DueSummary:
    """How many waiting certificates are due within a week and how many are overdue (a home
    page's work list): paid_on < _overdue_before(d) exactly when due_date(paid_on) < d."""
    base = _waiting().subquery()
    late, week = _overdue_before(today), _overdue_before(today + timedelta(days=7))
    overdue = int(db.session.scalar(select(func.count()).select_from(base).where(base.c.paid_on < late)) or 0)
    this_week = int(db.session.scalar(select(func.count()).select_from(base)
                                      .where(base.c.paid_on >= late, base.c.paid_on < week)) or 0)
    return DueSummary(this_week, overdue)
