"""The import in steps: each state of a batch committed, so that the task running it can be
killed anywhere and run again; the staging of the whole file, then its apply."""


from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from typing import IO, Any, Protocol

from sqlalchemy import (
    Connection,
    ForeignKeyConstraint,
    Index,
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.schema import AddConstraint, DropConstraint

from app.core.dates import now
from app.core.heap import long_lived_frozen
from app.db_events import relaxed_sync
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato import suspects
from app.furusato.imports.applying import ImportContext, apply_chunk
from app.furusato.imports.parsing import (
    Counts,
    Issue,
    ParsedChunk,
    RowParser,
    check_header,
    clean_header,
    looks_like,
    parsed_chunks,
    wrong_portal_message,
)
from app.furusato.imports.reading import ImportRefused, chunked, decoded_lines, detect_encoding, numbered_rows
from app.furusato.imports.upkeep import queue_vacuum
from app.furusato.imports.writing import DONATIONS, Writer, in_values
from app.furusato.models import (
    BATCH_IN_PROGRESS,
    BatchState,
    Donation,
    Donor,
    FurusatoSettings,
    ImportBatch,
    ImportIssue,
    ImportStagingRow,
    IssueCode,
    Portal,
    SuspectFlag,
)
from app.furusato.profiles import (
    FIELDS,
    effective_profile,
)
from app.tasks import services as tasks

CHUNK_ROWS = 5000

SQLITE_IMPORT_CACHE_KIB = 256 * 1024

# --- index upkeep ---------------------------------------------------------------------------

# Indexes that serve searches and review screens but no lookup the import itself makes. When a
# file at least doubles the donations table, keeping them up to date row by row costs more than
# building them again at the end (a sort); they are dropped inside the import's SAVEPOINT, so a
# rollback brings them back. On PostgreSQL DROP INDEX locks the table until the import commits:
# searches wait for a bulk load of that size (the first years of history, in practice).
DEFERRED_INDEXES = (
    "ix_furusato_donations_portal_applied", "ix_furusato_donations_prefecture_applied",
    "ix_furusato_donations_search", "ix_furusato_donors_key_postal", "ix_furusato_donors_phone_key",
    "ix_furusato_suspect_flags_donation_id", "ix_furusato_suspect_flags_status_reason",
)
# The same holds for the foreign keys whose checks are a lookup per row written (issue 22: on
# PostgreSQL, 20,000 donations took 0.6 s more with their keys than without): dropped with the
# indexes and added again after the load, which checks every row once, with one join. Only those
# between tables that dropping the indexes locks already (a donation's donor, a flag's
# donation): a key to the portals or the batches would lock those tables, which every page of
# the donation office reads, for the whole load.
DEFERRED_FOREIGN_KEYS = (
    "fk_furusato_donations_donor_id_furusato_donors", "fk_furusato_suspect_flags_donation_id_furusato_donations",
)
# A file this large that at least doubles the table (20,000 rows into an empty table: the
# indexes built after the load in 0.27 s, kept up row by row 0.85 s).
DEFER_INDEXES_AFTER_ROWS = 10_000


def _deferred_indexes() -> list[Index]:
    tables = (Donation.__table__, Donor.__table__, SuspectFlag.__table__)
    indexes = {ix.name: ix for table in tables for ix in table.indexes}
    return [indexes[name] for name in DEFERRED_INDEXES]


def _deferred_foreign_keys() -> list[ForeignKeyConstraint]:
    tables = (Donation.__table__, SuspectFlag.__table__)
    keys = {fk.name: fk for table in tables for fk in table.foreign_key_constraints}
    return [keys[name] for name in DEFERRED_FOREIGN_KEYS]


def _doubles_the_table(conn: Connection, rows_read: int) -> bool:
    """Whether the donations table held fewer rows before this file than the file has so far
    (counted up to that bound only, so a large table costs no full count)."""
    bound = select(DONATIONS.c.id).limit(2 * rows_read + 1).subquery()
    return (conn.execute(select(func.count()).select_from(bound)).scalar() or 0) < 2 * rows_read


def rule_context(profile_expected: tuple[str, ...]) -> suspects.RuleContext:
    settings = db.session.scalar(select(FurusatoSettings).limit(1))
    return suspects.RuleContext(suspects.HomeArea.from_settings(settings), suspects.gift_master(db.session),
                                profile_expected)


# --- the import in steps --------------------------------------------------------------------
#
# A batch goes queued → staging → staged → applying → applied | partial, or stops at refused,
# failed or cancelled having applied nothing. Each state is committed, so the task that runs it
# can be killed anywhere and run again from the start: it goes on from the state it finds.
#
# - staging (読込・検査): the file is read, parsed and checked chunk by chunk; each chunk's good
#   rows go into the staging table and its issues into the batch's issue list, one short
#   transaction per chunk. A run that finds its batch still staging throws those rows away and
#   reads the file again. Nothing outside the batch has changed, so it may be cancelled here.
# - applying (反映): the staged rows are applied chunk by chunk, exactly as one long import
#   would (donors matched against what earlier chunks stored); each chunk's rows are deleted
#   from the staging table in the transaction that applies them, so what is left is what is
#   still to do and no row is applied twice. On PostgreSQL the whole apply is one transaction
#   (readers keep their snapshot; a crash rolls it back to staged). On SQLite, where every
#   transaction holds the one write lock, each chunk is its own short transaction so that the
#   counter's pages keep working; the donation office's pages do not read while a batch is
#   applying (hold_while_applying), so nobody sees half a file, and a crash leaves the batch
#   applying until its task, run again, finishes it.

# On SQLite a step takes pieces of work (rows applied, staged or deleted) until it has held the
# lock for SQLITE_STEP_SECONDS, then leaves a gap before the next so that every page waiting for
# the lock has it first (a gap per SQLITE_STEP_SECONDS of lock held, short steps added up: see
# Steps._gap_if_owed). A page thus waits at most about one step. Every writer of the programme
# waits for the lock in app/db_events.py's _begin_immediate: one in this process is woken by the
# step's commit, one in another process looks every 20 ms (_TURN_LOOK_S), so a gap of 30 ms lets
# each have its turn. (It was 110 ms, for SQLite's own busy handler, which sleeps up to 100 ms
# between tries; with it, 40% of a 20,000-row import on SQLite was these gaps: issue 22.)
SQLITE_STEP_SECONDS = 0.2
SQLITE_STEP_GAP_SECONDS = 0.03
# Per piece on SQLite (PostgreSQL applies CHUNK_ROWS at a time): a piece of 1000 rows takes
# ~40 ms, well inside a step, and each piece costs a few fixed queries (the staged rows, the
# existing orders, the donors, the twins), so fewer and larger pieces pay (issue 22).
APPLY_ROWS = 1000
STAGE_ROWS = 1000
DISCARD_ROWS = 5000
APPLY_TURN_WAIT_SECONDS = 0.5
APPLY_TURN_TIMEOUT_SECONDS = 30 * 60
PG_APPLY_LOCK = 4_712_001  # pg_advisory_xact_lock key: one batch applies at a time
PHASE_READ, PHASE_WAIT, PHASE_APPLY = "読込・検査", "反映待ち", "反映（この段階では中止できません）"
FINISHED = tuple(s for s in BatchState if s not in BATCH_IN_PROGRESS)
TASK_KIND = "furusato_import"
TASK_SUBJECT = "furusato_import_batch"

_B = ImportBatch.__table__
_S = ImportStagingRow.__table__
_I = ImportIssue.__table__


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, phase: str, *, cancellable: bool) -> None: ...


