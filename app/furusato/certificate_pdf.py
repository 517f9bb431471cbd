"""The print-ready PDF of a batch of window envelopes to donors (issue 16 §2, §3).

Each envelope, in the order given (the batch sorts by postal code), is A4 sheets folded in three
for a 長3 窓あき envelope:
1. the thank-you letter (お礼状), whose top third carries the address block that shows through
   the window (position: EnvelopeLayout) and the list of what is enclosed;
2. one 寄附金受領証明書 per donation. One per donation, not one listing them all, because each
   donation has its own 収納日 (two donations of a donor can fall in two tax years), its own
   number, and is reissued on its own; the donor attaches to a tax return the ones of that year.
3. where asked, the 寄附金税額控除に係る申告特例申請書 per donation, its 記載例 and the note on the
   return envelope (app/furusato/onestop_pdf.py); 4. where asked, the 払込取扱票.

What the certificate shows: 所得税法第78条第1項 grants the deduction for 特定寄附金, which by
第78条第2項第1号 include donations to a 地方公共団体 (the city); the donor proves the donation with
the recipient's receipt, 所得税法施行規則第47条の2第3項 (the paragraph the National Tax Agency
cites for it; its items were not read here in the e-Gov text, so they are not quoted). The
certificate prints what such a receipt shows: the donor's name and address as the donation gave
them, the amount, that the city received it and on which day (収納日, which decides the tax year),
the city's name, its mayor with the official seal, the statement that it is a donation to the
city (ふるさと納税), and the certificate number of the fiscal year. A batch without an uploaded
seal is refused (SealMissing) rather than printed 「公印省略」: the office decides to print only
once the seal is there, and a certificate without it is what donors phone about.

Memory stays flat: reportlab's Canvas keeps every page until save(), so envelopes are drawn in
parts of CHUNK envelopes, each saved to bytes and streamed into the output by app/core/pdf_join.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.core.dates import today
from app.core.pdf import GOTHIC, GOTHIC_BOLD, MINCHO, SEAL_RED, document_date, register_fonts
from app.core.pdf_join import StreamingJoin
from app.core.refusal import Refusal
from app.furusato import onestop_pdf
from app.furusato.envelopes import CertificateLine, Envelope, Issuer, Recipient
from app.furusato.letter import CoverSheet, EnvelopeLayout, LetterTemplate, check_template, fill

CHUNK = 400  # envelopes per reportlab part: bounded memory, few repeated font subsets
WIDTH, HEIGHT = A4
GREY = colors.Color(0.35, 0.35, 0.35)
# Standard forms for characters the embedded BIZ UD fonts lack (U+20BB7 つちよし is not in
# them); anything else missing prints as 〓, the usual mark for a 外字 the printer lacks.
FALLBACK = {"\U00020bb7": "吉"}


class SealMissing(Refusal):
    pass


def certificate_number(line: CertificateLine) -> str:
    return f"{line.fiscal_year}年度 第{line.number}号"


def signer(issuer: Issuer) -> str:
    """The certifier as a city signs: 鶴見市長　山田太郎 (a title given as 市長 joins the city's
    name without repeating 市)."""
    title = issuer.mayor_title
    if not title.startswith(issuer.city_name):
        title = issuer.city_name[:-1] + title if title[:1] == issuer.city_name[-1:] else issuer.city_name + title
    return f"{title}　{issuer.mayor_name}"


def postal(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else (f"〒{code}" if code else "")


@lru_cache(maxsize=4)
def _cmap(font: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def printable(value: str, font: str = MINCHO) -> str:
    """The text with the characters the font lacks replaced (see FALLBACK)."""
    known = _cmap(font)
    if all(ord(ch) in known or ch in "\n\t" for ch in value):
        return value
    return "".join(ch if ord(ch) in known or ch in "\n\t" else FALLBACK.get(ch, "〓") for ch in value)


@lru_cache(maxsize=20000)
def _char_width(ch: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(ch, font, size)


def wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` points, broken anywhere (Japanese text has no spaces)."""
    lines: list[str] = []
    for paragraph in value.split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = _char_width(ch, font, size)
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


