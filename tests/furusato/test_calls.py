"""コールセンター (004 §7(8), issue 19 §4): an inquiry recorded with every problem refused at
once, the donor matched, the donor's timeline, the city's read access, the centre's hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.calls import services as calls
from app.furusato.calls import timeline
from app.furusato.calls.models import Inquiry
from tests.furusato.reporting_data import donation, donor


def _input(**changes) -> calls.InquiryInput:
    base = dict(channel="phone", caller_kind="donor", caller_name="", caller_contact="", donor_id=None,
                category="gift", said="りんごが届かない", done="", state="open", follow_up_on=None)
    return calls.InquiryInput(**{**base, **changes})


def test_every_problem_is_refused_at_once_and_nothing_is_kept(app, furusato, make_user) -> None:
    with pytest.raises(calls.InquiryRefused) as refused:
        calls.record(_input(category="", said=" ", donor_id=999, state="follow_up"), by=make_user("operator"))
    assert {p.field for p in refused.value.problems} == {"category", "said", "donor_id", "follow_up_on"}
    assert db.session.scalar(select(Inquiry.id)) is None


def test_an_inquiry_of_a_matched_donor_is_on_their_timeline(app, furusato, make_user) -> None:
    operator = make_user("operator")
    person = donor()
    donation(person, date(2026, 10, 1), 10_000, order="T1")
    assert [d.id for d in calls.match_donors("019-000-0001", by=operator)] == [person.id]
    assert [d.id for d in calls.match_donors("タカハシ　イチロウ", by=operator)] == [person.id]
    inquiry = calls.record(_input(donor_id=person.id, state="follow_up", follow_up_on=date.today() + timedelta(days=1)),
                           by=operator)
    db.session.commit()
    with app.test_request_context():
        entries = timeline.timeline(person.id)
    assert [e.kind for e in entries] == ["問い合わせ", "寄附"]
    assert "返礼品（電話・折り返し予定）：りんごが届かない" in entries[0].text
    assert calls.follow_ups_due(date.today() + timedelta(days=1)) == 1 and calls.follow_ups_due(date.today()) == 0
    audited = db.session.scalars(select(AuditEntry.object_type).where(AuditEntry.detail.contains(f"#{inquiry.id}")))
    assert set(audited) == {"furusato_inquiry", "furusato_donor"}


def test_closing_needs_what_was_done(app, furusato, make_user) -> None:
    operator = make_user("operator")
    inquiry = calls.record(_input(), by=operator)
    with pytest.raises(calls.InquiryRefused) as refused:
        calls.update(inquiry, _input(state="closed"), by=operator)
    assert [p.field for p in refused.value.problems] == ["done"]
    calls.update(inquiry, _input(state="closed", done="事業者に確認し再送"), by=operator)
    assert inquiry.closed_at is not None and inquiry.state == "closed"


def test_the_city_reads_the_inquiries_but_does_not_record_them(client, login_as, furusato, make_user) -> None:
    calls.record(_input(caller_name="匿名"), by=make_user("operator", "op-x"))
    db.session.commit()
    login_as("city_staff")
    page = client.get("/furusato/inquiries").get_data(as_text=True)
    assert "りんごが届かない" in page and 'id="inquiry-form"' not in page
    assert client.post("/furusato/inquiries", data={"said": "x"}).status_code == 403


def test_the_form_keeps_the_input_and_names_the_fields(client, login_as, furusato) -> None:
    login_as("operator")
    response = client.post("/furusato/inquiries", data={"channel": "phone", "caller_kind": "donor", "category": "",
                                                        "said": "キャンセルしたい", "state": "open"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "分類を一覧から選んでください。" in body and "キャンセルしたい" in body


def test_the_centre_is_open_on_office_days_from_9_to_17(app) -> None:
    assert calls.call_hours(date(2026, 12, 2)) == (calls.CALL_OPENS, calls.CALL_CLOSES)  # a Wednesday
    assert calls.call_hours(date(2026, 12, 5)) is None  # a Saturday
    assert calls.call_hours(date(2026, 12, 30)) is None  # 年末の休日
    assert calls.hours_label(datetime(2026, 12, 2, 10)).startswith("受付時間中")
    assert "令和8年12月3日" in calls.hours_label(datetime(2026, 12, 2, 17, 30))
