"""The seal domain's papers: 印鑑登録証明書 with the impression at its true size, and the
照会書 (inquiry letter) with its 回答書 (reply form) for mailing to the registered address.

Layout is reportlab's; the font is the vendored BIZ UDMincho (make assets).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.core.dates import wareki

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"
FONT = "BIZUDMincho"
FONT_BOLD = "BIZUDGothic-Bold"
PAGE_W, PAGE_H = A4
#: The frame the impression is printed in: left, top, width, height in mm from the page's
#: top-left corner. 30 mm holds the largest registrable impression (25 mm) with room to spare.
SEAL_BOX_MM = (25.0, 45.0, 32.0, 32.0)


def _fonts() -> None:
    for name, file in ((FONT, "BIZUDMincho-Regular.ttf"), (FONT_BOLD, "BIZUDGothic-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            path = FONT_DIR / file
            if not path.is_file():
                raise FileNotFoundError(f"{path} がありません。`make assets` でフォントを用意してください。")
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _top(y_mm: float) -> float:
    """A distance from the top of the page (mm) as reportlab's y (points from the bottom)."""
    return PAGE_H - y_mm * mm


@dataclass(frozen=True)
class CertificateData:
    certificate_id: int
    card_number: str
    name: str
    birth_date: date
    address: str
    image_png: bytes
    dpi: int
    issued_on: date
    municipality: str
    mayor: str
    copies: int = 1


def draw_impression(canvas: Canvas, png: bytes, dpi: int, box_mm: tuple[float, float, float, float]) -> None:
    """The impression centred in the box at its true size: a pixel is 25.4/dpi mm on paper,
    whatever the printer does, as long as it prints at 100 %."""
    image = Image.open(io.BytesIO(png))
    width_pt, height_pt = image.width / dpi * 72, image.height / dpi * 72
    left, top, box_w, box_h = box_mm
    x = left * mm + (box_w * mm - width_pt) / 2
    y = _top(top) - box_h * mm + (box_h * mm - height_pt) / 2
    canvas.drawImage(ImageReader(image), x, y, width=width_pt, height=height_pt)


def certificate_pdf(data: CertificateData) -> bytes:
    """印鑑登録証明書 (000 §6(1)): the registered impression at 100 %, the name, birth date and
    address, and the certification in the form the 印鑑登録証明事務処理要領 sets out."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle("印鑑登録証明書")
    for _ in range(data.copies):
        _certificate_page(canvas, data)
    canvas.save()
    return buffer.getvalue()


def _certificate_page(canvas: Canvas, data: CertificateData) -> None:
    canvas.setFont(FONT_BOLD, 20)
    canvas.drawCentredString(PAGE_W / 2, _top(28), "印 鑑 登 録 証 明 書")
    left, top, box_w, box_h = SEAL_BOX_MM
    canvas.setLineWidth(0.6)
    canvas.rect(left * mm, _top(top + box_h), box_w * mm, box_h * mm)
    canvas.setFont(FONT, 8)
    canvas.drawString(left * mm, _top(top - 2), "印影")
    draw_impression(canvas, data.image_png, data.dpi, SEAL_BOX_MM)
    x = (left + box_w + 10) * mm
    rows = (
        ("氏名", data.name),
        ("生年月日", wareki(data.birth_date)),
        ("住所", data.address),
        ("印鑑登録番号", data.card_number),
    )
    for i, (label, value) in enumerate(rows):
        y = _top(top + 6 + i * 8)
        canvas.setFont(FONT, 9)
        canvas.drawString(x, y, label)
        canvas.setFont(FONT, 11)
        canvas.drawString(x + 28 * mm, y, value)
    canvas.setFont(FONT, 12)
    canvas.drawString(25 * mm, _top(top + box_h + 18), "この写しは、登録されている印影と相違ないことを証明します。")
    canvas.setFont(FONT, 11)
    canvas.drawString(25 * mm, _top(top + box_h + 32), wareki(data.issued_on))
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawRightString(PAGE_W - 25 * mm, _top(top + box_h + 44), f"{data.municipality}長　{data.mayor}")
    canvas.setFont(FONT, 8)
    canvas.drawString(25 * mm, 20 * mm, f"証明書番号 {data.certificate_id:08d}　この証明書は印影を原寸で印刷しています"
                                        "（100%で印刷してください）。")
    canvas.showPage()


@dataclass(frozen=True)
class InquiryData:
    application_id: int
    name: str
    address: str
    applicant_label: str
    received_on: date
    sent_on: date
    reply_deadline: date
    municipality: str
    mayor: str
    municipality_address: str


def inquiry_letter_pdf(data: InquiryData) -> bytes:
    """照会書 and 回答書 (000 §6(2)③): mailed to the registered address to confirm that the
    person really applied; the reply is brought back with ID before the deadline
    (印鑑登録証明事務処理要領, 文書照会による登録)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle("印鑑登録照会書")
    canvas.setFont(FONT, 11)
    canvas.drawString(25 * mm, _top(22), data.address)
    canvas.drawString(25 * mm, _top(29), f"{data.name}　様")
    canvas.drawRightString(PAGE_W - 25 * mm, _top(22), wareki(data.sent_on))
    canvas.drawRightString(PAGE_W - 25 * mm, _top(29), f"{data.municipality}長　{data.mayor}")
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawCentredString(PAGE_W / 2, _top(45), "印鑑登録照会書")
    canvas.setFont(FONT, 11)
    lines = (
        f"{wareki(data.received_on)}に、あなたの印鑑登録の申請（申請者：{data.applicant_label}）を受け付けました。",
        "この申請があなたご本人の意思によるものか確認するため、照会します。",
        "申請に間違いがない場合は、下の回答書に記入し、次のものをお持ちのうえ",
        f"{wareki(data.reply_deadline)}までに窓口へお越しください。",
        "　・この照会書（回答書）　・登録する印鑑　・本人確認書類",
        "　・代理人が来庁する場合は、本人が記入した委任状と代理人の本人確認書類",
        "期限を過ぎると申請は取り消され、改めて申請が必要になります。",
        "申請した覚えがない場合は、至急下記へご連絡ください。",
    )
    for i, line in enumerate(lines):
        canvas.drawString(25 * mm, _top(60 + i * 7), line)
    canvas.setDash(3, 3)
    canvas.line(15 * mm, _top(128), PAGE_W - 15 * mm, _top(128))
    canvas.setDash()
    canvas.setFont(FONT_BOLD, 16)
    canvas.drawCentredString(PAGE_W / 2, _top(142), "回　答　書")
    canvas.setFont(FONT, 11)
    canvas.drawString(25 * mm, _top(156), f"{data.municipality}長　様")
    canvas.drawString(25 * mm, _top(168), "私が印鑑登録の申請をしたことに間違いありません。")
    for i, label in enumerate(("記入日　　　　年　　月　　日", "住所", "氏名（自署）", "登録する印鑑の押印")):
        canvas.drawString(25 * mm, _top(182 + i * 14), label)
        canvas.line(60 * mm, _top(184 + i * 14), PAGE_W - 25 * mm, _top(184 + i * 14))
    canvas.rect(60 * mm, _top(250), 32 * mm, 32 * mm)
    canvas.setFont(FONT, 9)
    canvas.drawString(25 * mm, _top(262), f"受付番号 {data.application_id:08d}　回答期限 {wareki(data.reply_deadline)}")
    canvas.drawString(25 * mm, _top(268), f"問い合わせ先　{data.municipality} 市民課　{data.municipality_address}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
