"""9e6d1a6c8741: the devices' states and kinds are checked by the database too."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.devices import jobs
from app.devices.models import DeviceJob, JobKind, JobState
from app.extensions import db


@pytest.mark.parametrize(("table", "column", "value"), [
    ("device_jobs", "state", "running"), ("device_jobs", "kind", "fax"),
    ("terminals", "kind", "tablet"), ("device_bindings", "kind", "modem"),
])
def test_the_database_refuses_a_value_no_enum_has(terminal_with_printer, table: str, column: str, value: str) -> None:
    terminal, _ = terminal_with_printer
    jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {}))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text(f"UPDATE {table} SET {column} = :value"), {"value": value})  # noqa: S608
    db.session.rollback()


def test_a_job_reads_back_as_members(terminal_with_printer) -> None:
    terminal, _ = terminal_with_printer
    job_id = jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {})).id
    db.session.commit()
    db.session.expire_all()
    job = db.session.get_one(DeviceJob, job_id)
    assert (job.state, job.kind, job.state.label, job.terminal.kind.label) == (
        JobState.queued, JobKind.print, "待機中", "発券機")
