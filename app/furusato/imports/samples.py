"""The first values of a file's columns, for the 取込調整 screen: a column named 「備考２」 is
easier to map when one sees 「のし希望」 under it (issue 15 §4)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Collection

from app.auth import audit
from app.auth.models import User
from app.furusato.imports.parsing import clean_header
from app.furusato.imports.reading import ImportRefused, decoded_lines, detect_encoding, stored_file
from app.furusato.models import ImportBatch
from app.furusato.profiles import Profile

SAMPLE_ROWS = 50  # rows read for examples
SAMPLES = 3  # distinct values shown per column


def column_samples(batch: ImportBatch, profile: Profile, columns: Collection[str], *,
                   by: User | None) -> dict[str, list[str]]:
    """Up to SAMPLES distinct values of each of `columns` in the first rows of the batch's
    stored file; nothing for a file no longer stored or unreadable (its batch says why). A
    file's values may be a donor's: showing them is a read."""
    stream, _rows = stored_file(batch.id)
    if stream is None or not columns:
        return {}
    found: dict[str, list[str]] = {column: [] for column in columns}
    try:
        reader = csv.reader(decoded_lines(stream, batch.encoding or detect_encoding(stream)),
                            delimiter=profile.delimiter)
        header = [clean_header(cell) for cell in next(reader, [])]
        where = [(index, found[cell]) for index, cell in enumerate(header) if cell in found]
        for row in itertools.islice(reader, SAMPLE_ROWS):
            for index, values in where:
                value = row[index].strip() if index < len(row) else ""
                if value and value not in values and len(values) < SAMPLES:
                    values.append(value[:40])
    except (ImportRefused, csv.Error, UnicodeError):
        return {}
    if any(found.values()):
        audit.record("read", "furusato_import_batch", batch.id, "取込調整（列の値の例）", by=by)
    return found