class Steps:
    """The import's transactions: each step begins one (after the gap, on SQLite) and ends it."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.sqlite = db.session.get_bind().dialect.name == "sqlite"
        self._progress = progress
        self._ended = 0.0
        self._began = 0.0
        self._held = 0.0  # seconds the lock was held since the last gap

    def begin(self) -> Connection:
        if self.sqlite:
            self._gap_if_owed()
        self._began = time.monotonic()
        conn = db.session.connection()
        if self.sqlite:  # a chunk's index pages stay in memory; reset before the commit
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
        return conn

    def _gap_if_owed(self) -> None:
        """Leave the gap once the steps since the last one have held the lock for a step's
        time (SQLITE_STEP_SECONDS) in all: a waiting page then has its turn at least that
        often, as with a gap after every step, but the short steps of bookkeeping (a batch's
        state, a progress count) cost no idle gap each (issue 22: 15 gaps were 7% of a
        20,000-row import)."""
        if self._held < SQLITE_STEP_SECONDS:
            return
        pause = SQLITE_STEP_GAP_SECONDS - (time.monotonic() - self._ended)
        if pause > 0:
            time.sleep(pause)
        self._held = 0.0

    def _ended_step(self) -> None:
        self._ended = time.monotonic()
        if self._began:
            self._held += self._ended - self._began
            self._began = 0.0

    def commit(self) -> None:
        if self.sqlite:
            db.session.connection().exec_driver_sql("PRAGMA cache_size=-2000")
        db.session.commit()
        self._ended_step()

    def due(self) -> bool:
        """Whether the step has held SQLite's lock long enough (never on PostgreSQL, where the
        apply is one transaction and staging steps end with their chunk)."""
        return self.sqlite and time.monotonic() - self._began >= SQLITE_STEP_SECONDS

    def apply_step_done(self) -> None:
        """The end of one step of the apply: committed on SQLite, kept open on PostgreSQL."""
        if self.sqlite:
            self.commit()

    def rollback(self) -> None:
        db.session.rollback()
        self._ended_step()

    def report(self, done: int, total: int | None, phase: str, *, cancellable: bool = True) -> None:
        if self._progress is not None:
            self._progress(done, total, phase, cancellable=cancellable)


@dataclass(frozen=True)
class Plan:
    """A batch as its steps need it, read once."""

    batch_id: int
    portal_id: int
    filename: str
    username: str
    accept_good_rows: bool
    encoding: str
    status: str

    @classmethod
    def read(cls, batch_id: int) -> Plan:
        row = db.session.execute(select(_B.c.id, _B.c.portal_id, _B.c.filename, _B.c.username,
                                        _B.c.accept_good_rows, _B.c.encoding, _B.c.status)
                                 .where(_B.c.id == batch_id)).one()
        return cls(*row)



def run_batch(batch_id: int, stream: IO[bytes] | None, *, progress: Progress | None = None,
              total: int | None = None) -> ImportBatch:
    """Import one batch, or finish it: from whatever state a killed run left it in, to the end.

    Commits its own steps (see above). A batch that is finished is left as it is; `stream` is
    only read when the file has not been staged yet. Nothing of the file is applied when any
    row fails, unless the batch says the operator chose to take the good rows; header problems
    (unknown or missing columns) always stop the file until the mapping is fixed."""
    with relaxed_sync(), long_lived_frozen():
        return _run_batch(batch_id, stream, progress, total)


def _run_batch(batch_id: int, stream: IO[bytes] | None, progress: Progress | None, total: int | None) -> ImportBatch:
    plan = Plan.read(batch_id)
    steps = Steps(progress)
    try:
        if plan.status in (BatchState.queued, BatchState.staging):
            if stream is None:
                raise ImportRefused("取込のファイルがありません。ファイルを選び直してください。")
            try:
                staged = _stage(plan, stream, steps, total)
            except tasks.Cancelled:
                raise
            except BaseException:
                abandon(batch_id, BatchState.failed, "取込中にエラーが発生したため、何も取り込んでいません。")
                raise
            if not staged:
                _discard_staging(batch_id, steps)
                return _batch(batch_id)
            plan = Plan.read(batch_id)
            steps.rollback()
        if plan.status in (BatchState.staged, BatchState.applying):
            _apply(plan, steps)
    except tasks.Cancelled:
        abandon(batch_id, BatchState.cancelled, "中止しました。何も取り込んでいません。")
        raise
    _discard_staging(batch_id, steps)  # a run killed between its last step and this one
    return _batch(batch_id)


def needs_running(batch_id: int) -> bool:
    return db.session.scalar(select(_B.c.status).where(_B.c.id == batch_id)) not in FINISHED


def needs_file(batch_id: int) -> bool:
    """Whether the batch's file is still to be read (it has not been staged yet)."""
    status = db.session.scalar(select(_B.c.status).where(_B.c.id == batch_id))
    return status in (BatchState.queued, BatchState.staging)



