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
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import time
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import IO, Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Index,
    Table,
    Text,
    and_,
    any_,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.expression import bindparam

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato import suspects
from app.furusato.models import (
    BATCH_IN_PROGRESS,
    STATUS_RANK,
    BatchState,
    Correction,
    Donation,
    Donor,
    FurusatoSettings,
    Gift,
    ImportBatch,
    ImportFile,
    ImportIssue,
    ImportStagingRow,
    IssueCode,
    Portal,
    SuspectFlag,
)
from app.furusato.profiles import (
    FIELDS,
    IGNORE,
    JOINERS,
    STRUCTURAL,
    VOCABULARIES,
    Profile,
    effective_profile,
    parse_date,
    parse_datetime,
)
from app.tasks import services as tasks
from app.tasks.models import Task

CHUNK_ROWS = 5000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_STORED_ISSUES = 100_000
SNIFF_BYTES = 1 << 20
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
ENCODINGS: dict[str, str] = {
    "utf-8-sig": "UTF-8（BOM付き）",
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS（CP932）",
}
LIMITS = {"order_id": 64, "name": 100, "kana": 100, "phone": 20, "email": 254, "postal_code": 8,
          "address": 300, "gift_code": 40, "gift_name": 200}
ROW_FIELD = "（行全体）"
csv.field_size_limit(100_000)


class ImportRefused(Refusal):
    """The file cannot be read at all (encoding, empty); the message names what and where."""


@dataclass(frozen=True)
class Issue:
    row: int
    field: str
    code: str
    reason: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suspects: int = 0
    issues: list[Issue] = field(default_factory=list)
    error_count: int = 0

    def add_issue(self, issue: Issue) -> None:
        self.error_count += 1
        if len(self.issues) < MAX_STORED_ISSUES:
            self.issues.append(issue)


# --- encoding -----------------------------------------------------------------------------

def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) or CP932, decided on the first bytes that are not ASCII.

    A UTF-8 sequence is almost never valid by accident, so a file that decodes as UTF-8 is
    UTF-8; otherwise it must decode as CP932 (Windows Shift_JIS, which portals' "Shift_JIS"
    exports really are). A file that is neither is refused; nothing is guessed.
    """
    start = stream.tell()
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        stream.seek(start)
        return "utf-8-sig"
    stream.seek(start)
    carry = b""
    while True:
        block = stream.read(SNIFF_BYTES)
        if not block:
            stream.seek(start)
            return "utf-8"  # ASCII only: both readings agree
        sample = carry + block
        first = re.search(rb"[\x80-\xff]", sample)
        if first is None:
            carry = b""
            continue
        # From a line start before the first non-ASCII byte, a whole window to decide on.
        line_start = sample.rfind(b"\n", 0, first.start()) + 1
        window = sample[line_start:] + stream.read(SNIFF_BYTES)
        stream.seek(start)
        for encoding in ("utf-8", "cp932"):
            try:
                codecs.getincrementaldecoder(encoding)().decode(window, final=False)
            except UnicodeDecodeError:
                continue
            return encoding
        raise ImportRefused("文字コードを判別できません。UTF-8（BOM付き・なし）またはShift_JIS（CP932）の"
                            "CSVファイルを指定してください。")


def decoded_lines(stream: IO[bytes], codec: str) -> Iterator[str]:
    """The file's lines, decoded strictly one by one so that a bad byte is reported with its
    line. (A newline byte never occurs inside a UTF-8 or CP932 character, so splitting the
    bytes at newlines first is safe.)"""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    for number, line in enumerate(stream, start=1):
        try:
            yield decoder.decode(line)
        except UnicodeDecodeError as exc:
            raise ImportRefused(f"ファイルの{number}行目に{ENCODINGS.get(codec, codec)}として読めない文字があります"
                                f"（{exc.start + 1}バイト目）。ファイルの文字コードを確認してください。") from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportRefused("ファイルの最後が文字の途中で切れています。"
                            "ファイルが壊れていないか確認してください。") from None


# --- row parsing ---------------------------------------------------------------------------

def _clean_header(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip().lstrip("\ufeff").strip('"').strip()


def check_header(profile: Profile, header: list[str]) -> list[Issue]:
    """Problems with the header that no row can fix: unknown, duplicate or missing columns."""
    issues = []
    seen: set[str] = set()
    for cell in header:
        if cell in seen:
            issues.append(Issue(1, cell, IssueCode.invalid, f"列「{cell}」が見出しに2回あります。"))
        seen.add(cell)
        if cell and cell not in profile.columns:
            issues.append(Issue(1, cell, IssueCode.unknown_column,
                                f"列「{cell}」は{profile.name}の取込設定にありません。取込調整で項目を対応付けるか、"
                                "「取り込まない」を選んでください。"))
    mapped = {profile.columns[c] for c in header if c in profile.columns}
    for needed in STRUCTURAL:
        if needed not in mapped:
            column = profile.column_for(needed) or FIELDS[needed]
            issues.append(Issue(1, column, IssueCode.missing_column,
                                f"必須の列「{column}」（{FIELDS[needed]}）がファイルにありません。"))
    return issues


_AMOUNT_NOISE = re.compile(r"[,\s円¥\\￥]")
_CACHE_LIMIT = 50_000  # distinct values remembered per column (dates, amounts): bounded memory


def parse_amount(text: str) -> int | None:
    cleaned = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", text))
    if not cleaned.isdigit():
        return None
    return int(cleaned)


def _remembered(memo: dict[str, Any], value: str, compute: Any) -> Any:
    """A column's parsed value from a small memo (few distinct dates and amounts in a file)."""
    try:
        return memo[value]
    except KeyError:
        if len(memo) >= _CACHE_LIMIT:
            memo.clear()
        result = memo[value] = compute(value)
        return result


