"""Receipt and ticket printers: a document model, ESC/POS rendering, drivers and a simulator."""

from .decoder import EscPosDecoder, Line, Page, decode
from .document import Cut, Document, DrawerKick, Feed, QRCode, Rule, Text
from .drivers import EscposPrinter, Printer, PrinterOffline, open_printer
from .fonts import FontNotFound, find_japanese_font
from .paper import page_image, page_png, page_text
from .render import kanji_line, render, render_bytes
from .simulator import SimulatedPrinter, simulated_printer, simulated_printers

__all__ = [
    "Cut",
    "Document",
    "DrawerKick",
    "EscPosDecoder",
    "EscposPrinter",
    "Feed",
    "FontNotFound",
    "Line",
    "Page",
    "Printer",
    "PrinterOffline",
    "QRCode",
    "Rule",
    "SimulatedPrinter",
    "Text",
    "decode",
    "find_japanese_font",
    "kanji_line",
    "open_printer",
    "page_image",
    "page_png",
    "page_text",
    "render",
    "render_bytes",
    "simulated_printer",
    "simulated_printers",
]
