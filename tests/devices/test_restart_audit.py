"""A server restart with nothing changed writes no audit row (issue 15 §5: each restart of the
demo added 34 entries: every simulated device re-bound to a new port, every agent token re-minted)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.devices import services
from app.devices.models import DeviceBinding
from app.devices.simulation import bind_simulators
from app.extensions import db
from app.tasks import engine


def _audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _audit_since(count: int) -> list[str]:
    """The rows written after the first `count` (what a failing restart wrote, in words)."""
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(count))
    return [f"{row.action} {row.object_type} #{row.object_id}: {row.detail}" for row in rows]


def _start() -> dict[str, str]:
    """What a start does before serving: bind the simulators, run the work marked at_start."""
    tokens = bind_simulators()
    for job in engine.PERIODIC.values():  # the app's own (the task engine's tests add one that audits)
        if job.at_start and job.fn.__module__.startswith("app."):
            engine.run_periodic(job)
    return tokens


def test_a_restart_with_nothing_changed_writes_no_audit_row(app) -> None:
    for code, kind in (("counter-1", "counter_pc"), ("kiosk-1", "kiosk"), ("register-1", "register")):
        services.create_terminal(services.NewTerminal(code, code, kind))
    db.session.commit()
    first = _start()
    after_first = _audit_rows()
    urls = set(db.session.scalars(select(DeviceBinding.url)))
    second = _start()
    assert _audit_since(after_first) == []
    assert second == first and set(db.session.scalars(select(DeviceBinding.url))) == urls
    assert all(services.terminal_for_token(token) is not None for token in second.values())
    assert "sim://register-1?mode=kanji" in urls  # the simulator's name, not the port it listens on this time


def test_saving_a_binding_unchanged_records_nothing(app) -> None:
    terminal, _token = services.create_terminal(services.NewTerminal("counter-2", "2番窓口 端末", "counter_pc"))
    services.save_binding(terminal, services.BindingInput("printer", "printer", "sim://counter-2"))
    db.session.commit()
    before = _audit_rows()
    services.save_binding(terminal, services.BindingInput("printer", "printer", "sim://counter-2"))
    assert _audit_rows() == before
    services.save_binding(terminal, services.BindingInput("printer", "printer", "sim://counter-3"))
    assert _audit_rows() == before + 1
