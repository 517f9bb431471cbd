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

#: The longest field the csv module reads (a portal's longest field, notes, is far shorter).
FIELD_LIMIT = 100_000
csv.field_size_limit(FIELD_LIMIT)
SAVE_WITH_LINE_ENDINGS = "改行コードをCRLF（Windows）またはLFにして保存し直してください。"
CR_ONLY = "ファイルの改行コードがCRだけです（古いMacintosh形式）。" + SAVE_WITH_LINE_ENDINGS


class ImportRefused(Refusal):
    """The file cannot be read at all (encoding, empty); the message names what and where."""



# --- encoding -----------------------------------------------------------------------------

def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) or CP932, decided on the first bytes that are not ASCII.

    A UTF-8 sequence is almost never valid by accident, so a file that decodes as UTF-8 is
    UTF-8; otherwise it must decode as CP932 (Windows Shift_JIS, which portals' "Shift_JIS"
    exports really are). A file that mixes the two is read in the encoding of its first line
    that is not ASCII, so that decoding names the row where the other one begins. A file that
    is neither is refused; nothing is guessed.
    """
    start = stream.tell()
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        stream.seek(start)
        return "utf-8-sig"
    stream.seek(start)
    lines_before = 0  # of the blocks read so far, all ASCII
    while True:
        block = stream.read(SNIFF_BYTES)
        if not block:
            stream.seek(start)
            return "utf-8"  # ASCII only: both readings agree
        first = re.search(rb"[\x80-\xff]", block)
        if first is None:
            lines_before += block.count(b"\n")
            continue
        # From a line start before the first non-ASCII byte, a whole window to decide on.
        line_start = block.rfind(b"\n", 0, first.start()) + 1
        window = block[line_start:] + stream.read(SNIFF_BYTES)
        stream.seek(start)
        found = _reads_as(window) or _reads_as(window.split(b"\n", 1)[0])
        if found:
            return found
        row = lines_before + block.count(b"\n", 0, line_start) + 1
        raise ImportRefused(f"文字コードを判別できません（ファイルの{row}行目）。UTF-8（BOM付き・なし）または"
                            "Shift_JIS（CP932）のCSVファイルを指定してください。")


def _reads_as(data: bytes) -> str | None:
    """The first of UTF-8 and CP932 that reads `data` (which may end inside a character)."""
    for encoding in ("utf-8", "cp932"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(data, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


_BEYOND_TWO_BYTES = re.compile("[\u0800-\U0010ffff]")


def _other_encoding(line: bytes, codec: str) -> str | None:
    """The encoding a line that `codec` cannot read (or, in a CP932 file, reads as nonsense)
    is really in: UTF-8 that has a character of three bytes or more is never CP932 by accident
    (two-byte UTF-8 can be a pair of half-width katakana)."""
    if codec == "cp932":
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "utf-8" if _BEYOND_TWO_BYTES.search(text) else None
    try:
        line.decode("cp932")
    except UnicodeDecodeError:
        return None
    return "cp932"


def _other(number: int, codec: str, other: str, *, mixed: bool) -> ImportRefused:
    """A line in `other` in a file read as `codec`: a file pasted together from two when the
    lines before it with Japanese text read as `codec`, else a file in `other` altogether."""
    read_as, found = ENCODINGS.get(codec, codec), ENCODINGS[other]
    if not mixed:
        return ImportRefused(f"ファイルの{number}行目が{read_as}として読めません（{found}のようです）。"
                             "取込の文字コードの指定を確認してください。")
    return ImportRefused(f"ファイルの{number}行目は{found}で書かれていて、それより前の行（{read_as}）と"
                         "文字コードが違います。文字コードの違う行が混じっているため読めません。"
                         "ファイル全体を同じ文字コードで保存し直してください。")


def decoded_lines(stream: IO[bytes], codec: str) -> Iterator[str]:
    """The file's lines, decoded strictly one by one so that a bad byte is reported with its
    line, and a line in the other encoding (a file pasted together from two) as such. (A
    newline byte never occurs inside a UTF-8 or CP932 character, so splitting the bytes at
    newlines first is safe.) A file whose lines end in CR alone is refused at its first line."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    japanese = False  # a line before this one had text beyond ASCII, and read as `codec`
    for number, line in enumerate(stream, start=1):
        if number == 1 and b"\r" in line.rstrip(b"\r\n"):
            raise ImportRefused(CR_ONLY)
        plain = line.isascii()
        other = None if plain or codec != "cp932" else _other_encoding(line, codec)
        text = ""
        try:
            text = "" if other else decoder.decode(line)
        except UnicodeDecodeError as exc:
            other = _other_encoding(line, codec)
            if other is None:
                raise ImportRefused(f"ファイルの{number}行目に{ENCODINGS.get(codec, codec)}として読めない文字があります"
                                    f"（{exc.start + 1}バイト目）。ファイルの文字コードを確認してください。") from None
        if other:
            raise _other(number, codec, other, mixed=japanese)
        japanese = japanese or not plain
        yield text
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportRefused("ファイルの最後が文字の途中で切れています。"
                            "ファイルが壊れていないか確認してください。") from None


def _unreadable_row(row_no: int, error: str) -> ImportRefused:
    """What the csv module's error (English, about its own internals) means for the file."""
    if error.startswith("field larger than field limit"):
        return ImportRefused(f"{row_no}行目に長すぎる項目があります（1項目{FIELD_LIMIT:,}文字まで）。"
                             "引用符（\"）の閉じ忘れがないか、正しいCSVファイルか確認してください。")
    if error.startswith("new-line character seen in unquoted field"):
        return ImportRefused(f"{row_no}行目に改行コードCRだけの改行があります。" + SAVE_WITH_LINE_ENDINGS)
    return ImportRefused(f"{row_no}行目付近をCSVとして読めません。"
                         "引用符（\"）の閉じ忘れや余分な引用符がないか確認してください。")


def numbered_rows(reader: Iterator[list[str]], first_row: int) -> Iterator[tuple[int, list[str]]]:
    row_no = first_row
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _unreadable_row(row_no, str(exc)) from None
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
