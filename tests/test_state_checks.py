"""States, kinds, roles and departments of seal, auth and core are kept to their enums by a
CHECK (5e41a1c0d7b2): rows the application does not know stop the upgrade with the rows named,
and once it has run the database refuses them (data test in the manner of SecureDrop's; the
seal columns: tests/seal/test_services.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

REVISION, BEFORE = "5e41a1c0d7b2", "f4b2e87101bc"
USER = ("INSERT INTO users (username, display_name, role, password_hash, active, created_at, password_changed_at)"
        " VALUES (:name, '試験 太郎', :role, 'x', true, '2026-12-01 09:00:00', '2026-12-01 09:00:00')")
COUNTER = "INSERT INTO counters (number, name, department, active) VALUES (:number, '臨時', :department, true)"


def test_unknown_values_stop_the_upgrade_and_name_the_rows(app, caplog: pytest.LogCaptureFixture) -> None:
    downgrade(revision=BEFORE)
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.text(USER), {"name": "old-role", "role": "clerk"})
            conn.execute(sa.text(COUNTER), {"number": 91, "department": "planning"})
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            upgrade(revision=REVISION)
        assert re.search(r"users\.role id=\d+: 'clerk'.*counters\.department id=\d+: 'planning'", caplog.text)
        with db.engine.begin() as conn:  # corrected, the upgrade goes through and keeps the rows
            conn.execute(sa.text("UPDATE users SET role = 'operator' WHERE username = 'old-role'"))
            conn.execute(sa.text("UPDATE counters SET department = 'citizens' WHERE number = 91"))
    finally:
        upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT role FROM users WHERE username = 'old-role'")).scalar() == "operator"


@pytest.mark.parametrize(("sql", "values"), [
    (USER, {"name": "bad-role", "role": "boss"}),
    (COUNTER, {"number": 92, "department": "planning"}),
])
def test_the_database_refuses_values_outside_the_enums(app, sql: str, values: dict[str, object]) -> None:
    with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text(sql), values)
