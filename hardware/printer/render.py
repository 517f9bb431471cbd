"""Turning a Document into ESC/POS bytes, in Kanji-font mode or as raster images.

python-escpos writes the commands it gets right (alignment, bold, size, native QR, cut, drawer,
raster images). Japanese text never goes through ``Escpos.text()``: its encoder sends any
string with a CJK ideograph as GB18030 (python-escpos issue #678), so Japanese lines are written
raw between ``FS &`` and ``FS .`` as cp932 (see shared/HARDWARE.md).
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from escpos.escpos import Escpos
from escpos.printer import Dummy

from .document import Cut, Document, DrawerKick, Element, Feed, QRCode, Rule, Text
from .fonts import PAPER_DOTS, draw_text_line

Mode = Literal["kanji", "raster"]
MODES: tuple[str, ...] = ("kanji", "raster")
DEFAULT_PROFILE = "TM-T88V"
#: Font A is 12 dots wide: 42 half-width columns on 512 dots.
COLUMNS = 42

ESC_INIT = b"\x1b@"
ESC_CODE_TABLE_KATAKANA = b"\x1bt\x01"
FS_SHIFT_JIS = b"\x1cC\x01"
FS_KANJI_ON = b"\x1c&"
FS_KANJI_OFF = b"\x1c."


def clean_text(text: str) -> str:
    """Replace control characters so text from a visitor's form cannot smuggle commands."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def kanji_line(text: str) -> bytes:
    """One line of Japanese text for a printer with a Kanji font (Shift_JIS code system)."""
    encoded = clean_text(text).encode("cp932", errors="replace")
    return FS_SHIFT_JIS + FS_KANJI_ON + encoded + b"\n" + FS_KANJI_OFF


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def rule_text(char: str, columns: int = COLUMNS) -> str:
    return char * (columns // display_width(char))


def render(doc: Document, printer: Escpos, mode: Mode = "kanji", columns: int = COLUMNS) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown print mode {mode!r}; use kanji or raster")
    printer.hw("INIT")
    if mode == "kanji":
        printer._raw(ESC_CODE_TABLE_KATAKANA)
    for element in doc.elements:
        _render_element(element, printer, mode, columns)


def render_bytes(
    doc: Document, mode: Mode = "kanji", profile: str = DEFAULT_PROFILE, columns: int = COLUMNS
) -> bytes:
    dummy = Dummy(profile=profile)
    render(doc, dummy, mode, columns)
    return dummy.output


def _render_element(element: Element, printer: Escpos, mode: Mode, columns: int) -> None:
    if isinstance(element, Text):
        _render_text(element, printer, mode)
    elif isinstance(element, Rule):
        _render_text(Text(rule_text(element.char, columns)), printer, mode)
    elif isinstance(element, Feed):
        printer.print_and_feed(element.lines)
    elif isinstance(element, QRCode):
        printer.set(align=element.align)
        printer.qr(element.data, size=element.size, native=True)
        printer.set(align="left")
    elif isinstance(element, Cut):
        printer.cut(mode="PART" if element.partial else "FULL")
    elif isinstance(element, DrawerKick):
        printer.cashdraw(element.pin)


def _render_text(line: Text, printer: Escpos, mode: Mode) -> None:
    if mode == "raster":
        image = draw_text_line(
            clean_text(line.text),
            bold=line.bold,
            width=line.width,
            height=line.height,
            align=line.align,
            paper_dots=PAPER_DOTS,
        )
        printer.image(image, center=False)
        return
    printer.set(
        align=line.align, bold=line.bold, custom_size=True, width=line.width, height=line.height
    )
    text = clean_text(line.text)
    if text.isascii():
        printer._raw(text.encode("ascii") + b"\n")
    else:
        printer._raw(kanji_line(text))
