"""The demo city has registered seals, made with the simulator and passed through the checks."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.seal.demo import DEMO_PEOPLE
from app.seal.models import SealRecord


def test_demo_load_registers_the_demo_seals(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    records = db.session.scalars(select(SealRecord).order_by(SealRecord.resident_id)).all()
    assert [r.name for r in records] == [p[2] for p in DEMO_PEOPLE]
    assert all(r.status == "active" and r.card_valid for r in records)
    assert abs(records[0].side_mm - 15.0) < 0.1