class Sheet:
    """A Canvas measured in mm from the top-left corner, as forms are specified."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas

    def text(self, x: float, y: float, value: str, font: str = MINCHO, size: float = 10.5,
             align: str = "left") -> None:
        c = self.c
        c.setFont(font, size)
        value = printable(value, font)
        px, py = x * mm, HEIGHT - y * mm
        if align == "right":
            c.drawRightString(px, py, value)
        elif align == "center":
            c.drawCentredString(px, py, value)
        else:
            c.drawString(px, py, value)

    def lines(self, x: float, y: float, value: str, width: float, font: str = MINCHO, size: float = 10.5,
              leading: float = 1.6) -> float:
        """Wrapped text from (x, y); returns the y below it."""
        step = size * leading / mm
        for line in wrap(printable(value, font), font, size, width * mm):
            self.text(x, y, line, font, size)
            y += step
        return y

    def fitted(self, x: float, y: float, value: str, width: float, font: str, size: float, least: float) -> float:
        """One line, shrunk down to `least` points to fit `width` mm; wrapped below if still too long."""
        value = printable(value, font)
        while size > least and pdfmetrics.stringWidth(value, font, size) > width * mm:
            size -= 0.5
        return self.lines(x, y, value, width, font, size, 1.3)

    def rect(self, x: float, y: float, w: float, h: float, width: float = 0.6,
             fill: colors.Color | None = None) -> None:
        c = self.c
        c.setLineWidth(width)
        if fill is not None:
            c.setFillColor(fill)
        c.rect(x * mm, HEIGHT - (y + h) * mm, w * mm, h * mm, stroke=1, fill=1 if fill is not None else 0)
        if fill is not None:
            c.setFillColor(colors.black)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x1 * mm, HEIGHT - y1 * mm, x2 * mm, HEIGHT - y2 * mm)

    def fold_marks(self) -> None:
        """Ticks at the two folds of a three-fold for 長3 (A4 297 mm in thirds)."""
        for y in (99.0, 198.0):
            self.line(0, y, 4, y, 0.3)
            self.line(WIDTH / mm - 4, y, WIDTH / mm, y, 0.3)


def address_block(sheet: Sheet, recipient: Recipient, layout: EnvelopeLayout, mark: str = "") -> None:
    """The donor's postal code, address and name inside the window area."""
    x, y, w = layout.address_left_mm, layout.address_top_mm, layout.address_width_mm
    sheet.text(x + 2, y + 6, postal(recipient.postal_code), GOTHIC, 11)
    bottom = sheet.fitted(x + 4, y + 13, recipient.address, w - 6, MINCHO, 11, 9.5)
    name = f"{recipient.name}　様"
    sheet.fitted(x + 8, max(bottom + 3, y + 27), name, w - 10, MINCHO, 15, 10)
    if mark:
        sheet.text(x + w - 1, y + layout.address_height_mm - 1.5, mark, GOTHIC, 6.5, "right")


def _issuer_lines(issuer: Issuer) -> list[str]:
    lines = [f"{postal(issuer.postal_code)}　{issuer.office_address}" if issuer.office_address else "",
             f"{issuer.city_name}　{issuer.office_name}", f"電話 {issuer.office_phone}" if issuer.office_phone else ""]
    return [line for line in lines if line.strip()]


def draw_seal(sheet: Sheet, issuer: Issuer, seal: ImageReader, right_x: float, y: float) -> None:
    """The official seal at true size (issuer.seal_mm square), its centre over the end of the
    mayor's name as a 職印 is pressed."""
    side = issuer.seal_mm
    sheet.c.drawImage(seal, (right_x - side / 2) * mm, HEIGHT - (y + side / 2) * mm, side * mm, side * mm,
                      mask="auto", preserveAspectRatio=True, anchor="c")


