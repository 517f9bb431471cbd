"""The print-ready PDF of a certificate batch: a cover sheet of counts, then one page per
envelope (the donor's address block, each certificate with its number, amount and 収納日).

A stand-in with the interface of the full renderer (issue 16 §2, written on its own branch),
so that batches work end to end: it holds no batch logic, only drawing. Pages are drawn and
written one at a time by reportlab's canvas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.core.pdf import GOTHIC, GOTHIC_BOLD, MINCHO, document_date, register_fonts
from app.furusato.envelopes import Envelope, Issuer

WIDTH, HEIGHT = A4


def _postal(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else code


def _cover(canvas: Canvas, cover: Mapping[str, Any], issuer: Issuer) -> None:
    canvas.setFont(GOTHIC_BOLD, 18)
    canvas.drawString(25 * mm, HEIGHT - 35 * mm, "寄附金受領証明書　印刷バッチ　表紙")
    canvas.setFont(GOTHIC, 11)
    y = HEIGHT - 55 * mm
    for key, value in cover.items():
        canvas.drawString(25 * mm, y, f"{key}：{value}")
        y -= 8 * mm
    canvas.drawString(25 * mm, y - 6 * mm, issuer.office_name)
    canvas.showPage()


def _envelope(canvas: Canvas, envelope: Envelope, issuer: Issuer, letter: str) -> None:
    person = envelope.recipient
    canvas.setFont(GOTHIC, 11)
    canvas.drawString(25 * mm, HEIGHT - 25 * mm, _postal(person.postal_code))
    canvas.drawString(25 * mm, HEIGHT - 32 * mm, person.address)
    canvas.setFont(GOTHIC, 14)
    canvas.drawString(25 * mm, HEIGHT - 42 * mm, f"{person.name}　様")
    canvas.setFont(MINCHO, 16)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 70 * mm, "寄附金受領証明書")
    canvas.setFont(MINCHO, 10.5)
    y = HEIGHT - 85 * mm
    for line in envelope.certificates:
        mark = "【再発行】" if line.reissue else ""
        canvas.drawString(25 * mm, y, f"{mark}{line.fiscal_year}年度 第{line.number}号　寄附金額 {line.amount:,}円　"
                                      f"収納日 {document_date(line.paid_on)}")
        y -= 7 * mm
    if envelope.one_stop:
        canvas.drawString(25 * mm, y, "ワンストップ特例申請書を同封しています。")
        y -= 7 * mm
    canvas.drawString(25 * mm, y - 5 * mm, f"上記の金額を{issuer.city_name}への寄附金として受領しました。")
    canvas.drawString(110 * mm, y - 20 * mm, f"{issuer.city_name}{issuer.mayor_title}　{issuer.mayor_name}")
    canvas.setFont(MINCHO, 10)
    for i, paragraph in enumerate(letter.format(name=person.name, amount=f"{envelope.total:,}").splitlines()):
        canvas.drawString(25 * mm, 60 * mm - i * 6 * mm, paragraph)
    canvas.showPage()


def render(envelopes: Iterable[Envelope], out: IO[bytes], *, issuer: Issuer, settings: Any, letter: str,
           cover: Mapping[str, Any] | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write the batch's PDF to `out`; returns the number of pages."""
    register_fonts()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle("寄附金受領証明書")
    canvas.setAuthor(issuer.city_name)
    pages = 0
    if cover is not None:
        _cover(canvas, cover, issuer)
        pages += 1
    for done, envelope in enumerate(envelopes, start=1):
        _envelope(canvas, envelope, issuer, letter)
        pages += 1
        if progress is not None:
            progress(done)
    canvas.save()
    return pages
