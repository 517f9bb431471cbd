"""The staff register's rules (004 特記事項 §3, §5, §6(2); 000 別紙 §3, §5, §6(2))."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.staff import leads, login, register, training, uploads
from app.staff.models import ChangeState, Post, WorkerChange, WorkerChangeKind
from app.staff.register import EntryInput, StaffError
from tests.conftest import PASSWORD
from tests.staff.conftest import PDF, PNG, days


def _worker(people, name="鈴木 花子", start=-30, user_id=None):
    entry = register.add_entry("counter", EntryInput(name, "証明書交付", days(start), user_id), by=people.supervisor)
    db.session.commit()
    return entry


def test_the_first_lead_is_entered_and_a_second_needs_the_citys_approval(people, with_lead) -> None:
    assert register.current_lead("counter") == with_lead
    with pytest.raises(StaffError) as refused:
        register.add_entry("counter", EntryInput("田中 次郎", "", days(0), None, "lead"), by=people.supervisor)
    assert "市の承認" in refused.value.problems[0].message


def test_only_the_supervisor_edits_the_register(people) -> None:
    for who in (people.city, people.operator):
        with pytest.raises(StaffError):
            register.add_entry("counter", EntryInput("鈴木 花子", "", days(0)), by=who)


def test_a_worker_who_starts_or_ends_is_reported_to_the_city(people) -> None:
    entry = _worker(people)
    register.end_entry(entry, days(-1), by=people.supervisor)
    db.session.commit()
    reports = db.session.scalars(select(WorkerChange).order_by(WorkerChange.id)).all()
    assert [(r.kind, r.effective_on) for r in reports] == [(WorkerChangeKind.joined, days(-30)),
                                                          (WorkerChangeKind.left, days(-1))]
    assert register.unseen_changes("counter") == 2
    with pytest.raises(StaffError):
        register.mark_seen(reports[0], by=people.supervisor)
    register.mark_seen(reports[0], by=people.city)
    assert reports[0].seen_by_id == people.city.id and register.unseen_changes("counter") == 1


def test_a_lead_is_not_ended_directly(people, with_lead) -> None:
    with pytest.raises(StaffError, match="承認"):
        register.end_entry(with_lead, days(0), by=people.supervisor)
    assert with_lead.end_on is None


def test_an_end_before_the_start_is_refused(people) -> None:
    entry = _worker(people)
    with pytest.raises(StaffError):
        register.end_entry(entry, days(-31), by=people.supervisor)


# --- the change of 作業責任者 ---------------------------------------------------------------

def _request(people, start=1, name="田中 次郎"):
    change = leads.request_change("counter", leads.LeadChangeInput(name, "窓口統括", days(start), "人事異動のため"),
                                  by=people.supervisor)
    db.session.commit()
    return change


def test_until_the_city_approves_the_present_lead_stays(people, with_lead) -> None:
    change = _request(people)
    assert change.state is ChangeState.requested
    assert register.current_lead("counter") == with_lead and with_lead.end_on is None
    assert register.current_lead("counter", days(5)) == with_lead


def test_the_city_approves_and_the_new_lead_takes_over_on_the_day(people, with_lead) -> None:
    change = _request(people, start=3)
    entry = leads.approve(change, "承認します", by=people.city)
    db.session.commit()
    assert change.state is ChangeState.approved and change.new_entry_id == entry.id
    assert entry.post is Post.lead and entry.start_on == days(3)
    assert with_lead.end_on == days(2)
    assert register.current_lead("counter") == with_lead
    assert register.current_lead("counter", days(3)) == entry


def test_an_approval_after_the_planned_day_takes_effect_today(people, with_lead) -> None:
    change = _request(people, start=-5)
    entry = leads.approve(change, "", by=people.city)
    assert entry.start_on == days(0) and with_lead.end_on == days(-1)


def test_only_the_city_staff_approve(people, with_lead) -> None:
    change = _request(people)
    for who in (people.supervisor, people.operator):
        assert not leads.may_decide(who, change)
        with pytest.raises(StaffError):
            leads.approve(change, "", by=who)
    assert change.state is ChangeState.requested


def test_a_rejection_says_why_and_changes_nothing(people, with_lead) -> None:
    change = _request(people)
    with pytest.raises(StaffError):
        leads.reject(change, " ", by=people.city)
    leads.reject(change, "後任の経験が不足", by=people.city)
    assert change.state is ChangeState.rejected and register.current_lead("counter", days(30)) == with_lead
    with pytest.raises(StaffError, match="すでに"):
        leads.approve(change, "", by=people.city)


def test_one_open_request_at_a_time_and_none_without_a_lead(people, with_lead) -> None:
    _request(people)
    with pytest.raises(StaffError, match="承認待ち"):
        _request(people, name="山本 三郎")


def test_no_request_without_a_present_lead(people) -> None:
    with pytest.raises(StaffError, match="現在の作業責任者"):
        _request(people)


def test_the_approval_is_audited(people, with_lead) -> None:
    leads.approve(_request(people), "", by=people.city)
    db.session.commit()
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "staff_lead_change")).all()
    assert [r.action for r in rows] == ["create", "approve"]


# --- login ---------------------------------------------------------------------------------

def _login(client, username):
    return client.post("/login", data={"username": username, "password": PASSWORD})


def test_an_account_whose_entry_ended_cannot_log_in(client, people) -> None:
    entry = _worker(people, user_id=people.operator.id)
    register.end_entry(entry, days(-1), by=people.supervisor)
    db.session.commit()
    response = _login(client, "op")
    assert response.status_code == 422
    assert "従事期間" in response.get_data(as_text=True) and "終了" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login_failed",
                                                      AuditEntry.username == "op")) is not None


def test_an_entry_ending_today_still_logs_in(client, people) -> None:
    entry = _worker(people, user_id=people.operator.id)
    register.end_entry(entry, days(0), by=people.supervisor)
    db.session.commit()
    assert _login(client, "op").status_code == 302


def test_a_wrong_password_says_nothing_of_the_entry(client, people) -> None:
    entry = _worker(people, user_id=people.operator.id)
    register.end_entry(entry, days(-1), by=people.supervisor)
    db.session.commit()
    response = client.post("/login", data={"username": "op", "password": "wrong-password-x"})
    assert "従事期間" not in response.get_data(as_text=True)


def test_an_account_with_no_entry_or_a_new_one_logs_in(client, people, make_user) -> None:
    make_user("admin", "adm")
    assert _login(client, "adm").status_code == 302
    old = _worker(people, user_id=people.operator.id, start=-60)
    register.end_entry(old, days(-10), by=people.supervisor)
    _worker(people, name="鈴木 花子（再任）", user_id=people.operator.id, start=-2)
    assert login.login_refusal(people.operator) is None


def test_an_end_recorded_after_the_day_ends_the_sessions_at_once(client, people) -> None:
    entry = _worker(people, user_id=people.operator.id)
    _login(client, "op")
    assert client.get("/staff/me").status_code == 200
    register.end_entry(entry, days(-1), by=people.supervisor)
    db.session.commit()
    g.pop("_login_user", None)  # the requests share the test's app context (and so `g`)
    assert "/login" in client.get("/staff/me").headers["Location"]


def test_the_nightly_sweep_ends_the_sessions_of_terms_that_ended(client, people) -> None:
    entry = _worker(people, user_id=people.operator.id)
    register.end_entry(entry, days(0), by=people.supervisor)
    db.session.commit()
    _login(client, "op")
    assert login.end_sessions_of_ended_terms(days(0)) == []
    assert login.end_sessions_of_ended_terms(days(1)) == [people.operator.id]
    db.session.commit()
    g.pop("_login_user", None)  # the requests share the test's app context (and so `g`)
    assert "/login" in client.get("/staff/me").headers["Location"]


def test_an_account_is_tied_to_one_current_entry(people) -> None:
    _worker(people, user_id=people.operator.id)
    with pytest.raises(StaffError) as refused:
        _worker(people, name="別人", user_id=people.operator.id)
    assert refused.value.problems[0].field == "user_id"


# --- pledge and training ---------------------------------------------------------------------

def test_a_pledge_is_a_dated_pdf_or_image(people) -> None:
    entry = _worker(people)
    with pytest.raises(StaffError, match="PDF"):
        register.record_pledge(entry, days(-1), uploads.Upload("a.txt", b"hello"), by=people.supervisor)
    with pytest.raises(StaffError, match="未来"):
        register.record_pledge(entry, days(1), uploads.Upload("a.pdf", PDF), by=people.supervisor)
    register.record_pledge(entry, days(-1), uploads.Upload("pledge.png", PNG), by=people.supervisor)
    assert entry.pledged and entry.pledge_document.content_type == "image/png"
    content, mimetype, _ = register.pledge_document(entry, by=people.city)
    assert content == PNG and mimetype == "image/png"


def test_training_records_plan_date_material_and_attendance(people) -> None:
    a, b = _worker(people), _worker(people, name="高橋 三郎")
    session = training.record_training(
        "counter", training.TrainingInput("個人情報保護研修", "全従事者対象、特記事項の遵守事項", days(-3), [a.id]),
        uploads.Upload("material.pdf", PDF), by=people.supervisor)
    assert session.material.content == PDF and session.attendees == [a]
    assert training.attended(a) == [session] and training.attended(b) == []
    with pytest.raises(StaffError, match="実施日以降"):
        training.record_training("counter", training.TrainingInput("次回", "計画", days(10), [a.id]), None,
                                 by=people.supervisor)
    planned = training.record_training("counter", training.TrainingInput("次回", "計画", days(10), []), None,
                                       by=people.supervisor)
    assert planned.attendees == []
