"""Applying one chunk of staged rows: an order number already imported moves forward (with a
correction kept per change), a new one becomes a donation of a matched or new donor, with its
suspect flags."""


from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    column,
    delete,
    exists,
    insert,
    literal,
    select,
    table,
    update,
)
from sqlalchemy.sql.expression import bindparam

from app.core.dates import now
from app.furusato import suspects
from app.furusato.imports.matching import Assigned, assign_donors, update_donors
from app.furusato.imports.parsing import Counts
from app.furusato.imports.writing import (
    _DONOR_COLUMNS,
    _FLAG_COLUMNS,
    DONATIONS,
    DONORS,
    Writer,
    _donor_tuple,
    in_values,
)
from app.furusato.models import (
    STATUS_RANK,
    Correction,
    ImportStagingRow,
    SuspectFlag,
)

# --- the import ----------------------------------------------------------------------------

STAGING = ImportStagingRow.__table__

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


_UPDATABLE = ("status", "paid_on", "payment_method", "amount")

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



def apply_chunk(ctx: ImportContext, good: list[tuple[int, dict[str, Any]]]) -> None:
    """Apply staged rows (each order number once: staging kept the file's first row of each),
    still in the staging table: `good` carries what matching and the updates read, and a new
    donation is copied from its staged row."""
    if not good:
        return
    conn, writer, counts = ctx.writer.conn, ctx.writer, ctx.counts
    at = now()
    order_ids = sorted({rec["order_id"] for _, rec in good})
    d = DONATIONS.c
    existing = {row.order_id: row for row in conn.execute(
        select(d.id, d.order_id, d.status, d.paid_on, d.payment_method, d.amount)
        .where(d.portal_id == ctx.portal_id, in_values(conn, d.order_id, order_ids)))}

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
            update(DONATIONS).where(DONATIONS.c.id == bindparam("b_id")).values(
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


def _write_donors(writer: Writer, donors: Assigned, at: datetime) -> dict[int, int]:
    """Insert the chunk's new donors and refresh the repeat ones; each temporary id to its real one."""
    real = dict(zip(sorted(donors.new, reverse=True), writer.ids(DONORS, len(donors.new)), strict=True))
    donor_rows = []
    for temp_id, row in donors.new.items():
        row["id"] = real[temp_id]
        donor_rows.append(_donor_tuple(writer, row))
    writer.insert_tuples(DONORS, _DONOR_COLUMNS, donor_rows)
    if donors.touched:
        update_donors(writer.conn, donors.touched, at)
    return real


# Each new donation's staged row with the ids it gets: a temporary table of the connection,
# emptied after each chunk, that the donations' INSERT … SELECT joins to the staging table.
_ASSIGNED = table("furusato_import_assigned", column("row_no"), column("donation_id"), column("donor_id"))
_ASSIGNED_DDL = ("CREATE TEMPORARY TABLE IF NOT EXISTS furusato_import_assigned "
                 "(row_no INTEGER PRIMARY KEY, donation_id INTEGER NOT NULL, donor_id INTEGER NOT NULL)")
_COPIED = ("applied_at", "applied_on", "paid_on", "amount", "payment_method", "status", "gift_code", "gift_name",
           "quantity", "one_stop", "receipt_wish", "notes", "name", "kana", "birth_date", "phone", "email",
           "postal_code", "prefecture", "address", "use")


def _insert_new(ctx: ImportContext, new: list[tuple[int, dict[str, Any]]], at: datetime) -> None:
    """The new donations: their donors matched or created here, their rows copied by one
    INSERT … SELECT from the staging table (which holds them until the chunk is applied), so
    that a donation's own values never travel to Python and back (issue 22)."""
    conn, writer, counts = ctx.writer.conn, ctx.writer, ctx.counts
    donors = assign_donors(conn, new, at)
    real = _write_donors(writer, donors, at)
    pending, repeat = donors.pending, donors.repeat
    donation_ids = writer.ids(DONATIONS, len(pending))
    assigned, flags = [], []
    at_value, batch_id = writer.stamp(at), ctx.batch_id
    for donation_id, (donor_id, row_no, rec) in zip(donation_ids, pending, strict=True):
        assigned.append((row_no, donation_id, real.get(donor_id, donor_id)))
        for reason, detail in rec["suspects"]:
            flags.append((donation_id, reason, detail, "open", batch_id, at_value, None, "", ""))
    twins_of = {real.get(d, d) for d in repeat}  # only donors with more than one donation can have twins
    conn.exec_driver_sql(_ASSIGNED_DDL)
    writer.insert_tuples(_ASSIGNED, ("row_no", "donation_id", "donor_id"), assigned)
    s, a = STAGING.c, _ASSIGNED.c
    conn.execute(insert(DONATIONS).from_select(
        ("id", "portal_id", "order_id", "channel", "donor_id", *_COPIED, "batch_id", "source_row", "created_at",
         "updated_at"),
        select(a.donation_id, literal(ctx.portal_id), s.order_id, literal("portal"), a.donor_id,
               *(s[name] for name in _COPIED), s.batch_id, s.row_no, literal(at, DateTime), literal(at, DateTime))
        .join_from(STAGING, _ASSIGNED, a.row_no == s.row_no).where(s.batch_id == batch_id)))
    conn.execute(delete(_ASSIGNED))
    counts.created += len(assigned)
    writer.insert_tuples(SuspectFlag.__table__, _FLAG_COLUMNS, flags)
    counts.suspects += len(flags) + _flag_twins(ctx, twins_of, at)


def _flag_twins(ctx: ImportContext, donor_ids: set[int], at: datetime) -> int:
    """The duplicate_order rule for the donors a chunk added donations to, over the whole table:
    every donation this batch created that now has a twin is flagged once, with all its twins
    named, whichever chunk brought it or its twin (issue 22: the flags must not depend on the
    chunk size). Donations of earlier batches are not flagged again by a later file. Returns
    how many flags were added."""
    conn, writer = ctx.writer.conn, ctx.writer
    twins = suspects.duplicate_orders(conn, donor_ids)
    if not twins:
        return 0
    d, c, f = DONATIONS.c, Correction.__table__.c, SuspectFlag.__table__.c
    # Created by this batch: stamped with it and not merely updated by it (an update always
    # writes a correction row with the batch).
    ours = set(conn.scalars(select(d.id).where(
        in_values(conn, d.id, sorted(twins)), d.batch_id == ctx.batch_id,
        ~exists().where(c.donation_id == d.id, c.batch_id == ctx.batch_id))))
    flagged = {row.donation_id: (row.id, row.detail) for row in conn.execute(
        select(f.id, f.donation_id, f.detail).where(
            in_values(conn, f.donation_id, sorted(ours)), f.reason == "duplicate_order", f.batch_id == ctx.batch_id))}
    at_value, new, changed = writer.stamp(at), [], []
    for donation_id in sorted(ours):
        listed = "、".join(f"#{o}" for o in twins[donation_id][:5])
        detail = f"同じ寄附者・返礼品・金額・申込日の寄附が他にもあります（寄附 {listed}）。"
        earlier = flagged.get(donation_id)
        if earlier is None:
            new.append((donation_id, "duplicate_order", detail, "open", ctx.batch_id, at_value, None, "", ""))
        elif earlier[1] != detail:  # a third twin came in a later chunk
            changed.append({"b_id": earlier[0], "b_detail": detail})
    writer.insert_tuples(SuspectFlag.__table__, _FLAG_COLUMNS, new)
    if changed:
        conn.execute(update(SuspectFlag.__table__).where(f.id == bindparam("b_id"))
                     .values(detail=bindparam("b_detail")), changed)
    return len(new)
