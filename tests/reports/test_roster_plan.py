"""The stored roster (000 §10 翌月勤務割当表): made from the proposal, edited day by day with the
qualification check (only a trained 作業従事者 with a signed pledge is placed), checked against
the office calendar (a day with nobody) and the demand, submitted, and printed as a PDF."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import AuditEntry, User
from app.core import calendar
from app.core.models import Counter
from app.extensions import db
from app.reports import roster_plan
from app.reports.due import next_month
from app.reports.models import RosterPlan, RosterShift, RosterState
from app.staff import register
from tests.reports.conftest import load_demo


def _shifts() -> int:
    return db.session.scalar(select(func.count()).select_from(RosterShift)) or 0


def _refused_and_nothing_changed(client, plan, closed, day, newcomer: int, counter: int) -> None:  # type: ignore[no-untyped-def]
    """The unqualified newcomer on a closed day, then on an office day with no counter chosen:
    every problem at once, what was chosen kept, nothing stored."""
    before = _shifts()
    refused = client.post(f"/reports/roster/{plan.id}/shifts", data={
        "day": closed.isoformat(), "staff": str(newcomer), "counter": str(counter)})
    assert refused.status_code == 422 and "閉庁日です" in refused.get_data(as_text=True)
    refused = client.post(f"/reports/roster/{plan.id}/shifts", data={
        "day": day.isoformat(), "staff": str(newcomer), "counter": ""})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "新人 三郎さんは配置できません（秘密保持の誓約書が未提出です、研修が未受講です）" in text
    assert "窓口：窓口を選んでください。" in text
    assert re.search(rf'<option selected value="{day.isoformat()}">', text)
    assert _shifts() == before


def test_the_roster_is_stored_edited_checked_and_submitted(app, db_session, client, login_as) -> None:
    month = next_month(load_demo(app))
    supervisor = db_session.scalar(select(User).where(User.username == "supervisor"))
    newcomer = register.add_entry("counter", register.EntryInput("新人 三郎", "受付", month - timedelta(days=5)),
                                  by=supervisor)
    db.session.commit()
    hanako = next(e for e in register.roster("counter") if e.name == "窓口 花子")
    counters = list(db_session.scalars(select(Counter).order_by(Counter.number)))
    days = [d for d in (month + timedelta(days=n) for n in range(31)) if d.month == month.month]
    open_days = [d for d in days if calendar.office_hours(d) is not None]
    closed = next(d for d in days if calendar.office_hours(d) is None)

    login_as("supervisor")
    proposal = client.get(f"/reports/roster?month={month:%Y-%m}").get_data(as_text=True)
    assert "まだ作成されていません" in proposal and db.session.scalar(select(func.count()).select_from(RosterPlan)) == 0
    made = client.post("/reports/roster", data={"month": f"{month:%Y-%m}"})
    assert made.status_code == 303
    plan = roster_plan.for_month(month)
    assert plan is not None and plan.state == RosterState.draft
    assert [(s.day, s.staff_entry_id) for s in plan.shifts] == [(d, hanako.id) for d in open_days]
    assert client.post("/reports/roster", data={"month": f"{month:%Y-%m}"}).status_code == 303  # refused: one a month
    assert db.session.scalar(select(func.count()).select_from(RosterPlan)) == 1

    first = plan.shifts[0]
    assert client.post(f"/reports/roster/{plan.id}/shifts/{first.id}/remove").status_code == 303
    page = client.get(f"/reports/roster?month={month:%Y-%m}").get_data(as_text=True)
    assert f"窓口に誰も配置されていない開庁日が1日あります：{open_days[0].month}/{open_days[0].day}" in page
    client.post(f"/reports/roster/{plan.id}/submit")
    db.session.expire_all()
    assert plan.state == RosterState.draft  # a day with nobody: refused

    before = _shifts()
    _refused_and_nothing_changed(client, plan, closed, open_days[0], newcomer.id, counters[0].id)

    placed = client.post(f"/reports/roster/{plan.id}/shifts", data={
        "day": open_days[0].isoformat(), "staff": str(hanako.id), "counter": str(counters[-1].id)})
    assert placed.status_code == 303 and _shifts() == before + 1
    again = client.post(f"/reports/roster/{plan.id}/shifts", data={
        "day": open_days[0].isoformat(), "staff": str(hanako.id), "counter": str(counters[0].id)})
    assert again.status_code == 422 and "すでに配置されています" in again.get_data(as_text=True)
    db.session.expire_all()
    hours = calendar.office_hours(open_days[0])
    shift = next(s for s in plan.shifts if s.day == open_days[0])
    assert (shift.counter_id, shift.starts, shift.ends) == (counters[-1].id, hours.opens, hours.closes)

    assert client.post(f"/reports/roster/{plan.id}/submit").status_code == 303
    db.session.expire_all()
    assert plan.state == RosterState.submitted and plan.submitted_by.role == "supervisor"
    locked = client.post(f"/reports/roster/{plan.id}/shifts/{shift.id}/remove")
    assert locked.status_code == 303 and _shifts() == before + 1
    details = list(db_session.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "reports_roster",
                                                                    AuditEntry.action == "update")))
    assert any("案から作成" in d for d in details) and any("市へ提出" in d for d in details)
    assert any(f"{counters[-1].label}に窓口 花子を配置" in d for d in details)

    client.post("/logout")
    login_as("city_staff")
    pdf = client.get(f"/reports/roster/{plan.id}/roster.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.post(f"/reports/roster/{plan.id}/shifts", data={
        "day": open_days[1].isoformat(), "staff": str(hanako.id), "counter": str(counters[0].id)}).status_code == 403
