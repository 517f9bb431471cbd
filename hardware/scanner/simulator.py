"""Synthetic seal impressions (印影) and the simulated scanner slot (``sim://NAME``).

An impression is drawn at exactly its physical size for the requested DPI: a round seal of
15 mm at 600 dpi has an outline 354 px across (15 / 25.4 × 600). The seal rules measure in mm
from the scanner's DPI (HARDWARE.md, "Seal scanner and seal rules"), so the simulator must be
physically right for the rule tests to mean anything.
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from hardware.scanner.base import (
    MIN_DPI,
    NoDocument,
    ScanResult,
    check_dpi,
    to_grayscale,
)

MM_PER_INCH = 25.4
SHAPES = ("round", "square", "oval")
OVAL_WIDTH_RATIO = 0.7  # 小判型: side_mm is the long (vertical) axis
MARGIN_MM = 5.0
INK = {"red": (200, 32, 40), "black": (24, 24, 24)}
REPO_ROOT = Path(__file__).resolve().parents[2]
FONT_CANDIDATES = (
    REPO_ROOT / "static/vendor/fonts/BIZUDGothic-Regular.ttf",
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
)


def mm_to_px(mm: float, dpi: int) -> int:
    """Whole pixels covering ``mm`` at ``dpi``."""
    return round(mm / MM_PER_INCH * dpi)


def find_japanese_font() -> Path | None:
    """``YAKUBA_FONT``, then the vendored BIZ UDGothic, then Debian's IPAex Gothic."""
    configured = os.environ.get("YAKUBA_FONT")
    candidates = ((Path(configured),) if configured else ()) + FONT_CANDIDATES
    for path in candidates:
        if path.is_file():
            return path
    return None


def outline_size_px(side_mm: float, shape: str, dpi: int) -> tuple[int, int]:
    """Width and height of the unrotated outline in pixels."""
    height = mm_to_px(side_mm, dpi)
    width = mm_to_px(side_mm * OVAL_WIDTH_RATIO, dpi) if shape == "oval" else height
    return width, height


def _draw_outline(size: tuple[int, int], shape: str, stroke: int) -> Image.Image:
    width, height = size
    layer = Image.new("L", size, 0)
    draw = ImageDraw.Draw(layer)
    box = (0, 0, width - 1, height - 1)
    if shape == "square":
        draw.rectangle(box, outline=255, width=stroke)
    else:
        draw.ellipse(box, outline=255, width=stroke)
    return layer


def _erase_arc(layer: Image.Image, ratio: float, rng: random.Random) -> None:
    """Remove a contiguous part of the outline: ``ratio`` of the full turn around the centre."""
    if ratio <= 0:
        return
    width, height = layer.size
    cx, cy, radius = width / 2, height / 2, max(width, height)
    start = rng.uniform(0, 360)
    ImageDraw.Draw(layer).pieslice(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        start,
        start + 360 * ratio,
        fill=0,
    )


def _text_area(
    size: tuple[int, int], shape: str, stroke: int, columns: int
) -> tuple[int, int, int, int]:
    """Box inside the outline that characters may fill.

    In an ellipse, a single tall column (half as wide, 0.8 as high: corner at radius 0.47)
    uses the space better than the inscribed square.
    """
    width, height = size
    gap = stroke * 2
    if shape == "square":
        return gap, gap, width - gap, height - gap
    share_w, share_h = (0.5, 0.8) if columns == 1 else (1 / math.sqrt(2), 1 / math.sqrt(2))
    inner_w, inner_h = (width - 2 * gap) * share_w, (height - 2 * gap) * share_h
    left, top = (width - inner_w) / 2, (height - inner_h) / 2
    return round(left), round(top), round(left + inner_w), round(top + inner_h)


def _glyph(char: str, font_path: Path | None, size: int) -> Image.Image:
    """One character as a cropped mask; simple strokes when no Japanese font exists."""
    if font_path is not None:
        font = ImageFont.truetype(str(font_path), size)
        canvas = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(canvas).text((size, size), char, font=font, fill=255, anchor="mm")
        box = canvas.getbbox()
        if box is not None:
            return canvas.crop(box)
    return _stroke_glyph(char, size)