class RowParser:
    """Turns one CSV row into donation fields, or into issues naming column and reason.

    This runs a million times for a large file, so the lookups are prepared here once: the
    vocabularies with the canonical words folded in, the formats, the memos of parsed dates and
    amounts. `tests/furusato/test_fast_paths.py` compares it with the plain version."""

    def __init__(self, profile: Profile, header: list[str]) -> None:
        self.profile = profile
        self.width = len(header)
        by_field: dict[str, list[int]] = {}
        self.column_of: dict[str, str] = {}
        for index, cell in enumerate(header):
            target = profile.columns.get(cell)
            if target is None or target == IGNORE:
                continue
            by_field.setdefault(target, []).append(index)
            self.column_of.setdefault(target, cell)
        self.single = [(f, ix[0]) for f, ix in by_field.items() if len(ix) == 1]
        self.multi = [(f, ix, JOINERS.get(f, "")) for f, ix in by_field.items() if len(ix) > 1]
        self._datetime_formats = profile.datetime_formats + profile.date_formats
        self._date_formats = profile.date_formats + profile.datetime_formats
        self._dates: dict[str, date | None] = {}
        self._amounts: dict[str, int | None] = {}
        # The profile's words first; a canonical word itself (paid, card, true) is always understood.
        self.words = {name: {**{w: w for w in canonical}, **profile.values.get(name, {})}
                      for name, canonical in VOCABULARIES.items()}
        self.defaults = profile.defaults

    def _col(self, name: str) -> str:
        return self.column_of.get(name, FIELDS[name])

    def _datetime(self, value: str) -> datetime | None:
        return parse_datetime(value, self._datetime_formats)

    def _date(self, value: str) -> date | None:
        return _remembered(self._dates, value, self._parse_date)

    def _parse_date(self, value: str) -> date | None:
        return parse_date(value, self._date_formats)

    def _amount(self, value: str) -> int | None:
        return _remembered(self._amounts, value, parse_amount)

    def _word(self, name: str, value: str, row_no: int, issues: list[Issue]) -> str | None:
        if not value:
            return self.defaults.get(name)
        mapped = self.words[name].get(value)
        if mapped is None:
            issues.append(Issue(row_no, self._col(name), IssueCode.unknown_value,
                                f"「{value}」は{FIELDS[name]}の値として登録されていません。"
                                "取込調整で対応付けてください。", value[:200]))
        return mapped

    def parse(self, row: list[str], row_no: int) -> tuple[dict[str, Any] | None, list[Issue]]:
        if len(row) != self.width:
            return None, [Issue(row_no, ROW_FIELD, IssueCode.invalid,
                                f"列の数が見出しと違います（見出し{self.width}列、この行{len(row)}列）。")]
        raw = {f: row[i].strip() for f, i in self.single}
        for f, indexes, joiner in self.multi:
            raw[f] = joiner.join([part for part in [row[i].strip() for i in indexes] if part])
        get = raw.get
        issues: list[Issue] = []
        for name in STRUCTURAL:
            if not get(name):
                issues.append(Issue(row_no, self._col(name), IssueCode.missing, f"{FIELDS[name]}がありません。"))
        rec: dict[str, Any] = {"order_id": unicodedata.normalize("NFKC", get("order_id", ""))}
        text = get("applied_at")
        if text:
            applied = self._datetime(text)
            if applied is None:
                issues.append(Issue(row_no, self._col("applied_at"), IssueCode.invalid,
                                    f"日時「{text}」を読めません。", text[:200]))
            rec["applied_at"] = applied
        text = get("amount")
        if text:
            amount = self._amount(text)
            if amount is None or not 0 < amount < 100_000_000:
                issues.append(Issue(row_no, self._col("amount"), IssueCode.invalid,
                                    f"金額「{text}」が正しくありません。", text[:200]))
            rec["amount"] = amount
        for name in ("paid_on", "birth_date"):
            text = get(name, "")
            parsed = self._date(text) if text else None
            if text and parsed is None:
                issues.append(Issue(row_no, self._col(name), IssueCode.invalid, f"日付「{text}」を読めません。",
                                    text[:200]))
            rec[name] = parsed
        text = get("quantity", "")
        rec["quantity"] = 1
        if text:
            q = self._amount(text)
            if q is None or not 0 < q < 1000:
                issues.append(Issue(row_no, self._col("quantity"), IssueCode.invalid,
                                    f"数量「{text}」が正しくありません。"))
            else:
                rec["quantity"] = q
        rec["status"] = self._word("status", get("status", ""), row_no, issues) or "unpaid"
        rec["payment_method"] = self._word("payment_method", get("payment_method", ""), row_no, issues) or ""
        one_stop = self._word("one_stop", get("one_stop", ""), row_no, issues)
        receipt = self._word("receipt_wish", get("receipt_wish", ""), row_no, issues)
        rec["one_stop"] = one_stop == "true"
        rec["receipt_wish"] = receipt != "false"
        postal = nz.postal_digits(get("postal_code", ""))
        rec["postal_code"] = nz.format_postal(postal) if postal else ""
        rec["name"] = nz.display_name(get("name", ""))
        rec["kana"] = nz.display_kana(get("kana", ""))
        rec["phone"] = nz.nfkc(get("phone", ""))
        rec["email"] = nz.nfkc(get("email", ""))
        rec["address"] = nz.clean_address(get("address", ""))
        rec["gift_code"] = nz.nfkc(get("gift_code", ""))
        rec["gift_name"] = nz.nfkc(get("gift_name", ""))
        rec["notes"] = get("notes", "")
        for name, limit in LIMITS.items():
            if len(rec[name]) > limit:
                issues.append(Issue(row_no, self._col(name), IssueCode.invalid,
                                    f"{FIELDS[name]}が長すぎます（最大{limit}文字）。"))
        if issues:
            return None, issues
        area = nz.postal_area(postal)
        rec["prefecture"] = area.prefecture if area else nz.prefecture_of(rec["address"])
        rec["applied_on"] = rec["applied_at"].date()
        rec["keys"] = nz.match_keys(rec["kana"], rec["birth_date"], rec["phone"], postal, rec["address"])
        return rec, []


