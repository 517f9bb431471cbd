"""Join PDFs that reportlab wrote into one, streaming: each part is read, its objects are
renumbered and copied to the output, and only the page ids and the byte offsets of the objects
stay in memory (a few bytes per page). reportlab's Canvas keeps every page until save(), so a
long document (a print batch of tens of thousands of pages) is rendered in parts of bounded size
and joined here; a general PDF library would hold the whole result to write it.

Only reportlab's output is read: a classic cross-reference table, uncompressed object headers,
one flat /Pages node. Anything else is refused (ValueError), not guessed at.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

_REF = re.compile(rb"(\d+) 0 R")
_TRAILER_ROOT = re.compile(rb"/Root (\d+) 0 R")
_TRAILER_INFO = re.compile(rb"/Info (\d+) 0 R")
_PAGES = re.compile(rb"/Pages (\d+) 0 R")
_OUTLINES = re.compile(rb"/Outlines (\d+) 0 R")
_KIDS = re.compile(rb"/Kids \[([^\]]*)\]")
_PARENT = re.compile(rb"/Parent \d+ 0 R")
_HEADER = b"%PDF-1.4\n%\x93\x8c\x8b\x9e\n"
CATALOG, PAGES, INFO = 1, 2, 3


class _Part:
    """One reportlab PDF: its objects by number, read from its cross-reference table."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        start = int(data[data.rindex(b"startxref") + 9:].split()[0])
        head, _, rest = data[start:].partition(b"\n")
        if head.strip() != b"xref":
            raise ValueError("PDF の相互参照表が読めません（reportlab の出力だけを結合できます）。")
        first_line, _, table = rest.partition(b"\n")
        first, count = (int(x) for x in first_line.split())
        self.offsets: dict[int, int] = {}
        for i in range(count):
            entry = table[i * 20:i * 20 + 20]
            if entry[17:18] == b"n":
                self.offsets[first + i] = int(entry[:10])
        ends = sorted(self.offsets.values()) + [start]
        self._end = {off: ends[i + 1] for i, off in enumerate(ends[:-1])}
        trailer = data[start:]
        root = int(_TRAILER_ROOT.search(trailer).group(1))  # type: ignore[union-attr]
        info = _TRAILER_INFO.search(trailer)
        catalog = self.body(root)
        self.pages_id = int(_PAGES.search(catalog).group(1))  # type: ignore[union-attr]
        outlines = _OUTLINES.search(catalog)
        kids = _KIDS.search(self.body(self.pages_id))
        if kids is None:
            raise ValueError("PDF のページ構成が読めません。")
        self.page_ids = [int(m.group(1)) for m in _REF.finditer(kids.group(1))]
        self.skip = {root, self.pages_id} | ({int(info.group(1))} if info else set()) | (
            {int(outlines.group(1))} if outlines else set())

    def body(self, number: int) -> bytes:
        """The object's bytes after its `n 0 obj` line, up to `endobj`."""
        start = self.offsets[number]
        chunk = self.data[start:self._end[start]]
        head_end = chunk.index(b"obj") + 3
        return chunk[head_end:chunk.rindex(b"endobj")]


def _renumber(body: bytes, base: int, pages_id: int | None) -> bytes:
    """Object references shifted by `base` in the dictionary part (never inside a stream's
    data); a page's /Parent points at the joined document's page tree."""
    cut = body.find(b"stream\r\n")
    if cut < 0:
        cut = body.find(b"stream\n")
    head, tail = (body, b"") if cut < 0 else (body[:cut], body[cut:])
    head = _REF.sub(lambda m: b"%d 0 R" % (int(m.group(1)) + base), head)
    if pages_id is not None:
        head = _PARENT.sub(b"/Parent %d 0 R" % PAGES, head)
    return head + tail


class StreamingJoin:
    """Write parts one after another into `out`; `close()` writes the page tree and the
    cross-reference table. Memory: the page ids and object offsets only."""

    def __init__(self, out: BinaryIO, *, title: str = "", author: str = "") -> None:
        self.out, self.title, self.author = out, title, author
        self.offsets = array("q", [0, 0, 0, 0])  # object 0 (free), catalog, pages, info
        self.kids = array("q")
        self.written = 0
        self._write(_HEADER)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _object(self, number: int, body: bytes) -> None:
        if number == len(self.offsets):
            self.offsets.append(self.written)
        else:
            self.offsets[number] = self.written
        self._write(b"%d 0 obj" % number + body + b"endobj\n")

    def add(self, data: bytes) -> int:
        """Append one reportlab PDF; returns its number of pages."""
        part = _Part(data)
        base = len(self.offsets) - 1
        numbers = sorted(part.offsets)
        page_set = set(part.page_ids)
        for number in numbers:
            if number in part.skip:
                continue
            body = _renumber(part.body(number), base, part.pages_id if number in page_set else None)
            while len(self.offsets) < number + base:  # skipped numbers stay as free entries
                self.offsets.append(-1)
            self._object(number + base, body)
        self.kids.extend(p + base for p in part.page_ids)
        return len(part.page_ids)

    def add_file(self, path: Path) -> int:
        return self.add(path.read_bytes())

    def close(self) -> None:
        def literal(value: str) -> bytes:
            return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"

        self._object(CATALOG, b"\n<< /Type /Catalog /Pages %d 0 R /PageMode /UseNone >>\n" % PAGES)
        kids = b" ".join(b"%d 0 R" % k for k in self.kids)
        self._object(PAGES, b"\n<< /Type /Pages /Count %d /Kids [ %s ] >>\n" % (len(self.kids), kids))
        self._object(INFO, b"\n<< /Title %s /Author %s /Creator (Yakuba) /Producer (ReportLab, Yakuba join) >>\n"
                     % (literal(self.title), literal(self.author)))
        xref = self.written
        lines = [b"xref\n0 %d\n" % len(self.offsets), b"0000000000 65535 f \n"]
        lines += [b"0000000000 65535 f \n" if off < 0 else b"%010d 00000 n \n" % off for off in self.offsets[1:]]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets), CATALOG, INFO, xref))

    @property
    def pages(self) -> int:
        return len(self.kids)


def join(parts: Iterable[bytes], out: BinaryIO, *, title: str = "", author: str = "") -> int:
    """Join reportlab PDFs into `out`; returns the number of pages."""
    joiner = StreamingJoin(out, title=title, author=author)
    for data in parts:
        joiner.add(data)
    joiner.close()
    return joiner.pages