def letter_page(sheet: Sheet, envelope: Envelope, issuer: Issuer, layout: EnvelopeLayout,
                template: LetterTemplate, issued: date) -> None:
    address_block(sheet, envelope.recipient, layout, certificate_number(envelope.certificates[0])
                  if envelope.certificates else "")
    right = WIDTH / mm - 15
    y = 20.0
    for line in _issuer_lines(issuer):
        sheet.text(right, y, line, GOTHIC, 8.5, "right")
        y += 4.5
    sheet.fold_marks()
    sheet.text(right, 108, document_date(issued), MINCHO, 10.5, "right")
    sheet.text(WIDTH / mm / 2, 120, template.title, GOTHIC_BOLD, 15, "center")
    y = sheet.lines(25, 132, fill(template, envelope, issuer), 160, MINCHO, 10.5, 1.75)
    sheet.text(right - 5, max(y + 6, 230), signer(issuer),
               MINCHO, 11, "right")
    enclosed = enclosures(envelope)
    top = 250.0
    sheet.rect(25, top, 160, 6 + 5 * len(enclosed), 0.4)
    sheet.text(28, top + 5, "同封物", GOTHIC_BOLD, 9)
    for i, item in enumerate(enclosed):
        sheet.text(45, top + 5 + 5 * i, "・" + item, GOTHIC, 9)


def enclosures(envelope: Envelope) -> list[str]:
    n = len(envelope.certificates)
    items = ["お礼状（本状）", f"寄附金受領証明書　{n}通"]
    if envelope.one_stop:
        items += [f"寄附金税額控除に係る申告特例申請書　{n}枚", "申告特例申請書の記載例　1枚", "返信用封筒　1枚"]
    if envelope.postal_transfer:
        items.append("払込取扱票　1枚")
    return items


def certificate_page(sheet: Sheet, recipient: Recipient, line: CertificateLine, issuer: Issuer,
                     seal: ImageReader, issued: date) -> None:
    right = WIDTH / mm - 20
    sheet.text(right, 22, certificate_number(line), MINCHO, 10.5, "right")
    sheet.text(right, 28, f"発行日　{document_date(issued)}", MINCHO, 10.5, "right")
    if line.reissue:
        sheet.c.setStrokeColor(SEAL_RED)
        sheet.c.setFillColor(SEAL_RED)
        sheet.rect(20, 15, 26, 11, 1.2)
        sheet.text(33, 23, "再発行", GOTHIC_BOLD, 14, "center")
        sheet.c.setStrokeColor(colors.black)
        sheet.c.setFillColor(colors.black)
    sheet.text(WIDTH / mm / 2, 50, "寄附金受領証明書", MINCHO, 22, "center")
    sheet.text(20, 68, "寄附者", GOTHIC, 9)
    sheet.text(20, 76, "住所", GOTHIC, 9)
    y = sheet.lines(38, 76, f"{postal(recipient.postal_code)}　{recipient.address}", 150, MINCHO, 11, 1.45)
    y = max(y + 3, 88)
    sheet.text(20, y, "氏名", GOTHIC, 9)
    sheet.fitted(38, y, f"{recipient.name}　様", 150, MINCHO, 14, 10)
    y += 14
    sheet.lines(20, y, f"下記のとおり、{issuer.city_name}への寄附金（ふるさと納税）として受領したことを証明します。",
                170, MINCHO, 11, 1.6)
    y += 14
    sheet.text(WIDTH / mm / 2, y, "記", MINCHO, 11, "center")
    y += 6
    rows = [("寄附金額", f"金 {line.amount:,} 円"), ("受領年月日（収納日）", document_date(line.paid_on)),
            ("寄附申込日", document_date(line.applied_on)), ("寄附の使い道", line.use or "市長が必要と認める事業"),
            ("寄附先", f"{issuer.city_name}（ふるさと納税）")]
    if line.order_id:
        rows.append(("受付番号", line.order_id))
    for label, value in rows:
        sheet.rect(20, y, 50, 11, 0.6)
        sheet.rect(70, y, 120, 11, 0.6)
        sheet.text(23, y + 7.2, label, GOTHIC, 10)
        size = 13 if label == "寄附金額" else 11
        sheet.fitted(74, y + 7.4, value, 113, GOTHIC_BOLD if label == "寄附金額" else MINCHO, size, 7)
        y += 11
    y += 8
    notes = (f"・この寄附金は、所得税法第78条第2項第1号に規定する地方公共団体（{issuer.city_name}）に"
             "対する寄附金であり、所得税の寄附金控除及び個人住民税の寄附金税額控除の対象となります。\n"
             "・受領年月日（収納日）の属する年の寄附として控除されます。確定申告の際に添付又は提示して"
             "ください。大切に保管してください。")
    if line.reissue:
        notes += "\n・この証明書は再発行したものです（番号は原本と同じです）。"
    sheet.lines(20, y, notes, 170, MINCHO, 9, 1.6)
    sheet.text(right, 236, document_date(issued), MINCHO, 11, "right")
    name = signer(issuer)
    sheet.text(right - issuer.seal_mm / 2 - 2, 250, name, MINCHO, 14, "right")
    draw_seal(sheet, issuer, seal, right - issuer.seal_mm / 2 + 1, 248)
    y = 272.0
    for text in ["（お問い合わせ）", *_issuer_lines(issuer)]:
        sheet.text(20, y, text, GOTHIC, 8)
        y += 4