# --- bulk writing --------------------------------------------------------------------------

class Writer:
    """Id allocation and bulk inserts: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._next: dict[str, int] = {}

    def ids(self, table: Table, n: int) -> list[int]:
        if n == 0:
            return []
        if self.postgres:  # one row holding the n ids, not n rows
            return list(self.conn.execute(
                text("SELECT array_agg(v ORDER BY v) FROM (SELECT nextval(pg_get_serial_sequence(:t, 'id')) AS v "
                     "FROM generate_series(1, :n)) AS ids"),
                {"t": table.name, "n": n}).scalar_one())
        if table.name not in self._next:
            # SQLite: the transaction began with BEGIN IMMEDIATE and holds the write lock.
            self._next[table.name] = (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        start = self._next[table.name]
        self._next[table.name] = start + n
        return list(range(start, start + n))

    # Values as the driver takes them: psycopg adapts dates and booleans itself; on SQLite they
    # are stored as SQLAlchemy stores them (see _sqlite_insert).
    def stamp(self, value: datetime | None) -> Any:
        if self.postgres or value is None:
            return value
        return value.isoformat(" ", "microseconds")

    def day(self, value: date | None) -> Any:
        if self.postgres or value is None:
            return value
        return value.isoformat()

    def flag(self, value: bool) -> Any:
        return value if self.postgres else int(value)

    def insert_tuples(self, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Rows already in column order, with values from stamp(), day() and flag()."""
        if not rows:
            return
        raw = self.conn.connection.dbapi_connection
        assert raw is not None
        if self.postgres:
            with raw.cursor() as cursor, cursor.copy(
                    f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:  # noqa: S608 - our own names
                for row in rows:
                    copy.write_row(row)
            return
        sql = f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
        cursor = raw.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        raw = self.conn.connection.dbapi_connection
        assert raw is not None
        if not self.postgres:
            self._sqlite_insert(raw, table, columns, rows)
            return
        with raw.cursor() as cursor, cursor.copy(
                f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:  # noqa: S608 - our own names
            for row in rows:
                copy.write_row([row[c] for c in columns])

    @staticmethod
    def _sqlite_insert(raw: Any, table: Table, columns: list[str], rows: list[dict[str, Any]]) -> None:
        """executemany on the driver, with values stored as SQLAlchemy stores them on SQLite
        (ISO dates, 'YYYY-MM-DD HH:MM:SS.ffffff' times, 0/1), skipping its per-row processing."""
        for name in columns:
            kind = table.c[name].type
            if isinstance(kind, DateTime):
                memo: dict[datetime, str] = {}
                for row in rows:
                    value = row[name]
                    if value is not None:
                        text = memo.get(value)
                        if text is None:
                            text = memo[value] = value.isoformat(" ", "microseconds")
                        row[name] = text
            elif isinstance(kind, Date):
                for row in rows:
                    if row[name] is not None:
                        row[name] = row[name].isoformat()
            elif isinstance(kind, Boolean):
                for row in rows:
                    if row[name] is not None:
                        row[name] = int(row[name])
        getter = itemgetter(*columns)
        params = [getter(row) for row in rows]
        sql = f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
        cursor = raw.cursor()
        try:
            cursor.executemany(sql, params)
        finally:
            cursor.close()


# --- the import ----------------------------------------------------------------------------

@dataclass
class ImportContext:
    """What applying a chunk needs, as plain values (no ORM object lives across the steps'
    commits)."""

    portal_id: int
    batch_id: int
    filename: str
    username: str
    writer: Writer
    counts: Counts


def _rows(reader: Iterator[list[str]], first_row: int) -> Iterator[tuple[int, list[str]]]:
    row_no = first_row
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportRefused(f"{row_no}行目付近をCSVとして読めません（{exc}）。") from None
        yield row_no, row
        row_no += 1


def _chunks(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- parsing in parallel --------------------------------------------------------------------

# A large file is parsed, normalised and checked in worker processes while this process matches
# donors and writes: the two halves cost about the same per row. Small files (and the first
# chunks of any file) stay in this process, where starting workers would cost more than it saves.
PARALLEL_AFTER_ROWS = 40_000
PARSE_WORKERS = max(1, min(3, len(os.sched_getaffinity(0)) - 1)) if hasattr(os, "sched_getaffinity") else 1
_AHEAD = 2  # chunks in flight per worker: bounded memory, and the workers never wait


@dataclass
class ParsedChunk:
    rows: int
    good: list[tuple[int, dict[str, Any]]]
    issues: list[Issue]
    last_row: int = 0  # the file's line number the chunk ends on (for progress)


def parse_chunk(parser: RowParser, rules: suspects.RuleContext, chunk: list[tuple[int, list[str]]]) -> ParsedChunk:
    """Parse and normalise a chunk's rows and run the suspect rules on the good ones (which
    need nothing from the database). Blank lines (often the last one) are not rows."""
    parsed = ParsedChunk(0, [], [], chunk[-1][0] if chunk else 0)
    for row_no, row in chunk:
        if not any(cell.strip() for cell in row):
            continue
        parsed.rows += 1
        rec, issues = parser.parse(row, row_no)
        if issues:
            parsed.issues.extend(issues)
        if rec is not None:
            rec["suspects"] = suspects.evaluate(rec, rules)
            parsed.good.append((row_no, rec))
    return parsed


_worker_state: tuple[RowParser, suspects.RuleContext] | None = None


def _start_worker(parser: RowParser, rules: suspects.RuleContext) -> None:
    global _worker_state
    _worker_state = (parser, rules)


def _parse_in_worker(chunk: list[tuple[int, list[str]]]) -> ParsedChunk:
    assert _worker_state is not None
    return parse_chunk(*_worker_state, chunk)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fresh server process that has loaded this module (never from this
    process, whose threads and database connections a fork would copy), or spawned."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def parsed_chunks(parser: RowParser, rules: suspects.RuleContext,
                  chunks: Iterator[list[tuple[int, list[str]]]]) -> Iterator[ParsedChunk]:
    """Every chunk parsed, in file order; past PARALLEL_AFTER_ROWS in worker processes.

    A file that cannot be read further (ImportRefused from decoding or CSV) raises only after
    every chunk before the bad one has been handed on, as reading it in one process would."""
    read = 0
    for chunk in chunks:
        yield parse_chunk(parser, rules, chunk)
        read += len(chunk)
        if read >= PARALLEL_AFTER_ROWS and PARSE_WORKERS > 0:
            break
    else:
        return
    context = _worker_context()
    with ProcessPoolExecutor(PARSE_WORKERS, mp_context=context, initializer=_start_worker,
                             initargs=(parser, rules)) as pool:
        pending: deque[Future[ParsedChunk]] = deque()
        failure: ImportRefused | None = None
        try:
            while True:
                while failure is None and len(pending) < PARSE_WORKERS * _AHEAD:
                    try:
                        chunk = next(chunks)
                    except StopIteration:
                        break
                    except ImportRefused as exc:
                        failure = exc
                        break
                    pending.append(pool.submit(_parse_in_worker, chunk))
                if not pending:
                    break
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
        if failure is not None:
            raise failure


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
DEFER_INDEXES_AFTER_ROWS = 100_000


def _deferred_indexes() -> list[Index]:
    tables = (Donation.__table__, Donor.__table__, SuspectFlag.__table__)
    indexes = {ix.name: ix for table in tables for ix in table.indexes}
    return [indexes[name] for name in DEFERRED_INDEXES]


def _doubles_the_table(conn: Connection, rows_read: int) -> bool:
    """Whether the donations table held fewer rows before this file than the file has so far
    (counted up to that bound only, so a large table costs no full count)."""
    bound = select(_D.c.id).limit(2 * rows_read + 1).subquery()
    return (conn.execute(select(func.count()).select_from(bound)).scalar() or 0) < 2 * rows_read


def rule_context(profile_expected: tuple[str, ...]) -> suspects.RuleContext:
    settings = db.session.scalar(select(FurusatoSettings).limit(1))
    gifts = db.session.scalars(select(Gift)).all()
    return suspects.RuleContext(suspects.HomeArea.from_settings(settings), suspects.gift_catalogue(gifts),
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
# lock for SQLITE_STEP_SECONDS; SQLite's busy handler sleeps at most 100 ms between its tries
# for the lock, so a gap a little longer than that between two steps lets every page that waits
# for the lock have it first. A page thus waits at most about one step.
SQLITE_STEP_SECONDS = 0.2
SQLITE_STEP_GAP_SECONDS = 0.11
APPLY_ROWS = 250  # per piece on SQLite; PostgreSQL applies CHUNK_ROWS at a time
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

    def begin(self) -> Connection:
        if self.sqlite:
            pause = SQLITE_STEP_GAP_SECONDS - (time.monotonic() - self._ended)
            if pause > 0:
                time.sleep(pause)
        self._began = time.monotonic()
        conn = db.session.connection()
        if self.sqlite:  # a chunk's index pages stay in memory; reset before the commit
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
        return conn

    def commit(self) -> None:
        if self.sqlite:
            db.session.connection().exec_driver_sql("PRAGMA cache_size=-2000")
        db.session.commit()
        self._ended = time.monotonic()

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
        self._ended = time.monotonic()

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


def count_lines(stream: IO[bytes]) -> int:
    """The file's rows, roughly (lines after the header): the progress bar's total."""
    start = stream.tell()
    lines, last = 0, b"\n"
    while block := stream.read(1 << 20):
        lines += block.count(b"\n")
        last = block[-1:]
    stream.seek(start)
    return max(0, lines + (last != b"\n") - 1)


def run_batch(batch_id: int, stream: IO[bytes] | None, *, progress: Progress | None = None,
              total: int | None = None) -> ImportBatch:
    """Import one batch, or finish it: from whatever state a killed run left it in, to the end.

    Commits its own steps (see above). A batch that is finished is left as it is; `stream` is
    only read when the file has not been staged yet. Nothing of the file is applied when any
    row fails, unless the batch says the operator chose to take the good rows; header problems
    (unknown or missing columns) always stop the file until the mapping is fixed."""
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
    "key_postal", "phone_key", "suspects")


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
        rows = _rows(reader, 1)
        first = next(rows, None)
        if first is None:
            raise ImportRefused("ファイルが空です（見出し行がありません）。")
        header = [_clean_header(c) for c in first[1]]
        for issue in check_header(profile, header):
            counts.add_issue(issue)
        if counts.error_count:
            _finish_refused(plan, steps, counts, "見出し（1行目）に対応付けられない列があります。"
                            "取込調整で直してから再実行してください。何も取り込んでいません。")
            return False
        for parsed in parsed_chunks(RowParser(profile, header), rules, _chunks(rows, CHUNK_ROWS)):
            counts.rows += parsed.rows
            for issue in parsed.issues:
                counts.add_issue(issue)
            conn = steps.begin()
            good = _without_repeats(conn, plan.batch_id, parsed.good, counts, order_column)
            _store_issues(conn, plan.batch_id, counts.issues[stored:])
            stored = len(counts.issues)
            for start in range(0, len(good), STAGE_ROWS):
                if steps.due():
                    steps.commit()
                    conn = steps.begin()
                _stage_rows(conn, plan.batch_id, good[start:start + STAGE_ROWS])
            staged += len(good)
            _set(plan, rows=counts.rows, staged=staged, error_count=counts.error_count, unchanged=counts.unchanged)
            steps.commit()
            steps.report(parsed.last_row - 1, total, PHASE_READ)  # rows after the header
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
                _S.c.batch_id == batch_id, _one_of(conn, _S.c.order_id, sorted({r["order_id"] for _, r in good}))))}
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
         *rec["keys"], json.dumps(rec["suspects"], ensure_ascii=False))
        for row_no, rec in good])