def _stroke_glyph(char: str, size: int) -> Image.Image:
    rng = random.Random(ord(char[0]))  # noqa: S311 - shape, not security
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    width = max(1, size // 10)
    draw.line((0, 0, size - 1, 0), fill=255, width=width)
    for _ in range(4):
        if rng.random() < 0.5:
            y = rng.randrange(size)
            draw.line((0, y, size - 1, y), fill=255, width=width)
        else:
            x = rng.randrange(size)
            draw.line((x, 0, x, size - 1), fill=255, width=width)
    return canvas


def _columns(chars: list[str]) -> int:
    return 1 if len(chars) <= 2 else math.ceil(len(chars) / 2)


def _draw_text(layer: Image.Image, text: str, shape: str, stroke: int) -> None:
    """Characters in columns read top to bottom, right column first, stretched to fill."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return
    font_path = find_japanese_font()
    columns = _columns(chars)
    rows = math.ceil(len(chars) / columns)
    left, top, right, bottom = _text_area(layer.size, shape, stroke, columns)
    cell_w, cell_h = (right - left) / columns, (bottom - top) / rows
    for index, char in enumerate(chars):
        column, row = divmod(index, rows)
        x0 = right - (column + 1) * cell_w
        y0 = top + row * cell_h
        pad_w, pad_h = max(1, round(cell_w * 0.05)), max(1, round(cell_h * 0.05))
        target = (max(1, round(cell_w) - 2 * pad_w), max(1, round(cell_h) - 2 * pad_h))
        glyph = _glyph(char, font_path, max(8, int(min(target)))).resize(target)
        layer.paste(255, (round(x0) + pad_w, round(y0) + pad_h), glyph)


def make_seal_image(
    side_mm: float,
    shape: str = "round",
    rotation_deg: float = 0.0,
    blur: float = 0.0,
    missing_outline_ratio: float = 0.0,
    dpi: int = 600,
    text: str = "山田",
    seed: int | None = None,
    ink: str = "red",
) -> Image.Image:
    """An RGB scan of one impression on white paper with a 5 mm margin.

    ``side_mm``: outline diameter (round), side (square) or long axis (oval, 0.7 as wide).
    ``blur``: Gaussian blur radius in mm. ``missing_outline_ratio``: part of the outline left
    out, as a share of the full turn around the centre, where ``seed`` puts it.
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    if side_mm <= 0 or not 0 <= missing_outline_ratio < 1 or blur < 0 or ink not in INK:
        raise ValueError("side_mm > 0, 0 <= missing_outline_ratio < 1, blur >= 0, ink red|black")
    dpi = check_dpi(dpi)
    rng = random.Random(seed)  # noqa: S311 - shape, not security
    size = outline_size_px(side_mm, shape, dpi)
    stroke = max(2, mm_to_px(max(0.4, side_mm * 0.05), dpi))
    mask = _draw_outline(size, shape, stroke)
    _erase_arc(mask, missing_outline_ratio, rng)
    _draw_text(mask, text, shape, stroke)
    if rotation_deg % 360:
        mask = mask.rotate(rotation_deg, resample=Image.Resampling.BICUBIC, expand=True)
    margin = mm_to_px(MARGIN_MM + blur * 3, dpi)
    canvas = Image.new("L", (mask.width + 2 * margin, mask.height + 2 * margin), 0)
    canvas.paste(mask, (margin, margin))
    if blur > 0:
        canvas = canvas.filter(ImageFilter.GaussianBlur(blur / MM_PER_INCH * dpi))
    paper = Image.new("RGB", canvas.size, (255, 255, 255))
    return Image.composite(Image.new("RGB", canvas.size, INK[ink]), paper, canvas)


_lock = threading.Lock()
_placed: dict[str, Callable[[int], Image.Image]] = {}


def place_seal(slot_name: str, **params: object) -> None:
    """Put a synthetic impression on the simulated scanner; the next scan returns it.

    ``params`` are those of :func:`make_seal_image` except ``dpi``: the scanner's setting
    decides the resolution at scan time.
    """
    if "dpi" in params:
        raise TypeError("the scanner's dpi setting decides the resolution")
    make_seal_image(dpi=MIN_DPI, **params)  # type: ignore[arg-type]  # fail now, not at scan

    def render(dpi: int) -> Image.Image:
        return make_seal_image(dpi=dpi, **params)  # type: ignore[arg-type]

    with _lock:
        _placed[slot_name] = render


def place_image(slot_name: str, image: Image.Image) -> None:
    """Put a ready image (e.g. an uploaded scan) on the simulated scanner as it is."""
    copy = image.copy()
    with _lock:
        _placed[slot_name] = lambda dpi: copy


def clear_slot(slot_name: str) -> None:
    """Take whatever lies on the simulated scanner away."""
    with _lock:
        _placed.pop(slot_name, None)


def slot_state(slot_name: str) -> dict[str, object]:
    """``{"placed": bool}`` for the simulator page."""
    with _lock:
        return {"placed": slot_name in _placed}


class SimScanner:
    """The scanner of slot ``slot_name``: returns what was placed, once."""

    def __init__(self, slot_name: str, dpi: int) -> None:
        self.slot_name = slot_name
        self.dpi = check_dpi(dpi)

    def __repr__(self) -> str:
        return f"SimScanner({self.slot_name!r}, dpi={self.dpi})"

    def scan(self) -> ScanResult:
        """The placed document rendered at this scanner's DPI; NoDocument if none."""
        with _lock:
            render = _placed.pop(self.slot_name, None)
        if render is None:
            raise NoDocument()
        return ScanResult(image=to_grayscale(render(self.dpi)), dpi=self.dpi)
