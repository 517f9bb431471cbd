"""The 業務計画書 (000 §10, every two months): due by the 25th of the month before its period,
rolled to the next office day; made from the template (the stored roster, the demand), with the
previous plan's results against the seeded tickets and cases; 作成中 → 提出済 → 承認済 or 差戻し
with who may do what; a bad form changes nothing; the PDF a city files."""

from __future__ import annotations

import subprocess
from collections import Counter as Tally
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.counter.models import Case
from app.extensions import db
from app.queue.models import Ticket
from app.reports import work_plan
from app.reports.demo import seed_month
from app.reports.models import WorkPlan, WorkPlanEvent, WorkPlanState
from app.reports.monthly import ReportRefused
from tests.conftest import PASSWORD
from tests.reports.conftest import load_demo


@pytest.mark.parametrize(("starts", "due"), [
    (date(2027, 5, 1), date(2027, 4, 26)),  # 25 April 2027 is a Sunday
    (date(2026, 11, 1), date(2026, 10, 26)),  # a Sunday too
    (date(2027, 3, 1), date(2027, 2, 25)),  # a Thursday: the day itself
    (date(2027, 7, 1), date(2027, 6, 25)),
])
def test_a_plan_is_due_by_the_25th_of_the_month_before_rolled(app, starts: date, due: date) -> None:
    assert work_plan.plan_due(starts) == due


def test_periods_start_on_odd_months(app) -> None:
    assert work_plan.period_start(date(2027, 2, 14)) == date(2027, 1, 1)
    assert work_plan.next_start(date(2026, 12, 2)) == date(2027, 1, 1)
    assert work_plan.parse_period("２０２７－０３".replace("－", "-")) == date(2027, 3, 1)
    with pytest.raises(ReportRefused, match="奇数月"):
        work_plan.parse_period("2027-02")


def _draft(app, monkeypatch) -> WorkPlan:  # type: ignore[no-untyped-def]
    load_demo(app, only=("queue", "registry", "register", "counter", "reports"), monkeypatch=monkeypatch)
    plan = work_plan.for_period(work_plan.next_start())
    assert plan is not None and plan.state == WorkPlanState.draft
    return plan


def test_the_previous_plans_results_are_the_seeded_tickets_and_cases(app, db_session, monkeypatch) -> None:
    plan = _draft(app, monkeypatch)
    previous = work_plan.previous_of(plan)
    assert previous is not None and previous.state == WorkPlanState.approved  # the demo's
    seed_month(previous.starts)
    period = work_plan.period_of(previous.starts)
    tickets = db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.office_day >= period.start, Ticket.office_day <= period.end))
    cases = list(db.session.scalars(select(Case).where(Case.created_at >= period.start_at,
                                                       Case.created_at < period.end_at)))
    assert tickets and cases
    found = work_plan.results(plan)
    assert found.plan is previous
    assert found.rows[0] == ["番号札の発券数", f"{previous.expected['tickets']:,.1f}枚", f"{tickets:,}枚"]
    assert found.rows[1][:2] == ["平均待ち時間", "15.0分"]  # the target the previous plan set
    assert found.rows[4] == ["受付した案件", "—", f"{len(cases):,}件"]
    by_procedure = Tally(c.procedure.name for c in cases)
    assert {name: n for name, n in found.procedures} == {name: f"{n:,}件" for name, n in by_procedure.items()}
    # the template: the staffing of the period, the demand from the tickets before it
    assert plan.sections["staffing"]["headers"] == ["月", "従事者", "窓口", "日数", "時間"]
    assert plan.sections["demand"]["rows"] and plan.expected["tickets"] > 0


def _events(plan: WorkPlan) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkPlanEvent).where(
        WorkPlanEvent.plan_id == plan.id)) or 0