def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    assert batch is not None
    db.session.refresh(batch)
    return batch


def abandon(batch_id: int, status: str, message: str) -> None:
    """Stop a batch that has applied nothing (refused, failed, cancelled): its staged rows go
    and its state says why. A batch already applying on SQLite is left to be finished."""
    db.session.rollback()
    steps = Steps()
    current = db.session.scalar(select(_B.c.status).where(_B.c.id == batch_id))
    steps.rollback()
    if current in (BatchState.applying, *FINISHED):
        return
    _discard_staging(batch_id, steps)
    steps.begin().execute(update(_B).where(_B.c.id == batch_id).values(
        status=status, message=message, staged=0, created=0, updated=0, unchanged=0, suspects=0,
        finished_at=now()))
    steps.commit()


def _discard_staging(batch_id: int, steps: Steps, *, issues: bool = False) -> None:
    """Delete a batch's staged rows (and, for a run started again, its issues) in steps."""
    for table, key in ((_S, _S.c.row_no), *(((_I, _I.c.id),) if issues else ())):
        while True:
            conn = steps.begin()
            cut = conn.scalar(select(key).where(table.c.batch_id == batch_id).order_by(key)
                              .offset(DISCARD_ROWS).limit(1))
            condition = table.c.batch_id == batch_id
            conn.execute(delete(table).where(condition if cut is None else and_(condition, key < cut)))
            steps.commit()  # (each piece is its own step: a refused batch ends with this)
            if cut is None:
                break


