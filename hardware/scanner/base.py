"""The scanner interface and its errors.

A scan is a grayscale image and the DPI the scanner was set to. The DPI always comes from the
scanner's configuration, never from the image file's metadata, because seal sizes in mm are
computed from it (HARDWARE.md, "Seal scanner and seal rules").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PIL import Image

MIN_DPI = 50
MAX_DPI = 4800


@dataclass(frozen=True)
class ScanResult:
    """A grayscale (mode ``L``) image and the scanner's configured resolution."""

    image: Image.Image
    dpi: int


class Scanner(Protocol):
    """One configured scanner; ``scan()`` blocks until an image is available."""

    dpi: int

    def scan(self) -> ScanResult: ...


def check_dpi(dpi: int) -> int:
    """Refuse resolutions no office scanner is set to (likely a configuration typo)."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be {MIN_DPI}..{MAX_DPI}")
    return dpi


def to_grayscale(image: Image.Image) -> Image.Image:
    """Mode ``L``, flattening any alpha onto white paper first."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image.convert("L")


class ScanError(Exception):
    """Base class: ``code`` for programs, Japanese ``message`` for the counter screen."""

    code = "scan_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_result(self) -> dict[str, object]:
        """The failure as an agent job result."""
        return {"code": self.code, "message": self.message}


class ScanTimeout(ScanError):
    """No complete image arrived in time."""

    code = "scan_timeout"

    def __init__(self) -> None:
        super().__init__("スキャンした画像が届きませんでした。スキャナーを確認してください。")


class NoDocument(ScanError):
    """The simulated scanner has nothing placed on it."""

    code = "no_document"

    def __init__(self) -> None:
        super().__init__("スキャナーに原稿が置かれていません。")


class ScannerFailed(ScanError):
    """The scanner or its driver reported an error."""

    code = "scanner_failed"

    def __init__(self, detail: str) -> None:
        super().__init__(f"スキャンに失敗しました。（{detail}）")
        self.detail = detail
