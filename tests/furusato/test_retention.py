"""保存期間と廃棄 (004 §8; 特記事項 §12, issue 19 §5): periods set by the city, the sweep, a
disposal applied for, approved, carried out and recorded; nothing before the approval, and the
audit log keeps the fact without the personal data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.calls import services as calls
from app.furusato.models import Correction, Donation, Donor
from app.furusato.retention import services as retention
from app.staff import disposal, documents
from app.staff.models import DisposalKind, DisposalRequest, DisposalState
from tests.conftest import PASSWORD
from tests.counter.test_home import _line
from tests.furusato.reporting_data import donation, donor


def _old_and_new() -> tuple[Donation, Donation]:
    today = date.today()
    old_donor, new_donor = donor("古川 昔子", "0190000009"), donor("新田 今子", "0190000008")
    old = donation(old_donor, today.replace(year=today.year - 6), 10_000, order="OLD", gift="米")
    new = donation(new_donor, today - timedelta(days=30), 20_000, order="NEW")
    db.session.add(Correction(donation_id=old.id, field="address", old_value="旧住所1-1", new_value="一関市1-1",
                              source="staff"))
    db.session.commit()
    return old, new


def test_the_city_sets_periods_between_5_and_7_years(app, furusato, make_user) -> None:
    city, supervisor = make_user("city_staff", "c1"), make_user("supervisor", "s1")
    with pytest.raises(retention.RetentionRefused):
        retention.set_period("donation", 6, by=supervisor)
    with pytest.raises(retention.RetentionRefused) as refused:
        retention.set_period("donation", 8, by=city)
    assert refused.value.problems[0].field == "years"
    retention.set_period("donation", 7, by=city)
    assert retention.years_of(DisposalKind.donation) == 7 and retention.years_of(DisposalKind.inquiry) == 5


def test_the_sweep_lists_what_passed_its_period(app, furusato) -> None:
    old, _ = _old_and_new()
    rows = {r.kind: r for r in retention.sweep(date.today())}
    assert rows[DisposalKind.donation].count == 1 and rows[DisposalKind.donation].oldest == old.applied_on
    assert rows[DisposalKind.inquiry].count == 0
    retention.sweep(date.today())  # once a day per kind
    db.session.commit()
    assert retention.due_total() == 1


def test_a_disposal_is_applied_for_approved_carried_out_and_recorded(app, furusato, make_user) -> None:
    old, new = _old_and_new()
    supervisor, city, operator = make_user("supervisor", "s1"), make_user("city_staff", "c1"), make_user("operator")
    with pytest.raises(disposal.DisposalRefused):
        disposal.apply("furusato", retention.default_input(DisposalKind.donation), by=operator)
    with pytest.raises(disposal.DisposalRefused) as refused:
        disposal.apply("furusato", disposal.DisposalInput("donation", "", "", "", None), by=supervisor)
    assert {p.field for p in refused.value.problems} == {"items", "medium", "method", "planned_on"}
    request = disposal.apply("furusato", retention.default_input(DisposalKind.donation), by=supervisor)
    assert (request.count, request.state) == (1, DisposalState.requested)
    with pytest.raises(disposal.DisposalRefused):
        disposal.start(request, by=supervisor)  # not without the city's approval
    with pytest.raises(disposal.DisposalRefused):
        disposal.decide(request, True, "", by=supervisor)
    disposal.decide(request, True, "承認します", by=city)
    disposal.start(request, by=supervisor)
    db.session.commit()  # the task runs after the commit (the unit tests' immediate queue)
    request = db.session.get(DisposalRequest, request.id, populate_existing=True)
    assert (request.state, request.disposed_records) == (DisposalState.done, 1)
    old = db.session.get(Donation, old.id, populate_existing=True)
    assert (old.name, old.phone, old.address, old.amount, old.gift_name) == ("", "", "", 10_000, "米")
    assert db.session.get(Donor, old.donor_id).name == ""
    assert db.session.scalar(select(Correction.id).where(Correction.donation_id == old.id)) is None
    assert db.session.get(Donation, new.id).name == "新田 今子"
    details = " ".join(db.session.scalars(select(AuditEntry.detail)
                                          .where(AuditEntry.object_type == disposal.SUBJECT)))
    assert "廃棄を実施" in details and "古川" not in details
    assert documents.disposal_pdf(request, by=city).startswith(b"%PDF")
    assert retention.overview(date.today())[0].due == 0


def test_inquiries_past_their_period_are_deleted(app, furusato, make_user) -> None:
    supervisor, city = make_user("supervisor", "s1"), make_user("city_staff", "c1")
    data = calls.InquiryInput("phone", "donor", "", "", None, "gift", "古い問い合わせ", "", "open", None)
    inquiry = calls.record(data, by=supervisor)
    inquiry.received_at = inquiry.received_at.replace(year=inquiry.received_at.year - 6)
    db.session.commit()
    request = disposal.apply("furusato", retention.default_input(DisposalKind.inquiry), by=supervisor)
    disposal.decide(request, True, "", by=city)
    disposal.start(request, by=supervisor)
    db.session.commit()
    assert db.session.scalar(select(calls.Inquiry.id)) is None


def _login(client, user) -> str:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client.get("/").get_data(as_text=True)


def test_each_programme_sees_its_own_requests_on_its_pages_and_home(client, furusato, make_user) -> None:
    """One table for both programmes' disposals: the retention page lists the donation office's
    retained kinds, the contract-end page the programme's erasures, the home pages count what
    waits for the city in the user's programme, and another programme's request is not shown."""
    _old_and_new()
    supervisor, city = make_user("supervisor", "s1"), make_user("city_staff", "c1")
    counter_lead = make_user("supervisor", "s2", programme="counter")
    counter_city = make_user("city_staff", "c2", programme="counter")
    retained = disposal.apply("furusato", retention.default_input(DisposalKind.donation), by=supervisor)

    def erasure(programme: str, by) -> DisposalRequest:
        data = disposal.DisposalInput(DisposalKind.contract_end, "個人情報", "DB", "削除", date.today(), "全件")
        return disposal.apply(programme, data, by=by)

    ours, theirs = erasure("furusato", supervisor), erasure("counter", counter_lead)
    db.session.commit()
    home = _login(client, city)
    assert _line(home, "廃棄の申請（承認待ち）") == ("/furusato/retention", "1")
    assert _line(home, "個人情報の消去申請（承認待ち）")[1] == "1"  # the furusato erasure, not the counter's
    page = client.get("/furusato/retention").get_data(as_text=True)
    assert f"/furusato/retention/disposals/{retained.id}\"" in page
    detail = client.get(f"/furusato/retention/disposals/{retained.id}").get_data(as_text=True)
    assert "判断を記録する" in detail and "より前の記録 1件（申請時）" in detail
    assert f"/disposals/{ours.id}\"" not in page and f"/disposals/{theirs.id}\"" not in page
    end = client.get("/staff/furusato/contract-end").get_data(as_text=True)
    assert f"/staff/erasures/{ours.id}\"" in end and f"/erasures/{retained.id}\"" not in end
    assert client.get(f"/staff/erasures/{retained.id}").status_code == 404  # not a contract-end request
    pages = {retained.id: f"/furusato/retention/disposals/{retained.id}", ours.id: f"/staff/erasures/{ours.id}"}
    for made, page in pages.items():
        assert client.get(f"/staff/disposals/{made}").location == page  # where the audit log links
    assert client.get(f"/furusato/retention/disposals/{ours.id}").status_code == 404
    assert client.get(f"/staff/erasures/{theirs.id}").status_code == 403
    home = _login(client, counter_city)
    assert _line(home, "個人情報の消去申請（承認待ち）")[1] == "1" and "廃棄の申請（承認待ち）" not in home
    assert client.get(f"/staff/erasures/{ours.id}").status_code == 403
    assert client.get(f"/staff/disposals/{ours.id}").status_code == 403
    assert client.get(f"/furusato/retention/disposals/{retained.id}").status_code in (403, 404)
    assert client.get(f"/staff/erasures/{theirs.id}").status_code == 200
