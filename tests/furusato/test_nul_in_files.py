"""A NUL in an imported file (issue 14 §4 "Bad input"): PostgreSQL text holds none, so a field
with one used to fail the whole import task on PostgreSQL (and was stored on SQLite). The row is
refused with its field named; a NUL in a header cell is dropped; in an ignored column, harmless."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from app.extensions import db
from app.furusato.models import Donation
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes


def test_a_field_with_a_nul_refuses_its_row_and_names_the_field(run_file, generator) -> None:
    first, second = list(generator.donations(2, bad=0))
    rows = [dataclasses.replace(first, notes="備\x00考", person=dataclasses.replace(first.person, family="山\x00田")),
            second]
    batch, counts = run_file("choice", portal_bytes(file_profiles()["choice"], rows), accept_good_rows=True)
    assert batch.status == "partial", counts.issues  # the good row is in
    assert {(i.row, i.code) for i in counts.issues} == {(2, "invalid")}
    assert all("使用できない文字（NUL）" in i.reason for i in counts.issues) and len(counts.issues) == 2
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 1


def test_a_nul_in_a_header_cell_is_dropped(run_file, generator) -> None:
    data = portal_bytes(file_profiles()["choice"], list(generator.donations(2, bad=0)))
    header, rest = data.split(b"\r\n", 1) if b"\r\n" in data else data.split(b"\n", 1)
    first_cell_end = header.index(b",")
    nul = "\x00".encode(file_profiles()["choice"].encoding or "utf-8")
    batch, counts = run_file("choice", header[:first_cell_end] + nul + header[first_cell_end:] + b"\r\n" + rest)
    assert batch.status == "applied", counts.issues
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 2