# --- staging --------------------------------------------------------------------------------

_STAGING_COLUMNS = (
    "batch_id", "row_no", "order_id", "applied_at", "applied_on", "paid_on", "amount", "payment_method", "status",
    "gift_code", "gift_name", "quantity", "one_stop", "receipt_wish", "notes", "name", "kana", "birth_date", "phone",
    "email", "postal_code", "prefecture", "address", "kana_key", "key_birth", "key_phone", "key_address",
    "key_postal", "phone_key", "suspects", "use")


def _stage(plan: Plan, stream: IO[bytes], steps: Steps, total: int | None) -> bool:
    """Read the whole file into the staging table. True when the batch is staged for applying,
    False when it is refused (with every failing row listed)."""
    _discard_staging(plan.batch_id, steps, issues=True)  # what an interrupted run left
    steps.begin()
    portal = db.session.get(Portal, plan.portal_id)
    assert portal is not None
    profile = effective_profile(portal)
    rules = rule_context(profile.expected)
    order_column = profile.column_for("order_id") or FIELDS["order_id"]
    _set(plan, status=BatchState.staging, rows=0, staged=0, error_count=0, created=0, updated=0, unchanged=0,
         suspects=0, message="")
    steps.commit()
    counts = Counts()
    stored = 0  # issues already written
    staged = 0
    try:
        codec = plan.encoding or detect_encoding(stream)
        steps.begin()
        _set(plan, encoding=codec)
        steps.commit()
        reader = csv.reader(decoded_lines(stream, codec), delimiter=profile.delimiter)
        rows = numbered_rows(reader, 1)
        first = next(rows, None)
        if first is None:
            raise ImportRefused("ファイルが空です（見出し行がありません）。")
        header = [clean_header(c) for c in first[1]]
        for issue in check_header(profile, header):
            counts.add_issue(issue)
        if counts.error_count:
            other = looks_like(profile, header)
            _finish_refused(plan, steps, counts, wrong_portal_message(profile, other, header) if other else
                            "見出し（1行目）に対応付けられない列があります。"
                            "取込調整で直してから再実行してください。何も取り込んでいません。")
            return False
        for parsed in parsed_chunks(RowParser(profile, header), rules, chunked(rows, CHUNK_ROWS)):
            stored, good = _stage_chunk(plan, steps, parsed, counts, order_column, stored)
            staged += good
            _set(plan, rows=counts.rows, staged=staged, error_count=counts.error_count, unchanged=counts.unchanged)
            steps.commit()
            steps.report(parsed.last_row - 1, total, PHASE_READ)  # rows after the header
        if not counts.rows:
            raise ImportRefused("ファイルが空です（見出し行だけで、取り込む行がありません）。")
    except ImportRefused as exc:
        db.session.rollback()
        counts.add_issue(Issue(0, "ファイル", IssueCode.invalid, str(exc)))
        _finish_refused(plan, steps, counts, f"{exc} 何も取り込んでいません。", stored)
        return False
    if counts.error_count and not plan.accept_good_rows:
        _finish_refused(plan, steps, counts,
                        f"{counts.error_count}件の行に誤りがあるため、何も取り込んでいません。取込調整で直して再実行するか、"
                        "正常な行だけを取り込むかを選んでください。", stored)
        return False
    steps.begin()
    _set(plan, status=BatchState.staged)
    steps.commit()
    return True


