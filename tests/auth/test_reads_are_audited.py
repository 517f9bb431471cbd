"""Every page that shows personal data writes an audit row of the read (DESIGN "Data"; the city
audits what its contractor looked at: 000 別紙 §13, 004 特記事項 §14).

The walk is the one of tests/test_get_writes_nothing.py: every GET endpoint of the URL map, on
the demo city, as a user allowed to open it. A page is one that shows personal data when its
HTML holds the name of a person of the demo (a resident, a visitor, a requester, a seal
registrant, a donor, a catalogue requester); each such page must have written a read row.
"""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import func, select

from app import demo
from app.auth.models import AuditEntry
from app.extensions import db
from tests import demo_logins
from tests.test_get_writes_nothing import _get_rules, _has_objects, _sample_url

# (table, column) of people's names
NAMES = (
    ("counter_visits", "visitor_name"), ("counter_cases", "requester_name"), ("seal_applications", "name"),
    ("seal_records", "name"), ("seal_certificates", "name"), ("furusato_donors", "name"),
    ("furusato_donations", "name"), ("furusato_catalog_requests", "name"),
)

# The simulator's page shows the simulated card's holder, a person of the demo registry: a
# development tool, on no city's machine (SIMULATE_DEVICES), not the city's data.
EXEMPT = {"device_sim.index"}


def _people() -> set[str]:
    found: set[str] = set()
    for table, column in NAMES:
        found |= {str(v) for v in db.session.execute(select(db.metadata.tables[table].c[column])).scalars()}
    residents = db.metadata.tables["registry_residents"]
    for family, given in db.session.execute(select(residents.c.family_name, residents.c.given_name)):
        found |= {f"{family}　{given}", f"{family} {given}", f"{family}{given}"}
    return {name for name in found if len(name.strip()) >= 3}


def _reads() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read")) or 0


def test_every_page_that_shows_a_person_writes_a_read(app: Flask) -> None:
    demo.load()
    db.session.commit()
    people = _people()
    assert len(people) > 20  # the demo has people of every kind
    clients = demo_logins.clients(app)
    urls = [(rule.endpoint, _sample_url(app, rule)) for rule in _get_rules(app) if _has_objects(rule)]
    db.session.rollback()
    unaudited, shown = [], []
    for endpoint, url in urls:
        before = _reads()
        db.session.rollback()
        g.pop("_login_user", None)
        response = clients[demo_logins.login_for(app, endpoint)].get(url, buffered=False)
        if response.mimetype != "text/html" or endpoint in EXEMPT:
            response.close()
            continue
        body = response.get_data(as_text=True)
        response.close()
        person = next((p for p in people if p in body), None)
        if person is None:
            continue
        shown.append(endpoint)
        if _reads() == before:
            unaudited.append(f"{endpoint} ({url}) shows {person}")
        db.session.rollback()
    assert unaudited == [], "\n".join(unaudited)
    # the pages the issue named are among those walked (and so are audited); the match list and
    # the payment page need what the demo lacks: tests/furusato/test_reads.py, tests/register/test_reads.py
    assert {"furusato.donations", "furusato.suspects", "furusato.catalog", "furusato.correct", "seal.records",
            "register.index"} <= set(shown)
