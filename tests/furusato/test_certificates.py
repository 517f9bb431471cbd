"""寄附金受領証明書: the due date of 004 §7(4)ア, the work list and `flask furusato certificates due`."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato import services
from app.furusato.certificate_numbers import issue
from app.furusato.certificates import due_date, due_list
from app.furusato.models import Donation, Donor


def test_due_two_weeks_after_the_payment_on_an_office_day() -> None:
    assert due_date(date(2026, 6, 1)) == date(2026, 6, 15)  # Monday → Monday, 14 days


def test_due_is_brought_forward_when_the_fourteenth_day_is_closed() -> None:
    # 2026-04-20 + 14 = 2026-05-04 (みどりの日), 5/2-5/3 a weekend, 5/5-5/6 holidays: Friday 1 May.
    assert due_date(date(2026, 4, 20)) == date(2026, 5, 1)
    assert due_date(date(2026, 6, 6)) == date(2026, 6, 19)  # 6/20 is a Saturday


def test_payments_of_29_to_31_december_are_due_on_5_january() -> None:
    for day in (29, 30, 31):
        assert due_date(date(2026, 12, day)) == date(2027, 1, 5)  # a Tuesday
    # 28 December is not in the spec's 年末の休日: its two weeks run to 11 January (成人の日),
    # brought forward to Friday 8 January.
    assert due_date(date(2026, 12, 28)) == date(2027, 1, 8)


def test_5_january_on_a_weekend_stands_when_no_office_day_lies_before_it() -> None:
    # 2025-01-05 is a Sunday; 4 January a Saturday, 1-3 January and 29-31 December closed.
    assert due_date(date(2024, 12, 30)) == date(2025, 1, 5)


def _donation(portal_id: int, order: str, name: str, paid_on: date | None, status: str = "paid") -> Donation:
    donor = Donor(name=name, kana="キフ", postal_code="0210000", prefecture="岩手県", address="一関市1-1")
    db.session.add(donor)
    db.session.flush()
    donation = Donation(order_id=order, portal_id=portal_id, donor_id=donor.id, amount=1_234_567, name=name,
                        applied_at=datetime(2026, 5, 1, 10), applied_on=date(2026, 5, 1), paid_on=paid_on,
                        payment_method="card", status=status)
    db.session.add(donation)
    return donation


def _waiting(furusato) -> None:
    portal = services.portal_by_code("choice")
    _donation(portal.id, "A1", "髙橋 一郎", date(2026, 11, 2))   # due 11/16: overdue on 12/1
    _donation(portal.id, "A2", "山﨑 花子", date(2026, 11, 20))  # due 12/4
    _donation(portal.id, "A3", "未入金 太郎", None, "unpaid")
    _donation(portal.id, "A4", "発送済 次郎", date(2026, 11, 1), "posted")
    issued = _donation(portal.id, "A5", "発行済 三郎", date(2026, 11, 1))
    db.session.flush()
    issue([issued], "batch-0", by=None)  # issued, not yet posted: no longer waiting
    db.session.commit()


def test_the_list_shows_paid_donations_without_a_certificate_and_marks_the_overdue(app, furusato, make_user) -> None:
    _waiting(furusato)
    result = due_list(date(2026, 12, 1), by=make_user("operator", "op1", programme="furusato"))
    assert [(line.donation.order_id, line.due, line.overdue) for line in result.rows] == [
        ("A1", date(2026, 11, 16), True), ("A2", date(2026, 12, 4), False)]
    assert (result.count, result.overdue) == (2, 1)


def test_the_page_lists_and_counts_them_and_audits_the_read(client, login_as, furusato) -> None:
    _waiting(furusato)
    login_as("operator")
    page = client.get("/furusato/certificates/due").get_data(as_text=True)
    assert "髙橋 一郎" in page and "山﨑 花子" in page and "未入金" not in page and "発送済 次郎" not in page
    assert "発行済 三郎" not in page
    assert "2件" in page and "1,234,567円" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")
                               .order_by(AuditEntry.id.desc())).first()
    assert "受領証明書の発送期限" in entry.detail


def test_the_cli_prints_one_json_line_per_donation_due(app, furusato) -> None:
    _waiting(furusato)
    result = app.test_cli_runner().invoke(args=["furusato", "certificates", "due", "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(x["name"], x["amount"], x["paid_on"], x["due"], x["overdue"]) for x in lines] == [
        ("髙橋 一郎", 1_234_567, "2026-11-02", "2026-11-16", True),
        ("山﨑 花子", 1_234_567, "2026-11-20", "2026-12-04", False)]
    assert all(isinstance(x["donation"], int) for x in lines)
