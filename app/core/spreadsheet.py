"""CSV for people who open it in a spreadsheet: every export writes through `writer` (issue 14 §4).

Excel and LibreOffice read a cell that starts with = + - @ (or a tab or CR before one) as a
formula: a donor named `=HYPERLINK(...)`, or an anonymous login attempt typed as one and kept in
the audit log, would run in the office PC's spreadsheet (OWASP "CSV Injection"). Such a text
cell gets a leading apostrophe: Excel then shows the text as text (another spreadsheet may show the
apostrophe too, which is the price of safety).

What stays as it is: values that are numbers (int, float, Decimal), so an amount of -500 is
still the number -500, and text that is a plain decimal number ("-1.5"), which no spreadsheet
reads as anything but that number. The first character is checked after width folding (NFKC),
so a full-width ＝ or ＋ is caught too, whether or not the import folded it before.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

from app.core.text import width

FORMULA = "=+-@\t\r"
# Every character that width folding (NFKC) turns into one of FORMULA (＝, ＋, ﹦, ⁼...), found once
# here so that a million-row export looks each cell's first character up in a set.
FORMULA_START = frozenset(ch for ch in map(chr, range(0x30000)) if width(ch)[:1] in FORMULA)
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class _Text(Protocol):
    def write(self, s: str, /) -> Any: ...


def cell(value: Any) -> Any:
    """`value` as an export writes it: text a spreadsheet would take for a formula is kept text."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_START and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every cell goes through `cell`."""

    def __init__(self, out: _Text, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Text, **fmtparams: Any) -> SafeWriter:
    """The one CSV writer of every export (csv.writer's arguments)."""
    return SafeWriter(out, **fmtparams)
