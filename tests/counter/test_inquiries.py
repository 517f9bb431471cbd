"""The inquiry and complaint log (000 §6(15)②, §14): recorded with every problem at once,
searched and paged, a complaint open until it is answered, and the month's counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from app.auth.models import Programme
from app.core.dates import now
from app.counter import inquiries
from app.counter.cases import CaseError
from app.extensions import db
from app.staff import incidents
from app.staff.incidents import IncidentInput

BASE = inquiries.InquiryInput(kind="inquiry", channel="phone", received_at=datetime(2026, 11, 5, 10, 0),
                              category="certificate", procedure_code="resident_record_copy",
                              question="住民票の写しに必要なものは", answer="本人確認書類と手数料300円",
                              handling="", handed_to_city=False, handed_to="", minutes=4)


def test_every_problem_is_named_at_once(operator) -> None:
    bad = replace(BASE, kind="x", channel="", received_at=now() + timedelta(days=1), category="seal",
                  question=" ", answer="", handed_to_city=True, minutes=0)
    with pytest.raises(CaseError) as refused:
        inquiries.record(bad, by=operator)
    assert {p.field for p in refused.value.problems} == {
        "kind", "channel", "received_at", "procedure_code", "question", "handed_to", "minutes"}


def test_city_staff_do_not_record(city) -> None:
    with pytest.raises(CaseError):
        inquiries.record(BASE, by=city)


def test_a_complaint_stays_open_until_answered(operator) -> None:
    complaint = inquiries.record(replace(BASE, kind="complaint", channel="window", answer="", procedure_code="",
                                         category="other", question="待ち時間が長い"), by=operator)
    assert complaint.is_open and inquiries.open_complaints() == 1
    with pytest.raises(CaseError) as refused:
        inquiries.answer_complaint(complaint, "", "", by=operator)
    assert {p.field for p in refused.value.problems} == {"handling", "answer"}
    inquiries.answer_complaint(complaint, "統括責任者が説明", "混雑時の案内を増やします", by=operator)
    assert not complaint.is_open and inquiries.open_complaints() == 0


def test_search_pages_and_counts(operator) -> None:
    for n in range(55):
        inquiries.record(replace(BASE, received_at=datetime(2026, 11, 1, 9, 0) + timedelta(hours=n),
                                 question=f"問い合わせ{n}", channel="window" if n % 5 == 0 else "phone"), by=operator)
    first = inquiries.search(inquiries.InquirySearch(), by=operator)
    assert first.count == 55 and first.pages == 2 and len(first.rows) == 50
    assert first.rows[0].question == "問い合わせ54"
    window = inquiries.search(inquiries.InquirySearch(channel="window"), by=operator)
    assert window.count == 11
    found = inquiries.search(inquiries.InquirySearch(text="問い合わせ1", first=date(2026, 11, 1),
                                                     last=date(2026, 11, 1)), by=operator)
    assert {i.question for i in found.rows} == {"問い合わせ1", "問い合わせ10", "問い合わせ11", "問い合わせ12",
                                                 "問い合わせ13", "問い合わせ14"}


def test_the_month_s_summary(operator, make_user) -> None:
    inquiries.record(BASE, by=operator)
    inquiries.record(replace(BASE, received_at=datetime(2026, 11, 30, 17, 0), handed_to_city=True,
                             handed_to="市民課 係長", answer="", minutes=10), by=operator)
    inquiries.record(replace(BASE, kind="complaint", answer="", received_at=datetime(2026, 11, 20, 9, 0),
                             minutes=16), by=operator)
    inquiries.record(replace(BASE, received_at=datetime(2026, 12, 1, 9, 0)), by=operator)  # next month
    supervisor = make_user("supervisor", "lead1")
    incidents.report(Programme.counter, IncidentInput("wrong_person", datetime(2026, 11, 10, 11, 0), "2番窓口",
                                                      "別人に交付", "住民票の写し1通", 1, "回収した"), by=supervisor)
    summary = inquiries.inquiry_summary(db.session, date(2026, 11, 1), date(2026, 11, 30))
    assert summary == {"inquiries": 2, "complaints": 1, "by_channel": {"phone": 3}, "by_category": {"certificate": 3},
                       "handed_to_city": 1, "complaints_open": 1, "minutes_total": 30, "average_minutes": 10.0,
                       "incidents": 1}
