"""Showing a decoded page as it would come out of the printer: a PNG, or plain text."""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw

from .decoder import QR, CutMark, Drawer, Item, Line, Page, Raster, Unknown
from .fonts import LINE_PITCH, PAPER_DOTS, _aligned_x, draw_text_line

MARGIN = 16
NOTE_DRAWER = "［ドロワーを開く］"
NOTE_UNKNOWN = "［不明なコマンド］"


def page_text(page: Page) -> str:
    return "\n".join(_item_text(item) for item in page.items if _item_text(item) is not None)


def _item_text(item: Item) -> str | None:
    if isinstance(item, Line):
        return item.text
    if isinstance(item, QR):
        return f"[QR: {item.data}]"
    if isinstance(item, Drawer):
        return f"[drawer pin {item.pin}]"
    if isinstance(item, Raster):
        return f"[image {item.width}x{item.height}]"
    if isinstance(item, CutMark):
        return "[partial cut]" if item.partial else "[cut]"
    return None


def page_image(page: Page) -> Image.Image:
    blocks = [block for item in page.items if (block := _item_image(item)) is not None]
    height = sum(b.height for b in blocks) + 2 * MARGIN
    paper = Image.new("L", (PAPER_DOTS + 2 * MARGIN, max(height, LINE_PITCH)), 255)
    y = MARGIN
    for block in blocks:
        paper.paste(block, (MARGIN, y))
        y += block.height
    if page.cut:
        _dashed_line(paper, paper.height - 2)
    return paper


def page_png(page: Page) -> bytes:
    out = io.BytesIO()
    page_image(page).save(out, format="PNG")
    return out.getvalue()


def _item_image(item: Item) -> Image.Image | None:
    if isinstance(item, Line):
        return draw_text_line(
            item.text, bold=item.bold, width=item.width, height=item.height, align=item.align
        ).convert("L")
    if isinstance(item, Raster):
        return _placed(item.image.convert("L").crop((0, 0, PAPER_DOTS, item.height)), item.align)
    if isinstance(item, QR):
        return _placed(_qr_image(item), "center")
    if isinstance(item, Drawer):
        return draw_text_line(NOTE_DRAWER, align="center").convert("L")
    if isinstance(item, Unknown):
        return None
    return None


def _qr_image(item: QR) -> Image.Image:
    code = qrcode.QRCode(box_size=max(1, item.size), border=2)
    code.add_data(item.data)
    code.make(fit=True)
    image = code.make_image().get_image().convert("L")
    if image.width > PAPER_DOTS:
        image = image.resize((PAPER_DOTS, PAPER_DOTS * image.height // image.width))
    return image


def _placed(image: Image.Image, align: str) -> Image.Image:
    row = Image.new("L", (PAPER_DOTS, image.height), 255)
    row.paste(image, (_aligned_x(align, min(image.width, PAPER_DOTS), PAPER_DOTS), 0))
    return row


def _dashed_line(paper: Image.Image, y: int) -> None:
    draw = ImageDraw.Draw(paper)
    for x in range(0, paper.width, 12):
        draw.line((x, y, x + 6, y), fill=0, width=1)
