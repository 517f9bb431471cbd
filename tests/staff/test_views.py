"""The register's pages: who may do what, the counts and pages, the PDFs."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.staff import register
from app.staff.models import ChangeState, LeadChange, StaffEntry
from app.staff.register import EntryInput
from tests.conftest import PASSWORD
from tests.staff.conftest import PDF, days


def _login(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_supervisor_enters_and_the_city_approves_a_new_lead(client, people, with_lead) -> None:
    _login(client, people.supervisor)
    page = client.get("/staff/counter")
    assert page.status_code == 200 and "佐藤 一郎" in page.get_data(as_text=True)
    asked = client.post("/staff/counter/lead-changes", data={
        "name": "田中 次郎", "duty": "窓口統括", "start_on": days(2).isoformat(), "reason": "異動", "user_id": ""})
    assert asked.status_code == 303
    change = db.session.scalar(select(LeadChange))
    assert client.post(f"/staff/lead-changes/{change.id}/approve", data={"note": ""}).status_code == 403
    _login(client, people.city)
    shown = client.get(f"/staff/lead-changes/{change.id}").get_data(as_text=True)
    assert "承認する" in shown
    assert client.post(f"/staff/lead-changes/{change.id}/approve", data={"note": "了承"}).status_code == 303
    db.session.expire_all()
    assert change.state is ChangeState.approved
    pdf = client.get(f"/staff/lead-changes/{change.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.headers["Cache-Control"] == "no-store"


def test_a_refused_request_shows_every_problem(client, people, with_lead) -> None:
    _login(client, people.supervisor)
    response = client.post("/staff/counter/lead-changes", data={"name": "", "start_on": "", "reason": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "氏名を入力" in body and "交代予定日を入力" in body and "理由を入力" in body
    assert db.session.scalar(select(LeadChange)) is None


def test_the_city_reads_but_does_not_edit(client, people) -> None:
    _login(client, people.city)
    assert client.get("/staff/counter").status_code == 200
    response = client.post("/staff/counter/entries", data={"name": "x", "start_on": days(0).isoformat()})
    assert response.status_code == 403


def test_an_operator_sees_their_own_entry_only(client, people) -> None:
    entry = register.add_entry("counter", EntryInput("鈴木 花子", "交付", days(-3), people.operator.id),
                               by=people.supervisor)
    db.session.commit()
    _login(client, people.operator)
    assert client.get("/staff/").headers["Location"].endswith("/staff/me")
    mine = client.get("/staff/me").get_data(as_text=True)
    assert "鈴木 花子" in mine and "未提出" in mine
    assert client.get("/staff/counter").status_code == 403
    assert client.get(f"/staff/entries/{entry.id}").status_code == 403


def test_opening_an_entry_is_audited(client, people) -> None:
    entry = register.add_entry("counter", EntryInput("鈴木 花子", "", days(-3)), by=people.supervisor)
    db.session.commit()
    _login(client, people.city)
    assert client.get(f"/staff/entries/{entry.id}").status_code == 200
    row = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "staff_entry",
                                                     AuditEntry.action == "read"))
    assert row is not None and row.username == "city"


def test_the_register_pages_and_says_how_many(client, people) -> None:
    for n in range(51):
        db.session.add(StaffEntry(programme="counter", post="worker", name=f"従事者{n:02d}", start_on=days(-1)))
    db.session.commit()
    _login(client, people.supervisor)
    first = client.get("/staff/counter").get_data(as_text=True)
    assert "51名（1/2ページ）" in first and "次へ" in first
    second = client.get("/staff/counter?page=2").get_data(as_text=True)
    assert "51名（2/2ページ）" in second and "前へ" in second


def test_a_pledge_is_uploaded_and_opened(client, people) -> None:
    entry = register.add_entry("counter", EntryInput("鈴木 花子", "", days(-3)), by=people.supervisor)
    db.session.commit()
    _login(client, people.supervisor)
    refused = client.post(f"/staff/entries/{entry.id}/pledge", data={
        "signed_on": days(-1).isoformat(), "document": (io.BytesIO(b"not a pdf"), "pledge.pdf")},
        content_type="multipart/form-data")
    assert refused.status_code == 422 and "PDF・PNG・JPEG" in refused.get_data(as_text=True)
    done = client.post(f"/staff/entries/{entry.id}/pledge", data={
        "signed_on": days(-1).isoformat(), "document": (io.BytesIO(PDF), "pledge.pdf")},
        content_type="multipart/form-data")
    assert done.status_code == 303
    _login(client, people.city)
    paper = client.get(f"/staff/entries/{entry.id}/pledge")
    assert paper.data == PDF and paper.mimetype == "application/pdf" and paper.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "staff_entry",
                                                      AuditEntry.action == "read")) is not None


def test_the_roster_pdf_is_printed_and_audited(client, people, with_lead) -> None:
    _login(client, people.city)
    pdf = client.get("/staff/counter/roster.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "staff_register",
                                                      AuditEntry.action == "print")) is not None


def test_an_unknown_programme_is_not_found(client, people) -> None:
    _login(client, people.supervisor)
    assert client.get("/staff/elsewhere").status_code == 404


def test_attendance_is_recorded_after_the_training(client, people) -> None:
    from app.staff import training

    entry = register.add_entry("counter", EntryInput("鈴木 花子", "", days(-3)), by=people.supervisor)
    held = training.record_training("counter", training.TrainingInput("研修", "計画", days(-1)), None,
                                    by=people.supervisor)
    planned = training.record_training("counter", training.TrainingInput("次回", "計画", days(5)), None,
                                       by=people.supervisor)
    db.session.commit()
    _login(client, people.supervisor)
    page = client.get("/staff/counter/trainings").get_data(as_text=True)
    assert "出席を記録する" in page and "2件" in page
    assert client.post(f"/staff/trainings/{held.id}/attendance", data={"attendee_ids": [entry.id]}).status_code == 303
    refused = client.post(f"/staff/trainings/{planned.id}/attendance", data={"attendee_ids": [entry.id]},
                          follow_redirects=True)
    assert "実施日以降" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert held.attendees == [entry] and planned.attendees == []


def test_the_worker_changes_report_is_a_pdf(client, people) -> None:
    register.add_entry("counter", EntryInput("鈴木 花子", "", days(-3)), by=people.supervisor)
    db.session.commit()
    _login(client, people.city)
    assert "直近90日の変更報告書" in client.get("/staff/counter/changes").get_data(as_text=True)
    pdf = client.get("/staff/counter/changes.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "staff_worker_change",
                                                      AuditEntry.action == "print")) is not None
