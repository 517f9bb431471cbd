"""Bulk payment matching (issue 16 §1): a bank's 入出金明細 or a ゆうちょ 郵便振替 払込み明細, as
CSV, taken in the background and matched to the donations waiting for their money.

A transfer profile (app/furusato/profiles/transfers/<code>.yaml, like the portals') names the
file's columns, its encoding (Shift_JIS: what banks and ゆうちょ export) and date formats, and
the payment method of its money. The upload is kept as the portal import keeps its files
(imports.store_upload, with the sha256): the same file is refused a second time, and a row an
earlier file of the same kind already had (overlapping statements) is skipped, so no money is
recorded twice. The file is read whole before anything is written: a file with any bad row is
refused with every row named and changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import url_for
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato import imports, payments, transfer_matching
from app.furusato.imports.parsing import clean_header, parse_amount
from app.furusato.imports.reading import numbered_rows
from app.furusato.models import ImportFile, PaymentMethod
from app.furusato.profiles import parse_date
from app.furusato.services import FurusatoError
from app.furusato.transfer_models import (
    MatchKind,
    TransferBatch,
    TransferBatchState,
    TransferRow,
    TransferState,
)
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.paging import Page, paged

PROFILE_DIR = Path(__file__).resolve().parent / "profiles" / "transfers"
TASK_KIND = "furusato.transfers"
SUBJECT = "furusato_transfer_batch"
IGNORE = "_ignore"
FIELDS = {"transferred_on": "取引日", "amount": "金額", "payer": "振込依頼人名", "memo": "摘要"}
REQUIRED = ("transferred_on", "amount", "payer")
MAX_PROBLEMS = 50  # a file refused for more rows names the first ones (and says how many)


class TransferRefused(Refusal):
    """A transfer file that cannot be taken: the message names the row and the column."""


@dataclass(frozen=True)
class TransferProfile:
    code: str
    name: str
    method: PaymentMethod
    encoding: str
    date_formats: tuple[str, ...]
    columns: dict[str, str]  # header → field (or _ignore)

    def column_for(self, target: str) -> str:
        return next((c for c, f in self.columns.items() if f == target), FIELDS[target])


@cache
def profiles() -> dict[str, TransferProfile]:
    found = {}
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        columns = {clean_header(str(k)): str(v) for k, v in data["columns"].items()}
        unknown = set(columns.values()) - set(FIELDS) - {IGNORE}
        missing = set(REQUIRED) - set(columns.values())
        if unknown or missing:
            raise ValueError(f"transfer profile {path.name}: unknown fields {unknown}, missing {missing}")
        found[str(data["code"])] = TransferProfile(
            code=str(data["code"]), name=str(data["name"]), method=PaymentMethod(data["method"]),
            encoding=str(data.get("encoding", "cp932")), date_formats=tuple(data["date_formats"]),
            columns=columns)
    return found


def profile_of(code: str) -> TransferProfile:
    try:
        return profiles()[code]
    except KeyError:
        raise TransferRefused("明細の種類を選んでください。", "profile") from None


# --- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transfer:
    row_no: int
    on: date
    amount: int
    payer: str
    memo: str


def _header(profile: TransferProfile, cells: list[str]) -> dict[str, int]:
    """Where each field is in the file; a missing column is refused by name (or the file is
    the other kind's: that is said instead)."""
    header = [clean_header(c) for c in cells]
    at = {profile.columns[c]: i for i, c in enumerate(header) if c in profile.columns}
    missing = [f for f in REQUIRED if f not in at]
    if not missing:
        return at
    other = next((p for p in profiles().values() if p.code != profile.code
                  and all(p.column_for(f) in header for f in REQUIRED)), None)
    if other is not None:
        raise TransferRefused(f"このファイルは{other.name}のようです（見出しが{other.name}の列です）。"
                              f"明細の種類を選び直してください。何も取り込んでいません。", "profile")
    raise TransferRefused.of([Problem("file", f"必須の列「{profile.column_for(f)}」がファイルの見出し（1行目）に"
                                              f"ありません（{profile.name}の明細か確認してください）。")
                              for f in missing], "ファイルの見出しに必須の列がありません。何も取り込んでいません。")


def _rows(profile: TransferProfile, content: bytes) -> Any:
    lines = imports.decoded_lines(io.BytesIO(content), profile.encoding)
    return numbered_rows(csv.reader(lines), 1)


def check_header(profile: TransferProfile, content: bytes) -> None:
    """Encoding and columns, read on the upload (the rows are read by the background work)."""
    for _, cells in _rows(profile, content):
        _header(profile, cells)
        return
    raise TransferRefused("ファイルが空です。", "file")


def read_transfers(profile: TransferProfile, content: bytes) -> tuple[list[Transfer], int]:
    """Every credit of the file and how many rows were not credits (a withdrawal, a blank
    amount); refused with every bad row named when any row is bad."""
    rows = _rows(profile, content)
    first = next(rows, None)
    if first is None:
        raise TransferRefused("ファイルが空です。", "file")
    at = _header(profile, first[1])
    found, skipped, problems = [], 0, []
    for row_no, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        cell = {f: (cells[i].strip() if i < len(cells) else "") for f, i in at.items()}
        amount_text = cell["amount"]
        if not amount_text or parse_amount(amount_text) == 0:
            skipped += 1  # not money coming in
            continue
        amount, on = parse_amount(amount_text), parse_date(cell["transferred_on"], profile.date_formats)
        column = profile.column_for
        if amount is None:
            problems.append(Problem("file", f"{row_no}行目：{column('amount')}「{amount_text}」"
                                            "が金額として読めません。"))
        if on is None:
            problems.append(Problem("file", f"{row_no}行目：{column('transferred_on')}「{cell['transferred_on']}」"
                                            "が日付として読めません（例：2026/12/01）。"))
        elif on > today():
            problems.append(Problem("file", f"{row_no}行目：{column('transferred_on')}「{cell['transferred_on']}」"
                                            "が未来の日付です。"))
        if amount is not None and on is not None and on <= today():
            found.append(Transfer(row_no, on, amount, cell["payer"][:100], cell.get("memo", "")))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f"（先頭{MAX_PROBLEMS}件を表示）" if len(problems) > MAX_PROBLEMS else ""
        raise TransferRefused.of(shown, f"ファイルに誤りが{len(problems)}件あります{more}。何も取り込んでいません。")
    return found, skipped


# --- the upload and the batch -------------------------------------------------------------------

@dataclass(frozen=True)
class TransferUpload:
    profile: str
    filename: str | None
    content: bytes


def earlier_batch(sha256: str, before: int | None = None) -> TransferBatch | None:
    """A batch that took (or is taking) the same file."""
    query = select(TransferBatch).where(TransferBatch.sha256 == sha256,
                                        TransferBatch.status != TransferBatchState.failed)
    if before is not None:
        query = query.where(TransferBatch.id < before)
    return db.session.scalar(query.order_by(TransferBatch.id))


def _already(batch: TransferBatch) -> str:
    return (f"このファイルは既に取り込まれています（照合 #{batch.id}、{batch.created_at:%Y-%m-%d %H:%M} "
            f"{batch.username}）。同じ入金を二重に記録しないため、取り込みません。")


def create_batch(data: TransferUpload, *, by: User | None, source: str = "web") -> TransferBatch:
    """An uploaded transfer file, checked (encoding, columns, not taken before) and kept, as a
    batch to be matched (flushed, in the caller's transaction). Without a user (the demo) the
    batch is the source's own: "(demo)"."""
    profile = profile_of(data.profile)
    stored = imports.store_upload(data.filename or "transfers.csv", data.content, by=by)
    earlier = earlier_batch(stored.sha256)
    if earlier is not None:
        raise TransferRefused(_already(earlier), "file")
    check_header(profile, data.content)
    batch = TransferBatch(profile=profile.code, method=profile.method, file_id=stored.id, sha256=stored.sha256,
                          filename=stored.filename, encoding=profile.encoding,
                          username=by.username if by is not None else f"({source})")
    db.session.add(batch)
    db.session.flush()
    audit.record("create", SUBJECT, batch.id, f"{profile.name} {stored.filename} 照合を受付", by=by,
                 username=batch.username)
    return batch


def start(data: TransferUpload, *, by: User) -> TransferBatch:
    """The upload: the file kept and its matching queued as background work (after the commit)."""
    batch = create_batch(data, by=by)
    tasks.submit(TASK_KIND, {"batch_id": batch.id}, by=by, subject_type=SUBJECT, subject_id=batch.id,
                 title=f"入金照合 #{batch.id}（{profile_of(batch.profile).name}）")
    return batch


def task_of(batch: TransferBatch) -> Task | None:
    return tasks.latest_for(SUBJECT, batch.id)


def recent_batches(limit: int = 20) -> list[TransferBatch]:
    return list(db.session.scalars(select(TransferBatch).order_by(TransferBatch.id.desc()).limit(limit)))


def batch_rows(batch: TransferBatch, page: int = 1) -> Page[TransferRow]:
    return paged(select(TransferRow).where(TransferRow.batch_id == batch.id).order_by(TransferRow.row_no), page)


def summary_text(batch: TransferBatch) -> str:
    return (f"{batch.status.label}：入金{batch.rows:,}件（入金記録{batch.recorded:,}、要確認{batch.uncertain:,}、"
            f"該当なし{batch.unmatched:,}）、取り込まない行（出金・前回取込済）{batch.skipped:,}")


def _seen_before(batch: TransferBatch, transfers: list[Transfer]) -> set[tuple[date, int, str, str]]:
    """The rows earlier files of the same kind already had, within this file's days."""
    if not transfers:
        return set()
    days = [t.on for t in transfers]
    return {tuple(r) for r in db.session.execute(
        select(TransferRow.transferred_on, TransferRow.amount, TransferRow.payer, TransferRow.memo)
        .join(TransferBatch, TransferBatch.id == TransferRow.batch_id)
        .where(TransferBatch.profile == batch.profile, TransferBatch.id != batch.id,
               TransferRow.transferred_on.between(min(days), max(days))))}


def _fail(batch: TransferBatch, exc: Refusal) -> None:
    """A refused file: nothing of it is kept but the batch's message (every problem, by row)."""
    db.session.rollback()
    batch = db.session.get_one(TransferBatch, batch.id)
    lines = [exc.message] + [p.message for p in exc.problems if p.message != exc.message]
    batch.status, batch.message, batch.finished_at = TransferBatchState.failed, "\n".join(lines), now()
    audit.record("update", SUBJECT, batch.id, f"照合できないファイル：{exc.message}", by=None,
                 username=batch.username)
    db.session.commit()


def _give_up(batch_id: int) -> None:
    """A batch whose work broke (a bug, the database): nothing of it is kept, and it no longer
    holds its file (the same file may be taken again)."""
    db.session.rollback()
    batch = db.session.get_one(TransferBatch, batch_id)
    batch.status, batch.finished_at = TransferBatchState.failed, now()
    batch.message = "照合の処理が途中で止まりました。何も記録していません。ファイルをもう一度取り込んでください。"
    db.session.commit()


def _match(batch: TransferBatch, transfer: Transfer, by: User | None, paid: set[tuple[str, int]]) -> TransferRow:
    keys = transfer_matching.payer_keys(transfer.payer)
    row = TransferRow(batch_id=batch.id, row_no=transfer.row_no, transferred_on=transfer.on, amount=transfer.amount,
                      payer=transfer.payer, payer_key=keys.key, memo=transfer.memo)
    found = transfer_matching.find(row)
    kind = found.kind
    if kind is MatchKind.none and keys.key and (keys.key, transfer.amount) in paid:
        kind = MatchKind.taken  # the same name and amount paid a donation a row above: a second payment
    row.match, row.state = kind, transfer_matching.state_for(kind)
    if kind in transfer_matching.CERTAIN:
        donation = found.both[0]
        try:
            payment = payments.record_payment(donation, transfer.on, transfer.amount, batch.method, by)
        except FurusatoError:  # paid meanwhile (another file, a clerk): refused before any write
            row.match, row.state = MatchKind.taken, TransferState.unmatched
        else:
            row.donation_id, row.payment_id = donation.id, payment.id
            row.resolved_by, row.resolved_at = by.username if by else batch.username, now()
            paid.add((keys.key, transfer.amount))
    db.session.add(row)
    db.session.flush()
    return row


def run_batch(batch_id: int, *, by: User | None = None,
              progress: Callable[[int, int], None] | None = None) -> TransferBatch:
    """Read the batch's file whole, then match every credit, in one transaction (a crash
    leaves nothing, and running it again does the whole file). Commits."""
    batch = db.session.get_one(TransferBatch, batch_id)
    if not batch.in_progress:
        return batch
    earlier = earlier_batch(batch.sha256, before=batch.id)
    content = db.session.scalar(select(ImportFile.content).where(ImportFile.id == batch.file_id))
    try:
        if earlier is not None:
            raise TransferRefused(_already(earlier))
        transfers, skipped = read_transfers(profile_of(batch.profile), content or b"")
    except TransferRefused as exc:
        _fail(batch, exc)
        raise
    seen = _seen_before(batch, transfers)
    batch.status, batch.skipped = TransferBatchState.running, skipped
    paid: set[tuple[str, int]] = set()
    for done, transfer in enumerate(transfers, start=1):
        if (transfer.on, transfer.amount, transfer.payer, transfer.memo) in seen:
            batch.skipped += 1  # an earlier statement had this row
            continue
        row = _match(batch, transfer, by, paid)
        batch.rows += 1
        batch.recorded += row.state is TransferState.recorded
        batch.uncertain += row.state is TransferState.uncertain
        batch.unmatched += row.state is TransferState.unmatched
        if progress is not None:
            progress(done, len(transfers))
    batch.status, batch.finished_at = TransferBatchState.done, now()
    audit.record("update", SUBJECT, batch.id, summary_text(batch), by=by, username=batch.username)
    db.session.commit()
    return batch


@tasks.kind(TASK_KIND, title="入金照合（振込・振替）", programme="furusato")
def run_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    task = tasks.get_task(ctx.task_id)
    by = tasks.created_by(task) if task is not None else None
    batch_id = int(ctx.params["batch_id"])
    db.session.rollback()  # no transaction open before the work (on SQLite one holds the lock)

    def report(done: int, total: int) -> None:
        ctx.progress(done, total, phase="照合", unit="件")

    try:
        batch = run_batch(batch_id, by=by, progress=report)
    except TransferRefused:
        raise  # the batch says why already
    except Exception:
        _give_up(batch_id)
        raise
    ctx.progress(batch.rows + batch.skipped, batch.rows + batch.skipped, phase="完了", unit="件")
    return {"summary": summary_text(batch), "link": url_for("furusato.transfer_batch", transfer_id=batch.id),
            "link_label": "照合の結果を開く"}