def _stage_chunk(plan: Plan, steps: Steps, parsed: ParsedChunk, counts: Counts, order_column: str,
                 stored: int) -> tuple[int, int]:
    """One parsed chunk's good rows into the staging table and its issues into the batch's, in
    the step it begins (and, on SQLite, more when it is due); (issues stored, rows staged)."""
    counts.rows += parsed.rows
    for issue in parsed.issues:
        counts.add_issue(issue)
    conn = steps.begin()
    good = _without_repeats(conn, plan.batch_id, parsed.good, counts, order_column)
    _store_issues(conn, plan.batch_id, counts.issues[stored:])
    piece = STAGE_ROWS if steps.sqlite else CHUNK_ROWS  # (one COPY per chunk on PostgreSQL)
    for start in range(0, len(good), piece):
        if steps.due():
            steps.commit()
            conn = steps.begin()
        _stage_rows(conn, plan.batch_id, good[start:start + piece])
    return len(counts.issues), len(good)


def _set(plan: Plan, **values: Any) -> None:
    db.session.execute(update(_B).where(_B.c.id == plan.batch_id).values(**values))


def _finish_refused(plan: Plan, steps: Steps, counts: Counts, message: str, stored: int = 0) -> None:
    conn = steps.begin()
    _store_issues(conn, plan.batch_id, counts.issues[stored:])
    _set(plan, status=BatchState.refused, message=message, rows=counts.rows, staged=0, error_count=counts.error_count,
         created=0, updated=0, unchanged=0, suspects=0, finished_at=now())
    steps.commit()


