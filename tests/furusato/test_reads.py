"""The donor-match page writes a read of both donors of every pair it shows (issue #14 §2; the
demo has no candidates, so the walk of tests/auth/test_reads_are_audited.py does not reach it)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.models import Donor


def test_the_match_candidates_page_is_a_read_of_both_donors(client, login_as, run_file, portal_file,
                                                             generator) -> None:
    d1, d2 = list(generator.donations(2, bad=0))
    person = replace(d1.person, family_kana="ヤマモト", given_kana="タロウ")
    run_file("ana", portal_file("ana", [replace(d1, person=person)]))
    run_file("ana", portal_file("ana", [replace(d2, person=replace(person, birth_date=None, street="別住所1-1",
                                                                    phone="090-0000-0000"))]))
    a, b = db.session.scalars(select(Donor).order_by(Donor.id)).all()
    user = login_as("operator")
    assert a.name in client.get("/furusato/donors/matches").get_data(as_text=True)
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read",
                                                          AuditEntry.object_type == "furusato_donor")).all()
    assert entry.user_id == user.id and entry.programme == "furusato"
    assert f"#{a.id}" in entry.detail and f"#{b.id}" in entry.detail