def _store_issues(conn: Connection, batch_id: int, issues: list[Issue]) -> None:
    Writer(conn).insert(_I, [{"batch_id": batch_id, "row": i.row, "field": i.field[:100], "code": i.code,
                              "reason": i.reason, "value": i.value[:200]} for i in issues])


def _staged_rec(row: Any) -> dict[str, Any]:
    """A staged row as the parser gave it."""
    rec = dict(row._mapping)
    rec["keys"] = nz.MatchKeys(rec.pop("kana_key"), rec.pop("key_birth"), rec.pop("key_phone"),
                               rec.pop("key_address"), rec.pop("key_postal"), rec.pop("phone_key"))
    rec["suspects"] = [tuple(pair) for pair in json.loads(rec["suspects"])]
    return rec


# --- applying -------------------------------------------------------------------------------

def _apply(plan: Plan, steps: Steps) -> None:
    """Apply the staged rows in chunks, then mark the batch applied (or partial)."""
    _take_apply_turn(plan, steps)
    conn = steps.begin()
    batch = db.session.execute(select(_B.c.staged, _B.c.error_count).where(_B.c.id == plan.batch_id)).one()
    left = conn.scalar(select(func.count()).select_from(_S).where(_S.c.batch_id == plan.batch_id)) or 0
    dropped: list[Index] = []
    if not steps.sqlite and left >= DEFER_INDEXES_AFTER_ROWS and _doubles_the_table(conn, left):
        dropped = _deferred_indexes()  # one transaction: a rollback brings them back
        for index in dropped:
            index.drop(conn)
    piece = APPLY_ROWS if steps.sqlite else CHUNK_ROWS
    while True:
        rows = conn.execute(select(*(c for c in _S.c if c.name != "batch_id"))
                            .where(_S.c.batch_id == plan.batch_id).order_by(_S.c.row_no).limit(piece)).all()
        if not rows:
            break
        counts = Counts()
        ctx = ImportContext(plan.portal_id, plan.batch_id, plan.filename, plan.username, Writer(conn), counts)
        apply_chunk(ctx, [(row.row_no, _staged_rec(row)) for row in rows])
        conn.execute(delete(_S).where(_S.c.batch_id == plan.batch_id, _S.c.row_no <= rows[-1].row_no))
        _set(plan, created=_B.c.created + counts.created, updated=_B.c.updated + counts.updated,
             unchanged=_B.c.unchanged + counts.unchanged, suspects=_B.c.suspects + counts.suspects)
        left -= len(rows)
        if steps.due() or not steps.sqlite:
            steps.apply_step_done()
            steps.report(batch.staged - left, batch.staged, PHASE_APPLY, cancellable=False)
            conn = steps.begin()
    for index in dropped:
        index.create(conn)
    _set(plan, status=BatchState.partial if batch.error_count else BatchState.applied, message="",
         finished_at=now())
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