def cover_page(sheet: Sheet, cover: CoverSheet, issuer: Issuer, issued: date) -> None:
    sheet.text(20, 25, f"{issuer.city_name}　{issuer.office_name}", GOTHIC, 10)
    sheet.text(WIDTH / mm / 2, 45, "受領証明書等　印刷バッチ", GOTHIC_BOLD, 20, "center")
    sheet.text(WIDTH / mm / 2, 57, cover.label, GOTHIC, 13, "center")
    sheet.text(WIDTH / mm - 20, 68, f"作成日　{document_date(issued)}", MINCHO, 10.5, "right")
    y = 82.0
    for kind, count in cover.counts.items():
        sheet.rect(40, y, 80, 10)
        sheet.rect(120, y, 50, 10)
        sheet.text(43, y + 6.8, kind, GOTHIC, 11)
        sheet.text(167, y + 6.8, f"{count:,}", GOTHIC_BOLD, 12, "right")
        y += 10
    if cover.postal_ranges:
        y += 10
        sheet.text(40, y, "郵便番号の範囲（郵便区分順）", GOTHIC_BOLD, 11)
        for first, last in cover.postal_ranges:
            y += 7
            sheet.text(45, y, f"{postal(first)}　〜　{postal(last)}", GOTHIC, 10.5)
    if cover.note:
        sheet.lines(40, y + 14, cover.note, 130, MINCHO, 10)


def seal_image(issuer: Issuer) -> ImageReader:
    if not issuer.seal_png:
        raise SealMissing("公印の画像が登録されていないため、寄附金受領証明書を印刷できません。"
                          "市町村の設定で公印の画像（PNG）を登録してください。", "seal_png")
    return ImageReader(io.BytesIO(issuer.seal_png))


def envelope_pages(sheet: Sheet, envelope: Envelope, issuer: Issuer, seal: ImageReader, layout: EnvelopeLayout,
                   template: LetterTemplate, issued: date) -> int:
    c = sheet.c
    letter_page(sheet, envelope, issuer, layout, template, issued)
    c.showPage()
    pages = 1
    for line in envelope.certificates:
        certificate_page(sheet, envelope.recipient, line, issuer, seal, issued)
        c.showPage()
        pages += 1
    if envelope.one_stop:
        pages += onestop_pdf.pages(sheet, envelope, issuer)
    if envelope.postal_transfer:
        onestop_pdf.transfer_slip(sheet, envelope, issuer)
        c.showPage()
        pages += 1
    return pages


def _chunks(envelopes: Iterable[Envelope], size: int) -> Iterator[list[Envelope]]:
    it = iter(envelopes)
    while chunk := list(islice(it, size)):
        yield chunk