def _without_repeats(conn: Connection, batch_id: int, good: list[tuple[int, dict[str, Any]]], counts: Counts,
                     order_column: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows to stage: the first row of each order number in the file. A later row with the
    same number counts as unchanged when it says the same, else it is an error naming both."""
    seen: dict[str, tuple[int, Any]] = {
        row.order_id: (row.row_no, row) for row in conn.execute(
            select(_S.c.order_id, _S.c.row_no, _S.c.status, _S.c.amount, _S.c.paid_on).where(
                _S.c.batch_id == batch_id, in_values(conn, _S.c.order_id, sorted({r["order_id"] for _, r in good}))))}
    kept = []
    for row_no, rec in good:
        order_id = rec["order_id"]
        earlier = seen.get(order_id)
        if earlier is None:
            seen[order_id] = (row_no, rec)
            kept.append((row_no, rec))
            continue
        first_row, first = earlier
        get = first.get if isinstance(first, dict) else first._mapping.get
        if all(get(k) == rec[k] for k in ("status", "amount", "paid_on")):
            counts.unchanged += 1
        else:
            counts.add_issue(Issue(row_no, order_column, IssueCode.duplicate,
                                   f"注文番号「{order_id}」が{first_row}行目にもあり、内容が違います。", order_id))
    return kept


def _stage_rows(conn: Connection, batch_id: int, good: list[tuple[int, dict[str, Any]]]) -> None:
    writer = Writer(conn)
    stamp, day, flag = writer.stamp, writer.day, writer.flag
    writer.insert_tuples(_S, _STAGING_COLUMNS, [
        (batch_id, row_no, rec["order_id"], stamp(rec["applied_at"]), day(rec["applied_on"]), day(rec["paid_on"]),
         rec["amount"], rec["payment_method"], rec["status"], rec["gift_code"], rec["gift_name"], rec["quantity"],
         flag(rec["one_stop"]), flag(rec["receipt_wish"]), rec["notes"], rec["name"], rec["kana"],
         day(rec["birth_date"]), rec["phone"], rec["email"], rec["postal_code"], rec["prefecture"], rec["address"],
         *rec["keys"], _flags_text(rec["suspects"]), rec["use"])
        for row_no, rec in good])


def _flags_text(flags: list[tuple[str, str]]) -> str:
    # Most rows have no flag: "[]" needs no JSON encoder.
    return json.dumps(flags, ensure_ascii=False) if flags else _NO_FLAGS


def _store_issues(conn: Connection, batch_id: int, issues: list[Issue]) -> None:
    Writer(conn).insert(_I, [{"batch_id": batch_id, "row": i.row, "field": i.field[:100], "code": i.code,
                              "reason": i.reason, "value": i.value[:200]} for i in issues])


def _staged_rec(row: Any) -> dict[str, Any]:
    """A staged row (its columns as _APPLY_READS lists them) as the parser gave it."""
    rec = dict(zip(_REC_READS, row[:_KEYS_AT], strict=True))
    rec["keys"] = nz.MatchKeys(*row[_KEYS_AT:_FLAGS_AT])
    flags = row[_FLAGS_AT]
    # Most rows have no flag: "[]" needs no JSON decoder (a tenth of the apply's Python time).
    rec["suspects"] = [] if flags == _NO_FLAGS else [tuple(pair) for pair in json.loads(flags)]
    return rec


_NO_FLAGS = json.dumps([])
# What applying a chunk reads of its staged rows (the rest goes from the staging table to the
# donations in the database: applying.py's _insert_new): the
# record's own values, then its match keys in MatchKeys' order, then its flags.
_REC_READS = (
    "row_no", "order_id", "applied_at", "paid_on", "amount", "payment_method", "status", "name", "kana",
    "birth_date", "phone", "email", "postal_code", "prefecture", "address")
_KEY_READS = ("kana_key", "key_birth", "key_phone", "key_address", "key_postal", "phone_key")
_APPLY_READS = (*_REC_READS, *_KEY_READS, "suspects")
_KEYS_AT, _FLAGS_AT = len(_REC_READS), len(_REC_READS) + len(_KEY_READS)


# --- applying -------------------------------------------------------------------------------

def _apply(plan: Plan, steps: Steps) -> None:
    """Apply the staged rows in chunks, then mark the batch applied (or partial)."""
    _take_apply_turn(plan, steps)
    conn = steps.begin()
    batch = db.session.execute(select(_B.c.staged, _B.c.error_count).where(_B.c.id == plan.batch_id)).one()
    left = conn.scalar(select(func.count()).select_from(_S).where(_S.c.batch_id == plan.batch_id)) or 0
    dropped: list[Index] = []
    unchecked: list[ForeignKeyConstraint] = []
    if not steps.sqlite and left >= DEFER_INDEXES_AFTER_ROWS and _doubles_the_table(conn, left):
        dropped, unchecked = _deferred_indexes(), _deferred_foreign_keys()  # a rollback brings them back
        for index in dropped:
            index.drop(conn)
        for key in unchecked:
            conn.execute(DropConstraint(key))
    piece = APPLY_ROWS if steps.sqlite else CHUNK_ROWS
    while True:
        result = conn.execute(select(*(_S.c[name] for name in _APPLY_READS))
                              .where(_S.c.batch_id == plan.batch_id).order_by(_S.c.row_no).limit(piece))
        rows = result.all()
        if not rows:
            break
        counts = Counts()
        ctx = ImportContext(plan.portal_id, plan.batch_id, plan.filename, plan.username, Writer(conn), counts)
        apply_chunk(ctx, [(row[0], _staged_rec(row)) for row in rows])
        conn.execute(delete(_S).where(_S.c.batch_id == plan.batch_id, _S.c.row_no <= rows[-1][0]))
        _set(plan, created=_B.c.created + counts.created, updated=_B.c.updated + counts.updated,
             unchanged=_B.c.unchanged + counts.unchanged, suspects=_B.c.suspects + counts.suspects)
        left -= len(rows)
        if steps.due() or not steps.sqlite:
            steps.apply_step_done()
            steps.report(batch.staged - left, batch.staged, PHASE_APPLY, cancellable=False)
            conn = steps.begin()
    for index in dropped:
        index.create(conn)
    for key in unchecked:
        conn.execute(AddConstraint(key))  # checks every row once
    _set(plan, status=BatchState.partial if batch.error_count else BatchState.applied, message="",
         finished_at=now())
    queue_vacuum(conn, plan.batch_id)  # runs after this commit
    steps.commit()


def _take_apply_turn(plan: Plan, steps: Steps) -> None:
    """One batch applies at a time, so that each is matched against a settled database: on
    PostgreSQL an advisory lock held by the apply's transaction; on SQLite (where every step
    commits) the applying state, which a batch takes only when no other batch holds it."""
    deadline = time.monotonic() + APPLY_TURN_TIMEOUT_SECONDS
    while True:
        conn = steps.begin()
        if not steps.sqlite:
            conn.execute(select(func.pg_advisory_xact_lock(PG_APPLY_LOCK)))
        other = conn.scalar(select(_B.c.id).where(_B.c.status == BatchState.applying, _B.c.id != plan.batch_id)
                            .limit(1))
        if other is None:
            _set(plan, status=BatchState.applying)
            steps.apply_step_done()
            return
        steps.rollback()
        if time.monotonic() > deadline:
            raise ImportRefused(f"取込 #{other} の反映が終わっていないため、反映できません。"
                                f"取込 #{other} の反映を再開してから、この取込を再開してください。")
        steps.report(0, None, f"{PHASE_WAIT}（取込 #{other} の反映が終わるのを待っています）", cancellable=True)
        time.sleep(APPLY_TURN_WAIT_SECONDS)


def applying_batch() -> int | None:
    """A batch whose apply has begun and not ended (on SQLite, where it takes several commits)."""
    return db.session.scalar(select(_B.c.id).where(_B.c.status == BatchState.applying).order_by(_B.c.id).limit(1))


def hold_while_applying(timeout: float) -> int | None:
    """For the donation office's pages on SQLite: wait (up to `timeout` seconds) until no batch
    is applying, so that a page shows all of a file or none of it. Returns the batch still
    applying after the wait, or None; with None the caller's transaction (which on SQLite holds
    the write lock from its BEGIN) keeps any batch from starting to apply until it ends."""
    deadline = time.monotonic() + timeout
    while (batch_id := applying_batch()) is not None:
        db.session.rollback()  # let the import's next step have the lock
        if time.monotonic() >= deadline:
            return batch_id
        time.sleep(0.2)
    return None
