"""寄附金受領証明書の番号: gap-free and unique per fiscal year, also when batches run at once
(threads with their own sessions; row locks on PostgreSQL, BEGIN IMMEDIATE on SQLite), and a
failed batch uses no number."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.furusato.certificate_numbers import take_numbers
from app.furusato.models import CertificateCounter
from tests.register.test_concurrency import run_together

BATCHES = 6
EACH = 5


def test_concurrent_batches_take_gap_free_unique_numbers(app) -> None:
    def batch() -> list[int]:
        numbers = list(take_numbers(2026, EACH))
        db.session.commit()
        return numbers

    results = run_together(app, [batch] * BATCHES)
    assert not [r for r in results if isinstance(r, Exception)]
    taken = sorted(n for r in results for n in r)
    assert taken == list(range(1, BATCHES * EACH + 1))


def test_a_failed_batch_gives_its_numbers_back_and_years_count_apart(app) -> None:
    assert list(take_numbers(2026, 3)) == [1, 2, 3]
    db.session.commit()
    assert list(take_numbers(2026, 2)) == [4, 5]
    db.session.rollback()  # the batch failed
    assert list(take_numbers(2026, 1)) == [4]
    assert list(take_numbers(2027, 1)) == [1]
    db.session.commit()
    assert db.session.scalar(select(CertificateCounter.last_number).where(CertificateCounter.fiscal_year == 2026)) == 4


def test_issued_certificates_are_numbered_and_a_reissue_keeps_the_number(app, furusato) -> None:
    from datetime import date

    from app.core.dates import fiscal_year, today
    from app.furusato import services
    from app.furusato.certificate_numbers import issue, reissue
    from tests.furusato.test_certificates import _donation

    portal = services.portal_by_code("choice")
    donations = [_donation(portal.id, f"N{i}", f"髙橋 {i}", date(2026, 11, 2)) for i in range(3)]
    db.session.flush()
    made = issue(donations, "batch-1", by=None)
    assert [c.number for c in made] == [1, 2, 3] and {c.fiscal_year for c in made} == {fiscal_year(today())}
    again = reissue(made[1], by=None)
    assert (again.number, again.reissue_of_id) == (2, made[1].id)
    assert reissue(again, by=None).reissue_of_id == made[1].id
    db.session.commit()