def _canvas(buffer: BinaryIO, issuer: Issuer) -> Canvas:
    c = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    c.setTitle("寄附金受領証明書")
    c.setAuthor(issuer.city_name)
    return c


def render(envelopes: Iterable[Envelope], out: BinaryIO, *, issuer: Issuer, settings: EnvelopeLayout,
           letter: LetterTemplate | str, cover: CoverSheet | None = None,
           progress: Callable[[int], None] | None = None, issued: date | None = None) -> int:
    """Write the batch's PDF to `out`; returns the number of pages. Refuses (before writing
    anything) a batch without a seal or with a letter template naming an unknown placeholder."""
    register_fonts()
    template = LetterTemplate(body=letter) if isinstance(letter, str) else letter
    check_template(template)
    seal = seal_image(issuer)
    issued = issued or today()
    joiner = StreamingJoin(out, title="寄附金受領証明書", author=issuer.city_name)
    done = 0
    first = True
    for chunk in _chunks(envelopes, CHUNK):
        buffer = io.BytesIO()
        sheet = Sheet(_canvas(buffer, issuer))
        if first and cover is not None:
            cover_page(sheet, cover, issuer, issued)
            sheet.c.showPage()
        first = False
        for envelope in chunk:
            envelope_pages(sheet, envelope, issuer, seal, settings, template, issued)
            done += 1
            if progress is not None:  # per envelope: the task's report throttles its writes
                progress(done)
        sheet.c.save()
        joiner.add(buffer.getvalue())
    if first and cover is not None:  # an empty batch still has its cover
        buffer = io.BytesIO()
        sheet = Sheet(_canvas(buffer, issuer))
        cover_page(sheet, cover, issuer, issued)
        sheet.c.showPage()
        sheet.c.save()
        joiner.add(buffer.getvalue())
    joiner.close()
    return joiner.pages


def letter_preview(out: BinaryIO, envelope: Envelope, issuer: Issuer, layout: EnvelopeLayout,
                   template: LetterTemplate, issued: date) -> int:
    """The letter page alone, for the office editing its template (no seal needed)."""
    register_fonts()
    check_template(template)
    c = _canvas(out, issuer)
    letter_page(Sheet(c), envelope, issuer, layout, template, issued)
    c.showPage()
    c.save()
    return 1


def alignment_sheet(out: BinaryIO, layout: EnvelopeLayout, issuer: Issuer) -> int:
    """位置確認用の試し刷り: the window frame and a sample address where the letter puts them,
    fold marks and a mm ruler, to hold against the office's envelopes."""
    register_fonts()
    c = _canvas(out, issuer)
    sheet = Sheet(c)
    sheet.text(WIDTH / mm / 2, 130, "位置確認用の試し刷り", GOTHIC_BOLD, 16, "center")
    sheet.lines(30, 142, f"この用紙を三つ折りにして{layout.envelope}封筒に入れ、枠が窓の内側に収まるか確かめて"
                "ください。ずれる場合は、ふるさと納税の設定で宛名の位置（左端・上端からの mm）を調整します。\n"
                f"現在の設定：左端から {layout.address_left_mm:g} mm、上端から {layout.address_top_mm:g} mm、"
                f"幅 {layout.address_width_mm:g} mm、高さ {layout.address_height_mm:g} mm", 150, MINCHO, 10.5)
    c.setDash(2, 2)
    sheet.rect(layout.address_left_mm, layout.address_top_mm, layout.address_width_mm, layout.address_height_mm, 0.5)
    c.setDash()
    address_block(sheet, Recipient(name="髙﨑　花子", postal_code="1000013",
                                   address="東京都千代田区霞が関二丁目1番2号　中央合同庁舎第2号館10階"),
                  layout, "2026年度 第1号")
    for x in range(0, 211, 10):  # a ruler along the top and the left edge
        sheet.line(x, 0, x, 3 if x % 50 else 6, 0.3)
    for y in range(0, 100, 10):
        sheet.line(0, y, 3 if y % 50 else 6, y, 0.3)
    sheet.fold_marks()
    c.showPage()
    c.save()
    return 1
