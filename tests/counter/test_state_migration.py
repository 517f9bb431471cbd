"""124d2b007843 keeps the counter's and the registry's states and kinds to their enums: rows
from before it read the same after it, a value that only meant "none" becomes NULL, and a value
no enum knows stops the upgrade with the column named."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.counter import cases, catalog, visits
from app.counter.models import Case, CaseState
from app.extensions import db

BEFORE = "f4b2e87101bc"


def _rows(sql: str, **params: object) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).all()]


def _execute(sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


@pytest.fixture
def two_cases(app, make_user) -> tuple[int, int]:
    catalog.load()
    operator = make_user("operator", "op-migrate")
    held, fresh = (visits.open_visit("山彦 太郎", ["resident_record_copy"], operator).cases[0] for _ in range(2))
    cases.start_check(held, operator)
    cases.hold(held, operator, "書類を取りに戻った")
    db.session.commit()
    ids = held.id, fresh.id
    db.session.rollback()  # no transaction held while the migrations run
    return ids


def test_rows_from_before_read_the_same_and_none_is_null(app, two_cases) -> None:
    held, fresh = two_cases
    downgrade(revision=BEFORE)
    assert _rows("SELECT held_from, third_party_reason_kind, requester_sex FROM counter_cases WHERE id = :id",
                 id=fresh) == [("", "", "")]
    upgrade()
    assert _rows("SELECT id, state, held_from FROM counter_cases ORDER BY id") == [
        (held, "on_hold", "checking"), (fresh, "received", None)]
    assert _rows("SELECT action, from_state, to_state FROM counter_case_events WHERE case_id = :id ORDER BY id",
                 id=held) == [("receive", None, "received"), ("start_check", "received", "checking"),
                              ("hold", "checking", "on_hold")]
    case = db.session.get(Case, held)
    assert (case.state, case.held_from) == (CaseState.on_hold, CaseState.checking)
    assert [e.from_state.label if e.from_state else "—" for e in case.events] == ["—", "受付", "確認"]


def test_a_value_no_enum_knows_stops_the_upgrade(app, two_cases, caplog) -> None:
    held, _ = two_cases
    downgrade(revision=BEFORE)
    _execute("UPDATE counter_cases SET requester_kind = 'neighbour' WHERE id = :id", id=held)
    with pytest.raises(SystemExit):  # flask_migrate logs the migration's error and exits
        upgrade()
    assert "counter_cases.requester_kind holds values its enum does not know: ['neighbour']" in caplog.text
    _execute("UPDATE counter_cases SET requester_kind = 'self' WHERE id = :id", id=held)
    upgrade()
    with pytest.raises(sa.exc.IntegrityError):
        _execute("UPDATE counter_cases SET state = 'lost' WHERE id = :id", id=held)
