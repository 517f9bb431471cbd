"""Handling areas (004 特記事項 §4, 000 別紙 §4) and incidents (004 特記事項 §15, 000 別紙 §14)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core.dates import now
from app.devices import services as devices
from app.extensions import db
from app.staff import areas, incidents
from app.staff.models import IncidentState
from app.staff.refusals import StaffError
from tests.conftest import PASSWORD


def _login(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def _area(people, name="市民課窓口"):
    area = areas.save_area("counter", None, areas.AreaInput(name, "本庁舎1階", "入退室記録・施錠保管"),
                           by=people.supervisor)
    db.session.commit()
    return area


def test_an_area_states_its_place_and_measures(people) -> None:
    with pytest.raises(StaffError) as refused:
        areas.save_area("counter", None, areas.AreaInput("", "", ""), by=people.supervisor)
    assert {p.field for p in refused.value.problems} == {"name", "place", "measures"}
    with pytest.raises(StaffError):
        areas.save_area("counter", None, areas.AreaInput("x", "y", "z"), by=people.city)
    area = _area(people)
    assert areas.areas("counter").count == 1 and areas.active_areas("counter") == [area]


def test_a_change_of_an_area_the_city_has_seen_waits_for_its_approval(people) -> None:
    area = _area(people)
    terminal, _ = devices.create_terminal(devices.NewTerminal("counter-1", "1番窓口端末", "counter_pc"))
    terminal.handling_area_id = area.id
    with pytest.raises(StaffError):
        areas.approve(area, by=people.supervisor)
    areas.approve(area, by=people.city)  # the report seen (§4(1))
    change = areas.save_area("counter", area, areas.AreaInput("市民課窓口", "本庁舎2階", "入退室記録・施錠保管"),
                             by=people.supervisor)
    assert change is not area and change.pending and not change.active
    assert area.place == "本庁舎1階" and area.active and areas.active_areas("counter") == [area]
    with pytest.raises(StaffError, match="承認待ち"):
        areas.save_area("counter", area, areas.AreaInput("x", "y", "z"), by=people.supervisor)
    areas.approve(change, by=people.city)  # the change approved (§4(2))
    db.session.flush()
    db.session.refresh(terminal)
    assert change.active and not area.active and terminal.handling_area_id == change.id
    assert areas.active_areas("counter") == [change]


def test_an_area_not_yet_seen_is_corrected_in_place(people) -> None:
    area = _area(people)
    same = areas.save_area("counter", area, areas.AreaInput("市民課窓口", "本庁舎1階東", "施錠保管"),
                           by=people.supervisor)
    assert same is area and area.place == "本庁舎1階東"


def test_a_terminal_is_tied_to_an_area_and_shows_it(client, people, make_user) -> None:
    area = _area(people)
    terminal, _ = devices.create_terminal(devices.NewTerminal("counter-1", "1番窓口端末", "counter_pc"))
    db.session.commit()
    admin = make_user("admin", "adm")
    _login(client, admin)
    saved = client.post(f"/admin/terminals/{terminal.id}", data={
        "code": "counter-1", "name": "1番窓口端末", "kind": "counter_pc", "counter_id": "",
        "handling_area_id": str(area.id), "active": "y"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert terminal.handling_area_id == area.id
    _login(client, people.supervisor)
    page = client.get(f"/devices/terminals/{terminal.id}").get_data(as_text=True)
    assert "市民課窓口（本庁舎1階" in page


def test_the_areas_report_is_a_pdf(client, people) -> None:
    area = _area(people)
    _login(client, people.city)
    assert "報告を確認した" in client.get(f"/staff/areas/{area.id}").get_data(as_text=True)
    assert client.post(f"/staff/areas/{area.id}/approve").status_code == 303
    db.session.expire_all()
    assert area.approved_by_id == people.city.id
    pdf = client.get("/staff/counter/areas.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


# --- incidents ---------------------------------------------------------------------------------

def _input(**changes):
    values = {"kind": "wrong_person", "occurred_at": now() - timedelta(hours=1), "place": "2番窓口",
              "what_happened": "住民票の写しを別の来庁者に交付", "data_involved": "氏名・住所・生年月日",
              "people_count": 1, "actions_taken": "回収し本人へ謝罪"}
    values.update(changes)
    return incidents.IncidentInput(**values)


def test_an_incident_is_reported_with_what_the_clause_asks(people) -> None:
    with pytest.raises(StaffError) as refused:
        incidents.report("counter", _input(place="", data_involved="", people_count=None,
                                           occurred_at=now() + timedelta(days=1)), by=people.operator)
    assert {p.field for p in refused.value.problems} == {"place", "data_involved", "people_count", "occurred_at"}
    incident = incidents.report("counter", _input(), by=people.operator)
    assert incident.state is IncidentState.reported and incidents.unacknowledged("counter") == 1


def test_the_city_acknowledges_then_the_supervisor_closes(people) -> None:
    incident = incidents.report("counter", _input(), by=people.operator)
    with pytest.raises(StaffError):
        incidents.close(incident, "二重確認", by=people.supervisor)
    with pytest.raises(StaffError):
        incidents.acknowledge(incident, "", by=people.supervisor)
    incidents.acknowledge(incident, "本人確認の手順を見直すこと", by=people.city)
    assert incident.state is IncidentState.acknowledged
    with pytest.raises(StaffError):
        incidents.close(incident, " ", by=people.supervisor)
    incidents.close(incident, "交付時に氏名を読み上げ二重確認する", by=people.supervisor)
    assert incident.state is IncidentState.closed and incident.closed_at is not None


def test_the_city_cannot_report_and_counts_are_per_month(people) -> None:
    with pytest.raises(StaffError):
        incidents.report("counter", _input(), by=people.city)
    incidents.report("counter", _input(occurred_at=datetime(2026, 4, 30, 10)), by=people.operator)
    incidents.report("counter", _input(occurred_at=datetime(2026, 5, 1, 9)), by=people.operator)
    assert incidents.count_between("counter", datetime(2026, 5, 1), datetime(2026, 6, 1)) == 1


def test_the_incident_pages_and_pdf(client, people) -> None:
    _login(client, people.operator)
    form = client.get("/staff/counter/incidents/new")
    assert form.status_code == 200
    sent = client.post("/staff/counter/incidents/new", data={
        "kind": "lost", "occurred_at": (now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "place": "書庫",
        "what_happened": "申請書1枚の所在不明", "data_involved": "氏名・住所", "people_count": "1",
        "actions_taken": "捜索中"})
    assert sent.status_code == 303
    incident_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    assert client.get("/staff/counter/incidents").status_code == 403  # the log is for the supervisor and the city
    _login(client, people.city)
    log = client.get("/staff/counter/incidents").get_data(as_text=True)
    assert "未確認の事故報告が1件" in log and "1件" in log
    acknowledged = client.post(f"/staff/incidents/{incident_id}/acknowledge", data={"instruction": "報告書を提出"})
    assert acknowledged.status_code == 303
    pdf = client.get(f"/staff/incidents/{incident_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "staff_incident",
                                                      AuditEntry.action == "approve")) is not None


def test_an_operator_sees_only_the_reports_they_made(client, people, make_user) -> None:
    incident = incidents.report("counter", _input(), by=people.operator)
    db.session.commit()
    other = make_user("operator", "op2")
    _login(client, other)
    assert client.get(f"/staff/incidents/{incident.id}").status_code == 403
    _login(client, people.operator)
    assert client.get(f"/staff/incidents/{incident.id}").status_code == 200


def test_what_waits_for_the_city_and_the_supervisor(people, with_lead) -> None:
    from app.staff import leads, register, work

    register.add_entry("counter", register.EntryInput("鈴木 花子", "", with_lead.start_on), by=people.supervisor)
    later = with_lead.start_on.replace(year=2100)
    leads.request_change("counter", leads.LeadChangeInput("田中 次郎", "", later, "異動"), by=people.supervisor)
    incident = incidents.report("counter", _input(), by=people.operator)
    city = {w.label: w.count for w in work.waiting(people.city)}
    assert city == {"作業責任者の変更申請（承認待ち）": 1, "作業従事者の変更報告（未確認）": 1, "事故報告（未確認）": 1}
    incidents.acknowledge(incident, "", by=people.city)
    supervisor = {w.label: w.count for w in work.waiting(people.supervisor)}
    assert supervisor == {"誓約書が未提出の従事者": 2, "再発防止策が未記録の事故": 1}
    assert work.waiting(people.operator) == []
