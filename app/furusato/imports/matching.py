"""Donor matching for a chunk of new donations: existing donors found by their strong keys
(after merges), repeat donors refreshed from their latest application."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    or_,
    select,
    update,
)
from sqlalchemy.sql.expression import bindparam

from app.furusato import normalize as nz
from app.furusato.imports.writing import DONORS, in_values

_DONOR_COLS = (DONORS.c.id, DONORS.c.merged_into_id, DONORS.c.key_birth, DONORS.c.key_phone, DONORS.c.key_address,
               DONORS.c.last_donation_at, DONORS.c.birth_date)



def _resolve_merged(conn: Connection, donors: dict[int, Any]) -> dict[int, int]:
    """Each donor id to the donor it now belongs to (following merges)."""
    target = {i: (row.merged_into_id or i) for i, row in donors.items()}
    pending = {t for t in target.values() if t not in donors}
    while pending:
        rows = conn.execute(select(*_DONOR_COLS).where(in_values(conn, DONORS.c.id, pending))).all()
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
    conditions = [in_values(conn, column, values) for column, values in (
        (DONORS.c.key_birth, wanted["birth"]), (DONORS.c.key_phone, wanted["phone"]),
        (DONORS.c.key_address, wanted["address"])) if values]
    if not conditions:
        return {}, {}
    rows = {row.id: row for row in conn.execute(select(*_DONOR_COLS).where(or_(*conditions)).order_by(DONORS.c.id))}
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



@dataclass
class Assigned:
    """The donors of a chunk's new donations: new ones under temporary (negative) ids, existing
    ones whose contact data a row refreshes, those with more than one donation, and each row
    with its donor."""

    new: dict[int, dict[str, Any]] = field(default_factory=dict)
    touched: dict[int, dict[str, Any]] = field(default_factory=dict)
    repeat: set[int] = field(default_factory=set)
    pending: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


def assign_donors(conn: Connection, new: list[tuple[int, dict[str, Any]]], at: datetime) -> Assigned:
    """Match each new row to an existing donor, to a donor an earlier row of the chunk made, or
    to a new donor, on the strong keys."""
    by_key, found = _find_donors(conn, [rec for _, rec in new])
    out = Assigned()
    for row_no, rec in new:
        keys = rec["keys"]
        donor_id = next((by_key[k] for k in (keys.birth, keys.phone, keys.address) if k and k in by_key), None)
        if donor_id is None:
            donor_id = -(len(out.new) + 1)  # a temporary id until the chunk's ids are allocated
            out.new[donor_id] = _donor_row(0, rec, at)
        else:
            out.repeat.add(donor_id)
            if donor_id < 0:
                _refresh_donor(out.new[donor_id], rec)
                _rekey(out.new[donor_id])
            else:
                if donor_id not in out.touched:
                    row = found.get(donor_id)
                    out.touched[donor_id] = {"last_donation_at": row.last_donation_at if row else None,
                                             "birth_date": row.birth_date if row else None}
                _refresh_donor(out.touched[donor_id], rec)
        for k in (keys.birth, keys.phone, keys.address):
            if k:
                by_key.setdefault(k, donor_id)
        out.pending.append((donor_id, row_no, rec))
    return out


def _rekey(row: dict[str, Any]) -> None:
    keys = nz.match_keys(row["kana"], row["birth_date"], row["phone"], row["postal_code"], row["address"])
    row.update(kana_key=keys.kana, key_birth=keys.birth, key_phone=keys.phone, key_address=keys.address,
               key_postal=keys.postal, phone_key=keys.phone_only)


def update_donors(conn: Connection, touched: dict[int, dict[str, Any]], at: datetime) -> None:
    """Refresh repeat donors: contact data from the newest application in the chunk, if newer."""
    p = DONORS.c
    current = {row.id: row._asdict() for row in conn.execute(
        select(p.id, p.name, p.kana, p.birth_date, p.phone, p.email, p.postal_code,
               p.prefecture, p.address, p.last_donation_at).where(in_values(conn, p.id, sorted(touched))))}
    params = []
    for donor_id, change in touched.items():
        row = current[donor_id]
        row.update({k: v for k, v in change.items() if v is not None})
        _rekey(row)
        params.append({f"b_{k}": v for k, v in row.items()} | {"b_at": at})
    columns = ("name", "kana", "birth_date", "phone", "email", "postal_code", "prefecture", "address",
               "last_donation_at", "kana_key", "key_birth", "key_phone", "key_address", "key_postal", "phone_key")
    conn.execute(update(DONORS).where(DONORS.c.id == bindparam("b_id")).values(
        **{c: bindparam(f"b_{c}") for c in columns}, updated_at=bindparam("b_at")), params)
