"""Portal imports: every donation from every portal in one system (004 §5(2), §7(2)エ, §7(3)ア).

One file, one batch, all or nothing:

- the encoding is detected (UTF-8 with or without BOM, Shift_JIS/CP932) and reported, never
  guessed: a file that is neither, or that stops decoding halfway, is refused with the row;
- the file is streamed and handled in chunks, each with a few set-based queries and bulk
  writes (COPY on PostgreSQL, executemany elsewhere), so memory stays bounded at any size;
- every chunk is written inside one SAVEPOINT: a crash, or a file with errors that the operator
  has not chosen to take partly, rolls back to exactly the state before the file;
- the portal's order number makes a row unique per portal, so the same or an overlapping file
  creates nothing twice; a later file moves payment status forward (unpaid → paid → cancelled)
  and each such change is kept in the correction history.
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
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import IO, Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Index,
    Table,
    Text,
    any_,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.expression import bindparam

from app.extensions import db
from app.furusato import normalize as nz
from app.furusato import suspects
from app.furusato.models import (
    STATUS_RANK,
    Correction,
    Donation,
    Donor,
    FurusatoSettings,
    Gift,
    ImportBatch,
    ImportFile,
    ImportIssue,
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
from app.timeutil import now

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


class ImportRefused(ValueError):
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
            issues.append(Issue(1, cell, "invalid", f"列「{cell}」が見出しに2回あります。"))
        seen.add(cell)
        if cell and cell not in profile.columns:
            issues.append(Issue(1, cell, "unknown_column",
                                f"列「{cell}」は{profile.name}の取込設定にありません。取込調整で項目を対応付けるか、"
                                "「取り込まない」を選んでください。"))
    mapped = {profile.columns[c] for c in header if c in profile.columns}
    for needed in STRUCTURAL:
        if needed not in mapped:
            column = profile.column_for(needed) or FIELDS[needed]
            issues.append(Issue(1, column, "missing_column",
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
            issues.append(Issue(row_no, self._col(name), "unknown_value",
                                f"「{value}」は{FIELDS[name]}の値として登録されていません。"
                                "取込調整で対応付けてください。", value[:200]))
        return mapped

    def parse(self, row: list[str], row_no: int) -> tuple[dict[str, Any] | None, list[Issue]]:
        if len(row) != self.width:
            return None, [Issue(row_no, ROW_FIELD, "invalid",
                                f"列の数が見出しと違います（見出し{self.width}列、この行{len(row)}列）。")]
        raw = {f: row[i].strip() for f, i in self.single}
        for f, indexes, joiner in self.multi:
            raw[f] = joiner.join([part for part in [row[i].strip() for i in indexes] if part])
        get = raw.get
        issues: list[Issue] = []
        for name in STRUCTURAL:
            if not get(name):
                issues.append(Issue(row_no, self._col(name), "missing", f"{FIELDS[name]}がありません。"))
        rec: dict[str, Any] = {"order_id": unicodedata.normalize("NFKC", get("order_id", ""))}
        text = get("applied_at")
        if text:
            applied = self._datetime(text)
            if applied is None:
                issues.append(Issue(row_no, self._col("applied_at"), "invalid",
                                    f"日時「{text}」を読めません。", text[:200]))
            rec["applied_at"] = applied
        text = get("amount")
        if text:
            amount = self._amount(text)
            if amount is None or not 0 < amount < 100_000_000:
                issues.append(Issue(row_no, self._col("amount"), "invalid",
                                    f"金額「{text}」が正しくありません。", text[:200]))
            rec["amount"] = amount
        for name in ("paid_on", "birth_date"):
            text = get(name, "")
            parsed = self._date(text) if text else None
            if text and parsed is None:
                issues.append(Issue(row_no, self._col(name), "invalid", f"日付「{text}」を読めません。", text[:200]))
            rec[name] = parsed
        text = get("quantity", "")
        rec["quantity"] = 1
        if text:
            q = self._amount(text)
            if q is None or not 0 < q < 1000:
                issues.append(Issue(row_no, self._col("quantity"), "invalid", f"数量「{text}」が正しくありません。"))
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
                issues.append(Issue(row_no, self._col(name), "invalid",
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
    portal: Portal
    profile: Profile
    batch: ImportBatch
    writer: Writer
    rules: suspects.RuleContext
    counts: Counts
    username: str
    portal_id: int = 0  # the ids as plain ints: read once, not per row through the ORM
    batch_id: int = 0

    def __post_init__(self) -> None:
        self.portal_id, self.batch_id = self.portal.id, self.batch.id


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


def parse_chunk(parser: RowParser, rules: suspects.RuleContext, chunk: list[tuple[int, list[str]]]) -> ParsedChunk:
    """Parse and normalise a chunk's rows and run the suspect rules on the good ones (which
    need nothing from the database). Blank lines (often the last one) are not rows."""
    parsed = ParsedChunk(0, [], [])
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


def run_import(portal: Portal, stream: IO[bytes], filename: str, *, accept_good_rows: bool = False,
               encoding: str | None = None, import_file: ImportFile | None = None, source: str = "web",
               username: str = "") -> tuple[ImportBatch, Counts]:
    """Import one portal file. Returns the batch (flushed, in the caller's transaction) and the
    counts with every issue. Nothing of the file is applied when any row fails, unless
    `accept_good_rows` says the operator chose to take the good rows; header problems
    (unknown or missing columns) always stop the file until the mapping is fixed."""
    profile = effective_profile(portal)
    batch = ImportBatch(portal_id=portal.id, file_id=import_file.id if import_file else None,
                        filename=filename[:255], source=source, username=username,
                        accept_good_rows=accept_good_rows, status="failed")
    db.session.add(batch)
    db.session.flush()
    counts = Counts()
    try:
        codec = encoding or detect_encoding(stream)
        batch.encoding = codec
        reader = csv.reader(decoded_lines(stream, codec), delimiter=profile.delimiter)
        rows = _rows(reader, 1)
        first = next(rows, None)
        if first is None:
            raise ImportRefused("ファイルが空です（見出し行がありません）。")
        header = [_clean_header(c) for c in first[1]]
        for issue in check_header(profile, header):
            counts.add_issue(issue)
        if counts.error_count:
            return _finish(batch, counts, "refused", "見出し（1行目）に対応付けられない列があります。"
                           "取込調整で直してから再実行してください。何も取り込んでいません。")
        _apply_file(portal, profile, batch, counts, RowParser(profile, header), rows, accept_good_rows, username)
    except ImportRefused as exc:
        counts.add_issue(Issue(0, "ファイル", "invalid", str(exc)))
        return _finish(batch, counts, "refused", f"{exc} 何も取り込んでいません。")
    if counts.error_count and not accept_good_rows:
        return _finish(batch, counts, "refused",
                       f"{counts.error_count}件の行に誤りがあるため、何も取り込んでいません。取込調整で直して再実行するか、"
                       "正常な行だけを取り込むかを選んでください。")
    status = "partial" if counts.error_count else "applied"
    return _finish(batch, counts, status, "")


def _apply_file(portal: Portal, profile: Profile, batch: ImportBatch, counts: Counts, parser: RowParser,
                rows: Iterator[tuple[int, list[str]]], accept_good_rows: bool, username: str) -> None:
    savepoint = db.session.begin_nested()
    conn = db.session.connection()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # index pages of a large import stay in memory; bounded, and reset afterwards
        conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    try:
        ctx = ImportContext(portal, profile, batch, Writer(conn), rule_context(profile.expected), counts, username)
        dropped: list[Index] = []
        for parsed in parsed_chunks(parser, ctx.rules, _chunks(rows, CHUNK_ROWS)):
            counts.rows += parsed.rows
            for issue in parsed.issues:
                counts.add_issue(issue)
            if counts.error_count and not accept_good_rows:
                continue  # keep reading: the operator needs every failing row listed
            if (not dropped and counts.rows >= DEFER_INDEXES_AFTER_ROWS
                    and counts.rows - DEFER_INDEXES_AFTER_ROWS < CHUNK_ROWS and _doubles_the_table(conn, counts.rows)):
                dropped = _deferred_indexes()
                for index in dropped:
                    index.drop(conn)
            apply_chunk(ctx, parsed.good)
        if not (counts.error_count and not accept_good_rows):  # (a rollback brings them back)
            for index in dropped:
                index.create(conn)
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
    if counts.error_count and not accept_good_rows:
        savepoint.rollback()
        counts.created = counts.updated = counts.unchanged = counts.suspects = 0
    else:
        savepoint.commit()


def _finish(batch: ImportBatch, counts: Counts, status: str, message: str) -> tuple[ImportBatch, Counts]:
    batch.status = status
    batch.message = message
    batch.rows, batch.created, batch.updated = counts.rows, counts.created, counts.updated
    batch.unchanged, batch.error_count, batch.suspects = counts.unchanged, counts.error_count, counts.suspects
    batch.finished_at = now()
    db.session.flush()
    if counts.issues:
        Writer(db.session.connection()).insert(ImportIssue.__table__, [
            {"batch_id": batch.id, "row": i.row, "field": i.field[:100], "code": i.code, "reason": i.reason,
             "value": i.value[:200]} for i in counts.issues])
    return batch, counts


def summary(batch: ImportBatch, counts: Counts) -> dict[str, Any]:
    """What the command line prints (and the nightly job reads)."""
    return {
        "batch": batch.id, "portal": batch.portal.code if batch.portal else None, "file": batch.filename,
        "encoding": batch.encoding, "status": batch.status, "applied": batch.applied,
        "rows": counts.rows, "created": counts.created, "updated": counts.updated,
        "unchanged": counts.unchanged, "suspects": counts.suspects, "error_count": counts.error_count,
        "message": batch.message, "errors": [i.as_dict() for i in counts.issues],
    }


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
    if not good:
        return
    conn, writer, counts, batch = ctx.writer.conn, ctx.writer, ctx.counts, ctx.batch
    at = now()
    order_ids = sorted({rec["order_id"] for _, rec in good})
    existing = {row.order_id: row for row in conn.execute(
        select(_D.c.id, _D.c.order_id, _D.c.status, _D.c.paid_on, _D.c.payment_method, _D.c.amount,
               _D.c.batch_id, _D.c.source_row)
        .where(_D.c.portal_id == ctx.portal_id, _one_of(conn, _D.c.order_id, order_ids)))}

    new: list[tuple[int, dict[str, Any]]] = []
    in_chunk: dict[str, tuple[int, dict[str, Any]]] = {}
    updates: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    for row_no, rec in good:
        order_id = rec["order_id"]
        earlier = in_chunk.get(order_id)
        old = existing.get(order_id)
        if earlier is not None or (old is not None and old.batch_id == ctx.batch_id):
            first_row = earlier[0] if earlier else old.source_row
            first = earlier[1] if earlier else old._asdict()
            if all(first[k] == rec[k] for k in ("status", "amount", "paid_on")):
                counts.unchanged += 1
            else:
                counts.add_issue(Issue(row_no, ctx.profile.column_for("order_id") or FIELDS["order_id"], "duplicate",
                                       f"注文番号「{order_id}」が{first_row}行目にもあり、内容が違います。", order_id))
            continue
        in_chunk[order_id] = (row_no, rec)
        if old is None:
            new.append((row_no, rec))
            continue
        changes = _donation_changes(old, rec)
        if not changes:
            counts.unchanged += 1
            continue
        counts.updated += 1
        updates.append({"b_id": old.id, "b_batch": batch.id, "b_row": row_no, "b_at": at,
                        **{f"b_{k}": changes.get(k, getattr(old, k)) for k in _UPDATABLE}})
        for name, value in changes.items():
            corrections.append({"donation_id": old.id, "field": name, "old_value": _text(getattr(old, name)),
                                "new_value": _text(value), "reason": f"取込 {batch.filename}（{row_no}行目）",
                                "channel": "", "source": "import", "batch_id": batch.id, "at": at,
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

def store_upload(filename: str, content: bytes, username: str) -> ImportFile:
    """Keep an uploaded file (size-limited) so that its batch can be re-run after adjusting."""
    if not content:
        raise ImportRefused("ファイルが空です。")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportRefused(f"ファイルが大きすぎます（上限{MAX_UPLOAD_BYTES // (1024 * 1024)}MB）。"
                            "大きなファイルはコマンド（flask furusato import）で取り込んでください。")
    stored = ImportFile(filename=filename[:255], size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                        content=content, uploaded_by=username)
    db.session.add(stored)
    db.session.flush()
    return stored


def rerun(batch: ImportBatch, *, accept_good_rows: bool, username: str) -> tuple[ImportBatch, Counts]:
    stored = db.session.get(ImportFile, batch.file_id) if batch.file_id else None
    if stored is None:
        raise ImportRefused("この取込のファイルは保存されていないため、再実行できません。"
                            "ファイルを選び直してください。")
    return run_import(batch.portal, io.BytesIO(stored.content), stored.filename, accept_good_rows=accept_good_rows,
                      encoding=batch.encoding or None, import_file=stored, username=username)

