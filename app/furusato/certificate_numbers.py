"""寄附金受領証明書の番号: one run per fiscal year (April-March), unique and without gaps.

The counter row of the year is read FOR UPDATE and moved on in the caller's transaction, the
one that writes the certificates: a second batch waits for the first to commit or roll back,
and a batch that fails takes its numbers back with it (issue 16 §2).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.furusato.models import CertificateCounter


def take_numbers(fiscal_year: int, count: int) -> range:
    """`count` numbers of the fiscal year for certificates written in this transaction."""
    query = select(CertificateCounter).where(CertificateCounter.fiscal_year == fiscal_year).with_for_update()
    counter = db.session.scalar(query)
    if counter is None:  # the year's first number: two first takers race to make the row
        try:
            with db.session.begin_nested():
                db.session.add(CertificateCounter(fiscal_year=fiscal_year, last_number=0))
        except IntegrityError:
            pass  # the other made it; wait for its lock below
        counter = db.session.scalar(query.execution_options(populate_existing=True))
        assert counter is not None
    first = counter.last_number + 1
    counter.last_number += count
    db.session.flush()
    return range(first, first + count)
