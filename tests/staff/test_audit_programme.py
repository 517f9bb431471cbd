"""The staff register's audit rows are of the programme of the entry, incident, change they are
about (app/staff passes it to audit.record), so the city of that programme reads them in the
audit log (000 別紙 §13, 004 特記事項 §14) and the other programme's city does not."""

from __future__ import annotations

from typing import Any

from app.auth import audit
from app.extensions import db
from app.staff import incidents
from tests.staff.test_places import _input


def test_an_incidents_rows_are_read_by_the_city_of_its_programme_only(people: Any, make_user: Any) -> None:
    incidents.report("counter", _input(), by=people.operator)
    db.session.commit()
    other_city = make_user("city_staff", "city-f", programme="furusato")
    only = audit.AuditFilter(object_type="staff_incident")
    assert [(e.action, e.programme) for e in audit.entries(only, by=people.city)] == [("create", "counter")]
    assert audit.entries(only, by=other_city) == []
