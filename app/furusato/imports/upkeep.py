"""After a bulk load: the planner's statistics and the visibility map of the tables it grew.

A search right after a large import on PostgreSQL read the table behind each covering-index
scan, because no VACUUM had run yet to mark the new pages all-visible (issue 22: search p95
334 ms after a 1M-row load; one VACUUM took it from 68.5 to 17.5 ms at 200k). So an import
that wrote at least VACUUM_AFTER_ROWS donations queues, in its last step's transaction, a task
that runs `VACUUM (ANALYZE)` of those tables once the import has committed (VACUUM cannot run
inside a transaction). On SQLite, where there is no visibility map and VACUUM would rewrite the
whole file, the task runs ANALYZE of the same tables.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, select

from app.extensions import db
from app.furusato.models import Donation, Donor, ImportBatch, SuspectFlag
from app.tasks import services as tasks

VACUUM_KIND = "furusato_import_vacuum"
VACUUM_AFTER_ROWS = 20_000  # created + updated by one batch; autovacuum takes care of less
VACUUMED_TABLES = (Donation.__tablename__, Donor.__tablename__, SuspectFlag.__tablename__)

_B = ImportBatch.__table__


def queue_vacuum(conn: Connection, batch_id: int) -> bool:
    """In the import's last step: queue the upkeep task when the batch wrote enough rows."""
    written = conn.execute(select(_B.c.created + _B.c.updated).where(_B.c.id == batch_id)).scalar() or 0
    if written < VACUUM_AFTER_ROWS:
        return False
    tasks.submit(VACUUM_KIND, {"batch_id": batch_id}, by=None, subject_type="furusato_import_batch",
                 subject_id=batch_id)
    return True


def vacuum_after_load() -> dict[str, float]:
    """VACUUM (ANALYZE) each table (ANALYZE on SQLite), on a connection outside any
    transaction; the seconds each took."""
    db.session.rollback()
    engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    took: dict[str, float] = {}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in VACUUMED_TABLES:
            started = time.perf_counter()
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}" if postgres else f"ANALYZE {table}")
            took[table] = round(time.perf_counter() - started, 3)
    return took
