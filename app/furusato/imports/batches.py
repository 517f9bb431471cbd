"""Batches as the rest of the programme sees them: created, queued as background work,
resumed, re-run after 取込調整, summarised."""


from __future__ import annotations

from typing import IO, Any

from sqlalchemy import (
    select,
)

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.imports.parsing import MAX_STORED_ISSUES, Counts, Issue
from app.furusato.imports.reading import ImportRefused, count_lines
from app.furusato.imports.steps import TASK_KIND, TASK_SUBJECT, run_batch
from app.furusato.models import (
    BatchState,
    ImportBatch,
    ImportFile,
    ImportIssue,
    Portal,
)
from app.tasks import services as tasks
from app.tasks.models import Task


def create_batch(portal: Portal, filename: str, *, import_file: ImportFile | None = None,
                 accept_good_rows: bool = False, encoding: str | None = None, source: str = "web",
                 by: User | None = None) -> ImportBatch:
    """A queued batch (flushed, in the caller's transaction); run_batch imports it. Without a
    user (the command line, the demo) the batch is the source's own: "(cli)"."""
    username = by.username if by is not None else f"({source})"
    batch = ImportBatch(portal_id=portal.id, file_id=import_file.id if import_file else None,
                        filename=filename[:255], source=source, username=username, encoding=encoding or "",
                        accept_good_rows=accept_good_rows, status=BatchState.queued)
    db.session.add(batch)
    db.session.flush()
    return batch



def queue(batch: ImportBatch, *, by: User | None) -> Task:
    """Run the batch in the background: its task is queued when the caller's transaction commits."""
    return tasks.submit(TASK_KIND, {"batch_id": batch.id}, by=by, subject_type=TASK_SUBJECT, subject_id=batch.id,
                        title=f"ポータル取込 #{batch.id}（{batch.portal.name}）")


def task_of(batch: ImportBatch) -> Task | None:
    return tasks.latest_for(TASK_SUBJECT, batch.id)


def can_resume(batch: ImportBatch, task: Task | None) -> bool:
    """A batch left unfinished by a task that ended (an error, or a refusal to wait longer)."""
    return batch.in_progress and (task is None or task.finished)


def resume(batch: ImportBatch, *, by: User) -> Task:
    """反映を再開: run the batch's task again; it goes on from where the batch was left."""
    if not can_resume(batch, task_of(batch)):
        raise ImportRefused("この取込は再開できません（処理中か、すでに終わっています）。")
    task = queue(batch, by=by)
    audit.record("update", TASK_SUBJECT, batch.id, "取込の再開", by=by)
    return task


def recent_batches(limit: int) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def batch_issues(batch: ImportBatch, limit: int = 1000) -> list[ImportIssue]:
    """A batch's issues in file order, for its page."""
    return list(db.session.scalars(select(ImportIssue).where(ImportIssue.batch_id == batch.id)
                                   .order_by(ImportIssue.row, ImportIssue.id).limit(limit)))



def summary(batch: ImportBatch, *, with_errors: bool = True) -> dict[str, Any]:
    """What the command line prints (and the nightly job reads), and the task's result
    (without the errors, which stay in the batch's issue list)."""
    out = {
        "batch": batch.id, "portal": batch.portal.code if batch.portal else None, "file": batch.filename,
        "encoding": batch.encoding, "status": batch.status, "applied": batch.applied,
        "rows": batch.rows, "created": batch.created, "updated": batch.updated,
        "unchanged": batch.unchanged, "suspects": batch.suspects, "error_count": batch.error_count,
        "message": batch.message,
    }
    if with_errors:
        out["errors"] = [i.as_dict() for i in issues_of(batch)]
    return out


def summary_text(batch: ImportBatch) -> str:
    return (f"{batch.status.label}：{batch.rows:,}行、新規{batch.created:,}、更新{batch.updated:,}、"
            f"変更なし{batch.unchanged:,}、誤り{batch.error_count:,}、疑義{batch.suspects:,}")


def issues_of(batch: ImportBatch, limit: int = MAX_STORED_ISSUES) -> list[Issue]:
    return [Issue(i.row, i.field, i.code, i.reason, i.value) for i in db.session.scalars(
        select(ImportIssue).where(ImportIssue.batch_id == batch.id).order_by(ImportIssue.id).limit(limit))]


def counts_of(batch: ImportBatch) -> Counts:
    issues = issues_of(batch)
    return Counts(rows=batch.rows, created=batch.created, updated=batch.updated, unchanged=batch.unchanged,
                  suspects=batch.suspects, issues=issues, error_count=batch.error_count)


def run_import(portal: Portal, stream: IO[bytes], filename: str, *, accept_good_rows: bool = False,
               encoding: str | None = None, import_file: ImportFile | None = None, source: str = "web",
               by: User | None = None) -> tuple[ImportBatch, Counts]:
    """Import one file here and now (the command line, benchmarks): a batch run to its end by
    the same steps as the background task. Commits."""
    batch = create_batch(portal, filename, import_file=import_file, accept_good_rows=accept_good_rows,
                         encoding=encoding, source=source, by=by)
    db.session.commit()
    batch = run_batch(batch.id, stream, total=count_lines(stream))
    return batch, counts_of(batch)


def rerun(batch: ImportBatch, *, accept_good_rows: bool, by: User | None) -> ImportBatch:
    """A new queued batch for the same stored file (after 取込調整, or taking the good rows)."""
    if batch.file_id is None:
        raise ImportRefused("この取込のファイルは保存されていないため、再実行できません。"
                            "ファイルを選び直してください。")
    stored = db.session.get(ImportFile, batch.file_id)
    assert stored is not None
    return create_batch(batch.portal, stored.filename, import_file=stored, accept_good_rows=accept_good_rows,
                        encoding=batch.encoding or None, by=by)
