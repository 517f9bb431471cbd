"""Portal imports: every donation from every portal in one system (004 §5(2), §7(2)エ, §7(3)ア).

One file, one batch, all or nothing:

- the encoding is detected (UTF-8 with or without BOM, Shift_JIS/CP932) and reported, never
  guessed: a file that is neither, or that stops decoding halfway, is refused with the row;
- the file is streamed and handled in chunks, each with a few set-based queries and bulk
  writes (COPY on PostgreSQL, executemany elsewhere), so memory stays bounded at any size;
- the whole file is read and checked into a staging table before anything is applied, so a
  file with errors that the operator has not chosen to take partly changes nothing, and every
  failing row is listed; the apply then shows all of the file at once or none of it (see
  "the import in steps" below for how, on each database, and how a killed run goes on);
- the portal's order number makes a row unique per portal, so the same or an overlapping file
  creates nothing twice; a later file moves payment status forward (unpaid → paid → cancelled)
  and each such change is kept in the correction history.

The upload and the re-runs queue the import as a background task (app/furusato/tasks.py);
the command line runs the same steps in its own process.

The package, by step: reading (encodings, lines, the stored file), parsing (RowParser, the
header, chunks column by column), steps (the batch's states: staging, then the apply), applying (one
chunk), matching (donors), writing (bulk inserts), batches (create, queue, resume, summary),
upkeep (VACUUM (ANALYZE) after a bulk load, as a task).
Everything the rest of the programme and the tests use is named here: `imports.X`.
"""

from __future__ import annotations

from app.furusato.imports.applying import (
    ImportContext,
    apply_chunk,
)
from app.furusato.imports.batches import (
    batch_issues,
    can_resume,
    counts_of,
    create_batch,
    issues_of,
    queue,
    recent_batches,
    rerun,
    resume,
    run_import,
    summary,
    summary_text,
    task_of,
)
from app.furusato.imports.parsing import (
    LIMITS,
    MAX_STORED_ISSUES,
    ROW_FIELD,
    Counts,
    Issue,
    ParsedChunk,
    RowParser,
    check_header,
    clean_header,
    parse_amount,
    parse_chunk,
    parsed_chunks,
)
from app.furusato.imports.reading import (
    ENCODINGS,
    MAX_UPLOAD_BYTES,
    ImportRefused,
    count_lines,
    decoded_lines,
    detect_encoding,
    store_upload,
    stored_file,
)
from app.furusato.imports.samples import column_samples
from app.furusato.imports.steps import (
    APPLY_ROWS,
    CHUNK_ROWS,
    DEFER_INDEXES_AFTER_ROWS,
    DEFERRED_INDEXES,
    DISCARD_ROWS,
    FINISHED,
    PHASE_APPLY,
    PHASE_READ,
    PHASE_WAIT,
    SQLITE_STEP_GAP_SECONDS,
    SQLITE_STEP_SECONDS,
    STAGE_ROWS,
    TASK_KIND,
    TASK_SUBJECT,
    Plan,
    Progress,
    Steps,
    abandon,
    applying_batch,
    hold_while_applying,
    needs_file,
    needs_running,
    rule_context,
    run_batch,
)
from app.furusato.imports.upkeep import (
    VACUUM_AFTER_ROWS,
    VACUUM_KIND,
    VACUUMED_TABLES,
    queue_vacuum,
    vacuum_after_load,
)
from app.furusato.imports.writing import (
    Writer,
)

__all__ = [
    "APPLY_ROWS", "CHUNK_ROWS", "Counts", "DEFERRED_INDEXES", "DEFER_INDEXES_AFTER_ROWS", "DISCARD_ROWS",
    "ENCODINGS", "FINISHED", "ImportContext", "ImportRefused", "Issue", "LIMITS", "MAX_STORED_ISSUES",
    "MAX_UPLOAD_BYTES", "PHASE_APPLY", "PHASE_READ", "PHASE_WAIT",
    "ParsedChunk", "Plan", "Progress", "ROW_FIELD", "RowParser", "SQLITE_STEP_GAP_SECONDS", "SQLITE_STEP_SECONDS",
    "STAGE_ROWS", "Steps", "VACUUMED_TABLES", "VACUUM_AFTER_ROWS", "VACUUM_KIND",
    "TASK_KIND", "TASK_SUBJECT", "Writer", "clean_header", "abandon", "apply_chunk",
    "column_samples",
    "applying_batch", "batch_issues", "can_resume", "check_header", "count_lines", "counts_of", "create_batch",
    "decoded_lines", "detect_encoding", "hold_while_applying", "issues_of", "needs_file", "needs_running",
    "parse_amount", "parse_chunk", "parsed_chunks", "queue", "recent_batches", "rerun", "resume", "rule_context",
    "run_batch", "run_import", "store_upload", "stored_file", "summary", "summary_text", "task_of",
    "queue_vacuum", "vacuum_after_load",
]