def test_states_and_who_may_do_what(app, db_session, client, make_user, monkeypatch) -> None:
    plan = _draft(app, monkeypatch)
    users = {role: make_user(role) for role in ("operator", "city_staff", "supervisor")}

    def switch(role: str) -> None:
        client.post("/logout")
        assert client.post("/login", data={"username": users[role].username, "password": PASSWORD}).status_code == 302

    url = f"/reports/work-plans/{plan.id}"
    switch("operator")
    assert client.get(url).status_code == 403
    switch("city_staff")
    assert client.get(url).status_code == 200
    assert client.post(url, data={"improvement": "x"}).status_code == 403
    assert client.post(f"{url}/approve").status_code == 422  # not submitted yet: refused
    switch("supervisor")
    assert client.post(f"{url}/approve").status_code == 403
    client.post(f"{url}/submit")
    db.session.expire_all()
    assert plan.state == WorkPlanState.draft  # the required sections are empty
    saved = client.post(url, data={"target_wait": "１２", "staffing": "各窓口1名", "training": "研修",
                                   "improvement": "案内係の増員"})
    assert saved.status_code == 303
    assert client.post(f"{url}/submit").status_code == 303
    db.session.expire_all()
    assert plan.state == WorkPlanState.submitted and plan.expected["target_wait"] == 12.0
    assert client.post(url, data={"improvement": "後から"}).status_code == 422  # submitted: no edits

    switch("city_staff")
    before = _events(plan)
    refused = client.post(f"{url}/return", data={"note": ""})
    assert refused.status_code == 422 and "差戻しの理由を入力してください。" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert plan.state == WorkPlanState.submitted and _events(plan) == before
    assert client.post(f"{url}/return", data={"note": "研修の日程を書いてください。"}).status_code == 303
    db.session.expire_all()
    assert plan.state == WorkPlanState.returned

    switch("supervisor")
    client.post(url, data={"staffing": "各窓口1名", "training": "1月15日に研修", "improvement": "案内係の増員"})
    client.post(f"{url}/submit")
    switch("city_staff")
    assert client.post(f"{url}/approve", data={"note": ""}).status_code == 303
    db.session.expire_all()
    assert plan.state == WorkPlanState.approved
    assert [e.action for e in plan.events] == ["ひな形から作成", "保存", "市へ提出", "差戻し", "保存", "市へ提出",
                                               "承認"]
    assert plan.events[3].note == "研修の日程を書いてください。"
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "reports_work_plan", AuditEntry.object_id == str(plan.id)))
    assert audited and audited >= len(plan.events)


def test_a_bad_form_names_every_field_keeps_what_was_typed_and_changes_nothing(
        app, db_session, client, login_as, monkeypatch) -> None:
    plan = _draft(app, monkeypatch)
    sections, before = dict(plan.sections), _events(plan)
    login_as("supervisor")
    refused = client.post(f"/reports/work-plans/{plan.id}", data={
        "target_wait": "すぐ", "staffing": "残らない", "improvement": "あ" * 2001})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "目標平均待ち時間（分）：目標平均待ち時間は1〜240の数（分）で入力してください。" in text
    assert "業務改善の取組：業務改善の取組は2000文字以内で入力してください。" in text
    assert 'value="すぐ"' in text and "残らない" in text
    db.session.expire_all()
    assert plan.sections == sections and _events(plan) == before
    created = client.post("/reports/work-plans", data={"starts": "2027-02"})
    assert created.status_code == 422 and "奇数月" in created.get_data(as_text=True)


def test_the_pdf_has_the_plans_headings(app, db_session, client, login_as, monkeypatch, tmp_path: Path) -> None:
    plan = _draft(app, monkeypatch)
    login_as("city_staff")
    response = client.get(f"/reports/work-plans/{plan.id}/work-plan.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    out = tmp_path / "plan.pdf"
    out.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True).stdout
    for heading in ("業務計画書", "実施体制（窓口・従事者・時間）", "来庁見込み（曜日・時間帯別）", "研修計画",
                    "業務改善の取組", "前期計画の実績", "経過"):
        assert heading in text
