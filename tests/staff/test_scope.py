"""Each programme's register is its own: the other programme's staff and city section neither
read nor approve it (issue #14 §1, 000 別紙 §10, 004 特記事項 §10)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.staff import disposal, incidents, leads, register
from app.staff.models import DisposalKind
from app.staff.refusals import StaffError
from tests.conftest import PASSWORD
from tests.staff.conftest import days


def _login(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.fixture
def furusato(make_user):
    class Furusato:
        supervisor = make_user("supervisor", "flead", programme="furusato")
        city = make_user("city_staff", "fcity", programme="furusato")

    return Furusato


def test_the_other_city_section_neither_reads_nor_approves(client, people, with_lead, furusato) -> None:
    change = leads.request_change("counter", leads.LeadChangeInput("田中 次郎", "", days(1), "異動"),
                                  by=people.supervisor)
    db.session.commit()
    assert not leads.may_decide(furusato.city, change)
    with pytest.raises(StaffError):
        leads.approve(change, "", by=furusato.city)
    _login(client, furusato.city)
    assert client.get("/staff/counter").status_code == 403
    assert client.get(f"/staff/lead-changes/{change.id}").status_code == 403
    assert client.post(f"/staff/lead-changes/{change.id}/approve", data={"note": ""}).status_code == 403
    assert client.get("/staff/").headers["Location"].endswith("/staff/furusato")


def test_a_supervisor_edits_only_their_programme(client, people, furusato) -> None:
    with pytest.raises(StaffError):
        register.add_entry("furusato", register.EntryInput("x", "", days(0)), by=people.supervisor)
    _login(client, people.supervisor)
    added = client.post("/staff/furusato/entries", data={"name": "x", "start_on": days(0).isoformat()})
    assert added.status_code == 403
    entry = register.add_entry("furusato", register.EntryInput("寄附 係員", "", days(0)), by=furusato.supervisor)
    db.session.commit()
    assert client.get(f"/staff/entries/{entry.id}").status_code == 403


def test_incidents_and_erasures_stay_in_their_programme(people, furusato) -> None:
    report = incidents.IncidentInput("lost", None, "", "", "", None, "")
    with pytest.raises(StaffError):
        incidents.report("furusato", report, by=people.operator)
    erasure = disposal.DisposalInput(DisposalKind.contract_end, "項目", "媒体", "方法", days(0), "数量")
    made = disposal.apply("furusato", erasure, by=furusato.supervisor)
    with pytest.raises(StaffError):
        disposal.decide(made, True, "", by=people.city)
    with pytest.raises(StaffError):
        disposal.apply("furusato", erasure, by=people.supervisor)


def test_an_administrator_chooses_the_programme(client, make_user) -> None:
    _login(client, make_user("admin", "adm"))
    page = client.get("/staff/").get_data(as_text=True)
    assert "窓口業務" in page and "ふるさと納税" in page