# --- one chunk -----------------------------------------------------------------------------

_D = Donation.__table__
_P = Donor.__table__
_UPDATABLE = ("status", "paid_on", "payment_method", "amount")
_DONOR_COLS = (_P.c.id, _P.c.merged_into_id, _P.c.key_birth, _P.c.key_phone, _P.c.key_address,
               _P.c.last_donation_at, _P.c.birth_date)


def _one_of(conn: Connection, column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)` with the values as one bound parameter: an array on PostgreSQL, a
    JSON list read by json_each on SQLite. An IN list of thousands of values costs more to
    render and bind, per chunk, than the lookup itself."""
    values = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    listed = func.json_each(bindparam(None, json.dumps(values, ensure_ascii=False), type_=Text)).table_valued("value")
    return column.in_(select(listed.c.value))


def _donation_changes(old: Any, rec: dict[str, Any]) -> dict[str, Any]:
    """What a later file may change on a donation already imported (never a step back)."""
    changes: dict[str, Any] = {}
    rank_old, rank_new = STATUS_RANK.get(old.status, 0), STATUS_RANK.get(rec["status"], 0)
    if rank_new < rank_old:
        return changes  # an older export imported after a newer one
    if rank_new > rank_old:
        changes["status"] = rec["status"]
    if rec["paid_on"] and rec["paid_on"] != old.paid_on:
        changes["paid_on"] = rec["paid_on"]
    if rec["payment_method"] and rec["payment_method"] != old.payment_method:
        changes["payment_method"] = rec["payment_method"]
    if rec["amount"] != old.amount:
        changes["amount"] = rec["amount"]
    return changes


def _resolve_merged(conn: Connection, donors: dict[int, Any]) -> dict[int, int]:
    """Each donor id to the donor it now belongs to (following merges)."""
    target = {i: (row.merged_into_id or i) for i, row in donors.items()}
    pending = {t for t in target.values() if t not in donors}
    while pending:
        rows = conn.execute(select(*_DONOR_COLS).where(_one_of(conn, _P.c.id, pending))).all()
        pending = set()
        for row in rows:
            donors[row.id] = row
            if row.merged_into_id and row.merged_into_id not in donors:
                pending.add(row.merged_into_id)
        for i in target:
            while donors.get(target[i]) is not None and donors[target[i]].merged_into_id:
                target[i] = donors[target[i]].merged_into_id
    return target


def _find_donors(conn: Connection, recs: list[dict[str, Any]]) -> tuple[dict[str, int], dict[int, Any]]:
    """Existing donors for the chunk's strong keys: key → donor id (after merges)."""
    wanted: dict[str, set[str]] = {"birth": set(), "phone": set(), "address": set()}
    for rec in recs:
        keys = rec["keys"]
        for kind in wanted:
            value = getattr(keys, kind)
            if value:
                wanted[kind].add(value)
    conditions = [_one_of(conn, column, values) for column, values in (
        (_P.c.key_birth, wanted["birth"]), (_P.c.key_phone, wanted["phone"]),
        (_P.c.key_address, wanted["address"])) if values]
    if not conditions:
        return {}, {}
    rows = {row.id: row for row in conn.execute(select(*_DONOR_COLS).where(or_(*conditions)).order_by(_P.c.id))}
    target = _resolve_merged(conn, rows)
    by_key: dict[str, int] = {}
    for donor_id in sorted(target):
        row = rows[donor_id]
        for key in (row.key_birth, row.key_phone, row.key_address):
            if key:
                by_key.setdefault(key, target[donor_id])
    return by_key, rows


def _donor_row(donor_id: int, rec: dict[str, Any], at: datetime) -> dict[str, Any]:
    keys = rec["keys"]
    return {
        "id": donor_id, "name": rec["name"], "kana": rec["kana"], "birth_date": rec["birth_date"],
        "phone": rec["phone"], "email": rec["email"], "postal_code": rec["postal_code"],
        "prefecture": rec["prefecture"], "address": rec["address"], "kana_key": keys.kana,
        "key_birth": keys.birth, "key_phone": keys.phone, "key_address": keys.address, "key_postal": keys.postal,
        "phone_key": keys.phone_only,
        "merged_into_id": None, "last_donation_at": rec["applied_at"], "created_at": at, "updated_at": at,
    }


def _refresh_donor(donor: dict[str, Any], rec: dict[str, Any]) -> None:
    """A repeat donor's contact data follows their latest application; a birth date once known
    stays. The keys are recomputed from what results."""
    if donor.get("last_donation_at") is None or rec["applied_at"] >= donor["last_donation_at"]:
        for name in ("name", "kana", "phone", "email", "postal_code", "prefecture", "address"):
            if rec[name]:
                donor[name] = rec[name]
        donor["last_donation_at"] = rec["applied_at"]
    if donor.get("birth_date") is None and rec["birth_date"]:
        donor["birth_date"] = rec["birth_date"]


def apply_chunk(ctx: ImportContext, good: list[tuple[int, dict[str, Any]]]) -> None:
    """Apply staged rows (each order number once: staging kept the file's first row of each)."""
    if not good:
        return
    conn, writer, counts = ctx.writer.conn, ctx.writer, ctx.counts
    at = now()
    order_ids = sorted({rec["order_id"] for _, rec in good})
    existing = {row.order_id: row for row in conn.execute(
        select(_D.c.id, _D.c.order_id, _D.c.status, _D.c.paid_on, _D.c.payment_method, _D.c.amount)
        .where(_D.c.portal_id == ctx.portal_id, _one_of(conn, _D.c.order_id, order_ids)))}

    new: list[tuple[int, dict[str, Any]]] = []
    updates: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    for row_no, rec in good:
        old = existing.get(rec["order_id"])
        if old is None:
            new.append((row_no, rec))
            continue
        changes = _donation_changes(old, rec)
        if not changes:
            counts.unchanged += 1
            continue
        counts.updated += 1
        updates.append({"b_id": old.id, "b_batch": ctx.batch_id, "b_row": row_no, "b_at": at,
                        **{f"b_{k}": changes.get(k, getattr(old, k)) for k in _UPDATABLE}})
        for name, value in changes.items():
            corrections.append({"donation_id": old.id, "field": name, "old_value": _text(getattr(old, name)),
                                "new_value": _text(value), "reason": f"取込 {ctx.filename}（{row_no}行目）",
                                "channel": "", "source": "import", "batch_id": ctx.batch_id, "at": at,
                                "username": ctx.username})
    if updates:
        conn.execute(
            update(_D).where(_D.c.id == bindparam("b_id")).values(
                **{k: bindparam(f"b_{k}") for k in _UPDATABLE}, batch_id=bindparam("b_batch"),
                source_row=bindparam("b_row"), updated_at=bindparam("b_at")),
            updates)
        writer.insert(Correction.__table__, corrections)
    if new:
        _insert_new(ctx, new, at)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _insert_new(ctx: ImportContext, new: list[tuple[int, dict[str, Any]]], at: datetime) -> None:
    conn, writer, counts = ctx.writer.conn, ctx.writer, ctx.counts
    by_key, found = _find_donors(conn, [rec for _, rec in new])
    new_donors: dict[int, dict[str, Any]] = {}
    touched: dict[int, dict[str, Any]] = {}  # existing donors whose data a new row refreshes
    repeat: set[int] = set()
    pending: list[tuple[int, dict[str, Any]]] = []
    for row_no, rec in new:
        keys = rec["keys"]
        donor_id = next((by_key[k] for k in (keys.birth, keys.phone, keys.address) if k and k in by_key), None)
        if donor_id is None:
            donor_id = -(len(new_donors) + 1)  # a temporary id until the chunk's ids are allocated
            new_donors[donor_id] = _donor_row(0, rec, at)
        else:
            repeat.add(donor_id)
            if donor_id < 0:
                _refresh_donor(new_donors[donor_id], rec)
                _rekey(new_donors[donor_id])
            else:
                if donor_id not in touched:
                    row = found.get(donor_id)
                    touched[donor_id] = {"last_donation_at": row.last_donation_at if row else None,
                                         "birth_date": row.birth_date if row else None}
                _refresh_donor(touched[donor_id], rec)
        for k in (keys.birth, keys.phone, keys.address):
            if k:
                by_key.setdefault(k, donor_id)
        pending.append((donor_id, row_no, rec))

    real = dict(zip(sorted(new_donors, reverse=True), writer.ids(_P, len(new_donors)), strict=True))
    donor_rows = []
    for temp_id, row in new_donors.items():
        row["id"] = real[temp_id]
        donor_rows.append(_donor_tuple(writer, row))
    writer.insert_tuples(_P, _DONOR_COLUMNS, donor_rows)
    if touched:
        _update_donors(conn, touched, at)

    donation_ids = writer.ids(_D, len(pending))
    donations, flags = [], []
    stamp, day, flag = writer.stamp, writer.day, writer.flag
    at_value, portal_id, batch_id = stamp(at), ctx.portal_id, ctx.batch_id
    for donation_id, (donor_id, row_no, rec) in zip(donation_ids, pending, strict=True):
        donations.append((
            donation_id, portal_id, rec["order_id"], "portal", real.get(donor_id, donor_id),
            stamp(rec["applied_at"]), day(rec["applied_on"]), day(rec["paid_on"]), rec["amount"],
            rec["payment_method"], rec["status"], rec["gift_code"], rec["gift_name"], rec["quantity"],
            flag(rec["one_stop"]), flag(rec["receipt_wish"]), rec["notes"], rec["name"], rec["kana"],
            day(rec["birth_date"]), rec["phone"], rec["email"], rec["postal_code"], rec["prefecture"], rec["address"],
            batch_id, row_no, at_value, at_value))
        for reason, detail in rec["suspects"]:
            flags.append((donation_id, reason, detail, "open", batch_id, at_value, None, "", ""))
    twins_of = {real.get(d, d) for d in repeat}  # only donors with more than one donation can have twins
    writer.insert_tuples(_D, _DONATION_COLUMNS, donations)
    counts.created += len(donations)
    created = set(donation_ids)
    for donation_id, others in suspects.duplicate_orders(conn, twins_of).items():
        if donation_id in created:
            listed = "、".join(f"#{o}" for o in others[:5])
            detail = f"同じ寄附者・返礼品・金額・申込日の寄附が他にもあります（寄附 {listed}）。"
            flags.append((donation_id, "duplicate_order", detail, "open", batch_id, at_value, None, "", ""))
    writer.insert_tuples(SuspectFlag.__table__, _FLAG_COLUMNS, flags)
    counts.suspects += len(flags)


def _rekey(row: dict[str, Any]) -> None:
    keys = nz.match_keys(row["kana"], row["birth_date"], row["phone"], row["postal_code"], row["address"])
    row.update(kana_key=keys.kana, key_birth=keys.birth, key_phone=keys.phone, key_address=keys.address,
               key_postal=keys.postal, phone_key=keys.phone_only)


def _update_donors(conn: Connection, touched: dict[int, dict[str, Any]], at: datetime) -> None:
    """Refresh repeat donors: contact data from the newest application in the chunk, if newer."""
    current = {row.id: row._asdict() for row in conn.execute(
        select(_P.c.id, _P.c.name, _P.c.kana, _P.c.birth_date, _P.c.phone, _P.c.email, _P.c.postal_code,
               _P.c.prefecture, _P.c.address, _P.c.last_donation_at).where(_one_of(conn, _P.c.id, sorted(touched))))}
    params = []
    for donor_id, change in touched.items():
        row = current[donor_id]
        row.update({k: v for k, v in change.items() if v is not None})
        _rekey(row)
        params.append({f"b_{k}": v for k, v in row.items()} | {"b_at": at})
    columns = ("name", "kana", "birth_date", "phone", "email", "postal_code", "prefecture", "address",
               "last_donation_at", "kana_key", "key_birth", "key_phone", "key_address", "key_postal", "phone_key")
    conn.execute(update(_P).where(_P.c.id == bindparam("b_id")).values(
        **{c: bindparam(f"b_{c}") for c in columns}, updated_at=bindparam("b_at")), params)


_DONATION_COLUMNS = (
    "id", "portal_id", "order_id", "channel", "donor_id", "applied_at", "applied_on", "paid_on", "amount",
    "payment_method", "status", "gift_code", "gift_name", "quantity", "one_stop", "receipt_wish", "notes", "name",
    "kana", "birth_date", "phone", "email", "postal_code", "prefecture", "address", "batch_id", "source_row",
    "created_at", "updated_at")
_FLAG_COLUMNS = ("donation_id", "reason", "detail", "status", "batch_id", "created_at", "cleared_at", "cleared_by",
                 "clear_note")
_DONOR_COLUMNS = (
    "id", "name", "kana", "birth_date", "phone", "email", "postal_code", "prefecture", "address", "kana_key",
    "key_birth", "key_phone", "key_address", "key_postal", "phone_key", "merged_into_id", "last_donation_at",
    "created_at", "updated_at")


def _donor_tuple(writer: Writer, row: dict[str, Any]) -> tuple[Any, ...]:
    """A donor row (from _donor_row) in _DONOR_COLUMNS order, encoded for the driver."""
    return (row["id"], row["name"], row["kana"], writer.day(row["birth_date"]), row["phone"], row["email"],
            row["postal_code"], row["prefecture"], row["address"], row["kana_key"], row["key_birth"],
            row["key_phone"], row["key_address"], row["key_postal"], row["phone_key"], row["merged_into_id"],
            writer.stamp(row["last_donation_at"]), writer.stamp(row["created_at"]), writer.stamp(row["updated_at"]))


# --- files ---------------------------------------------------------------------------------

def store_upload(filename: str, content: bytes, *, by: User | None) -> ImportFile:
    """Keep an uploaded file (size-limited) so that its batch can be run in the background and
    re-run after adjusting."""
    if not content:
        raise ImportRefused("ファイルが空です。", "file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportRefused(f"ファイルが大きすぎます（上限{MAX_UPLOAD_BYTES // (1024 * 1024)}MB）。"
                            "大きなファイルはコマンド（flask furusato import）で取り込んでください。", "file")
    stored = ImportFile(filename=filename[:255], size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                        content=content, uploaded_by=by.username if by is not None else "(system)")
    db.session.add(stored)
    db.session.flush()
    return stored


def rerun(batch: ImportBatch, *, accept_good_rows: bool, by: User | None) -> ImportBatch:
    """A new queued batch for the same stored file (after 取込調整, or taking the good rows)."""
    if batch.file_id is None:
        raise ImportRefused("この取込のファイルは保存されていないため、再実行できません。"
                            "ファイルを選び直してください。")
    stored = db.session.get(ImportFile, batch.file_id)
    assert stored is not None
    return create_batch(batch.portal, stored.filename, import_file=stored, accept_good_rows=accept_good_rows,
                        encoding=batch.encoding or None, by=by)


def stored_file(batch_id: int) -> tuple[io.BytesIO | None, int | None]:
    """A batch's stored file to read, and its number of rows (roughly), if it has one."""
    content = db.session.scalar(select(ImportFile.content).join(ImportBatch, ImportBatch.file_id == ImportFile.id)
                                .where(ImportBatch.id == batch_id))
    if content is None:
        return None, None
    stream = io.BytesIO(content)
    return stream, count_lines(stream)
