"""寄附金受領証明書の番号: one run per fiscal year (April-March), unique and without gaps.

The counter row of the year is read FOR UPDATE and moved on in the caller's transaction, the
one that writes the certificates: a second batch waits for the first to commit or roll back,
and a batch that fails takes its numbers back with it (issue 16 §2).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year, today
from app.extensions import db
from app.furusato.models import Certificate, CertificateCounter, Donation


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


def issue(donations: list[Donation], batch: str, *, by: User | None) -> list[Certificate]:
    """Certificates for these donations, numbered in the fiscal year of today (the issue day),
    in the caller's transaction: nothing of them stays, numbers included, if it rolls back."""
    year = fiscal_year(today())
    made = [Certificate(fiscal_year=year, number=number, donation_id=d.id, donor_id=d.donor_id, batch=batch)
            for d, number in zip(donations, take_numbers(year, len(donations)), strict=True)]
    db.session.add_all(made)
    db.session.flush()
    for certificate in made:
        audit.record("create", "furusato_donation", certificate.donation_id,
                     f"寄附金受領証明書 {certificate.fiscal_year}年度 第{certificate.number}号", by=by)
    return made


def reissue(original: Certificate, *, by: User | None) -> Certificate:
    """A 再発行 of a certificate: the same number, pointing at the original."""
    source = original if original.reissue_of_id is None else db.session.get(Certificate, original.reissue_of_id)
    assert source is not None
    copy = Certificate(fiscal_year=source.fiscal_year, number=source.number, donation_id=source.donation_id,
                       donor_id=source.donor_id, batch="", reissue_of_id=source.id)
    db.session.add(copy)
    db.session.flush()
    audit.record("create", "furusato_donation", copy.donation_id,
                 f"寄附金受領証明書の再発行 {copy.fiscal_year}年度 第{copy.number}号", by=by)
    return copy


def of_donation(donation: Donation) -> list[Certificate]:
    """The donation's certificates as issued, the original first, then its reissues."""
    return list(db.session.scalars(select(Certificate).where(Certificate.donation_id == donation.id)
                                   .order_by(Certificate.issued_at, Certificate.id)))


def batch_id_of(certificate: Certificate) -> int | None:
    """The print batch a certificate went out in (its label is batch-N), None while waiting."""
    prefix, _, number = certificate.batch.partition("-")
    return int(number) if prefix == "batch" and number.isdigit() else None
