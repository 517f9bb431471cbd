"""Small building blocks for the city's PDF documents (DESIGN "Documents").

Fonts come from static/vendor/fonts (installed by `make assets`) and are embedded in every PDF.
Layout is reportlab's platypus; this module only adds what every document of the city shares.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from app.core.dates import wareki

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"
MINCHO = "BIZUDMincho"
GOTHIC = "BIZUDGothic"
GOTHIC_BOLD = "BIZUDGothic-Bold"
_FONT_FILES = {MINCHO: "BIZUDMincho-Regular.ttf", GOTHIC: "BIZUDGothic-Regular.ttf",
               GOTHIC_BOLD: "BIZUDGothic-Bold.ttf"}
SEAL_RED = colors.Color(0.8, 0.1, 0.1)


class FontsMissing(RuntimeError):
    pass


def text(value: object) -> str:
    """Data (a name, an address, a reason someone typed) made safe inside a Paragraph's markup:
    reportlab reads <, > and & there as tags and entities."""
    return escape(str(value))


def register_fonts() -> None:
    """Register the Japanese TrueType fonts once per process."""
    for name, filename in _FONT_FILES.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = FONT_DIR / filename
        if not path.exists():
            raise FontsMissing(f"{path} がありません。`make assets` でフォントを導入してください。")
        pdfmetrics.registerFont(TTFont(name, str(path)))


def document_date(day: date) -> str:
    """Dates on documents use the era (令和8年4月1日)."""
    return wareki(day)


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=MINCHO, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5),
        "label": ParagraphStyle("label", parent=base, fontName=GOTHIC, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=MINCHO, fontSize=22, leading=30,
                                alignment=TA_CENTER, spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", parent=base, fontName=GOTHIC_BOLD, fontSize=12, leading=17,
                                  spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


class SealStamp(Flowable):
    """The square red official seal impression (職印) printed next to the certifier's name."""

    def __init__(self, text: str, size: float = 21 * mm) -> None:
        super().__init__()
        self.text, self.size = text, size
        self.width = self.height = size

    def draw(self) -> None:
        c: Canvas = self.canv
        c.saveState()
        c.setStrokeColor(SEAL_RED)
        c.setFillColor(SEAL_RED)
        c.setLineWidth(1.6)
        c.rect(0, 0, self.size, self.size)
        c.setLineWidth(0.5)
        c.rect(1.2 * mm, 1.2 * mm, self.size - 2.4 * mm, self.size - 2.4 * mm)
        chars = list(self.text)
        cols = 2 if len(chars) > 3 else 1
        rows = -(-len(chars) // cols)
        cell_w, cell_h = (self.size - 4 * mm) / cols, (self.size - 4 * mm) / rows
        font_size = min(cell_w, cell_h) * 0.9
        c.setFont(MINCHO, font_size)
        # Japanese seals read in columns from the right
        for i, ch in enumerate(chars):
            col, row = cols - 1 - i // rows, i % rows
            x = 2 * mm + col * cell_w + (cell_w - font_size) / 2
            y = self.size - 2 * mm - (row + 1) * cell_h + (cell_h - font_size) / 2 + font_size * 0.12
            c.drawString(x, y, ch)
        c.restoreState()


def page_decorator(city_name: str, department: str, right_text: str = "") -> Callable[[Canvas, Any], None]:
    """Header (the city and its department, and e.g. the issue number) and a page number."""

    def decorate(canvas: Canvas, doc: Any) -> None:
        register_fonts()
        width, height = A4
        canvas.saveState()
        canvas.setFont(GOTHIC, 9)
        canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canvas.drawString(doc.leftMargin, height - 12 * mm, f"{city_name}　{department}")
        if right_text:
            canvas.drawRightString(width - doc.rightMargin, height - 12 * mm, right_text)
        canvas.setLineWidth(0.4)
        canvas.line(doc.leftMargin, height - 14 * mm, width - doc.rightMargin, height - 14 * mm)
        canvas.drawCentredString(width / 2, 9 * mm, f"- {doc.page} -")
        canvas.restoreState()

    return decorate


def build(story: list[Flowable], title: str, author: str,
          on_page: Callable[[Canvas, Any], None] | None = None) -> bytes:
    """An A4 PDF with the fonts embedded; returns the bytes."""
    register_fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=title, author=author, creator="Yakuba")
    doc.build(story, onFirstPage=on_page or (lambda c, d: None), onLaterPages=on_page or (lambda c, d: None))
    return out.getvalue()
