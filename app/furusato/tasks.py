"""Background and scheduled work of the donation office: the portal import (004 §7(2)エ,
issue #12), the portal rows, and (in exports.py) the CSV of a large search.

The import task's parameters are the batch id and nothing else; everything it reads (the
stored file, the portal's profile) it reads from the database, so a task run again after a
crash does the same work, and imports.run_batch goes on from the state the batch was left in.
"""

from __future__ import annotations

from typing import Any

from huey import crontab

from app.auth import audit
from app.extensions import db
from app.furusato import exports, imports, services, transfers  # noqa: F401  (exports, transfers: their kinds of background work)
from app.furusato.onestop import eltax, notices, online  # noqa: F401  (their kinds of background work)
from app.furusato.reports import services as reports  # noqa: F401  (the monthly report: its task and periodic work)
from app.furusato.retention import services as retention  # noqa: F401  (the sweep; its kinds of disposal)
from app.furusato.shipping import delivery_mail, runs  # noqa: F401  (the order runs, the delivery e-mails)
from app.tasks import services as tasks
from app.tasks.engine import periodic


@periodic(crontab(minute="15"), "furusato.sync_portals", at_start=True)
def sync_portals() -> None:
    """One portal row per import profile: a release that adds a profile shows it on the import
    page once a consumer has started (and hourly after), never as a side effect of a page."""
    services.sync_portals()


@tasks.kind(imports.TASK_KIND, title="ポータル取込", programme="furusato", cancellable=True)
def run_import_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    batch_id = int(ctx.params["batch_id"])
    unfinished = imports.needs_running(batch_id)
    stream, total = imports.stored_file(batch_id) if imports.needs_file(batch_id) else (None, None)
    db.session.rollback()  # no transaction open between the steps (on SQLite it holds the lock)

    def report(done: int, total: int | None, phase: str, *, cancellable: bool) -> None:
        if not cancellable:
            ctx.cancellable = False  # applying has begun: no more 中止 (a crash still rolls PostgreSQL back whole)
        ctx.progress(done, total, phase=phase, unit="行")

    batch = imports.run_batch(batch_id, stream, progress=report, total=total)
    result = imports.summary(batch, with_errors=False)
    del result["file"]  # a file's name is the uploader's choice: no names on the task row
    result["summary"] = imports.summary_text(batch)
    result["link"], result["link_label"] = f"/furusato/imports/{batch.id}", "取込の結果（誤りの一覧）を開く"
    handled, username = (batch.staged if batch.applied else batch.rows), batch.username
    db.session.rollback()  # the last report is written beside, which on SQLite needs the lock free
    ctx.progress(handled, handled, phase="完了", unit="行")
    if unfinished:
        audit.record("update", imports.TASK_SUBJECT, batch_id, result["summary"], by=None,
                     username=username or "(system)")
    return result


@tasks.kind(imports.VACUUM_KIND, title="取込後の表の整理（VACUUM・ANALYZE）", programme="furusato")
def vacuum_after_import(ctx: tasks.TaskContext) -> dict[str, Any]:
    """After a bulk load (imports/upkeep.py): no personal data is read, only the tables' upkeep."""
    ctx.progress(0, len(imports.VACUUMED_TABLES), phase="整理中", unit="表")
    took = imports.vacuum_after_load()
    ctx.progress(len(took), len(took), phase="完了", unit="表")
    return {"seconds": took, "summary": f"取込 #{int(ctx.params['batch_id'])} の後、{len(took)}表を整理しました。"}
