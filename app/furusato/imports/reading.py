"""Reading a portal file: its encoding (detected and reported, never guessed), its lines
decoded strictly one by one, its CSV rows in chunks; and the uploaded file kept for its batch."""


from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy import (
    select,
)

from app.auth.models import User
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato.models import (
    ImportBatch,
    ImportFile,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

SNIFF_BYTES = 1 << 20

ENCODINGS: dict[str, str] = {
    "utf-8-sig": "UTF-8（BOM付き）",
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS（CP932）",
}

class ImportRefused(Refusal):
    """The file cannot be read at all (encoding, empty); the message names what and where."""



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




def numbered_rows(reader: Iterator[list[str]], first_row: int) -> Iterator[tuple[int, list[str]]]:
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


def chunked(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk



def count_lines(stream: IO[bytes]) -> int:
    """The file's rows, roughly (lines after the header): the progress bar's total."""
    start = stream.tell()
    lines, last = 0, b"\n"
    while block := stream.read(1 << 20):
        lines += block.count(b"\n")
        last = block[-1:]
    stream.seek(start)
    return max(0, lines + (last != b"\n") - 1)



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



def stored_file(batch_id: int) -> tuple[io.BytesIO | None, int | None]:
    """A batch's stored file to read, and its number of rows (roughly), if it has one."""
    content = db.session.scalar(select(ImportFile.content).join(ImportBatch, ImportBatch.file_id == ImportFile.id)
                                .where(ImportBatch.id == batch_id))
    if content is None:
        return None, None
    stream = io.BytesIO(content)
    return stream, count_lines(stream)
