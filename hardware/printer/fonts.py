"""Locating and drawing with a Japanese TrueType font (raster printing and paper previews)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_FONT = REPO_ROOT / "static" / "vendor" / "fonts" / "BIZUDGothic-Regular.ttf"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf"),
)
#: Font A on an 80 mm printer: 12 x 24 dots, 24 x 24 for a kanji; 512 dots a line.
DOT_HEIGHT = 24
LINE_PITCH = 30
PAPER_DOTS = 512


class FontNotFound(RuntimeError):
    pass


def find_japanese_font() -> Path:
    candidates: list[Path] = []
    if os.environ.get("YAKUBA_FONT"):
        candidates.append(Path(os.environ["YAKUBA_FONT"]))
    candidates.append(BUNDLED_FONT)
    candidates.extend(SYSTEM_FONTS)
    for path in candidates:
        if path.is_file():
            return path
    raise FontNotFound(
        "no Japanese font found: set YAKUBA_FONT, put BIZUDGothic-Regular.ttf in "
        "static/vendor/fonts/, or install the Debian package fonts-ipaexfont-gothic "
        f"(looked in: {', '.join(str(p) for p in candidates)})"
    )


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def draw_text_line(
    text: str,
    *,
    bold: bool = False,
    width: int = 1,
    height: int = 1,
    align: str = "left",
    paper_dots: int = PAPER_DOTS,
    font_path: Path | None = None,
) -> Image.Image:
    """Draw one printed line as a 1-bit image ``paper_dots`` wide, black text on white.

    A printer's ``GS !`` magnifies each dot, so the glyphs are drawn at ``height`` times the
    base size and stretched sideways by ``width / height``; a line too long for the paper is
    squeezed to fit rather than cut off.
    """
    font = _font(str(font_path or find_japanese_font()), DOT_HEIGHT * height)
    line_height = LINE_PITCH * height
    canvas = Image.new("L", (paper_dots, line_height), 255)
    if text.strip():
        stroke = max(1, height // 2) if bold else 0
        left, _, right, _ = font.getbbox(text, stroke_width=stroke)
        natural = max(1, right - min(left, 0))
        glyphs = Image.new("L", (natural, line_height), 255)
        top = (line_height - DOT_HEIGHT * height) // 2
        ImageDraw.Draw(glyphs).text(
            (-min(left, 0), top), text, font=font, fill=0, stroke_width=stroke, stroke_fill=0
        )
        target = min(paper_dots, max(1, round(natural * width / height)))
        if target != natural:
            glyphs = glyphs.resize((target, line_height))
        canvas.paste(glyphs, (_aligned_x(align, target, paper_dots), 0))
    return canvas.point(lambda v: 255 if v >= 128 else 0).convert("1")


def _aligned_x(align: str, item_width: int, paper_dots: int) -> int:
    if align == "center":
        return (paper_dots - item_width) // 2
    if align == "right":
        return paper_dots - item_width
    return 0
