"""Scanner jobs the terminal agent runs for the server.

Errors are raised as :class:`~hardware.scanner.base.ScanError` subclasses; the agent returns
``exc.to_result()``.
"""

from __future__ import annotations

import base64
import io

from hardware.scanner.base import ScanResult
from hardware.scanner.devices import open_scanner


def encode_result(result: ScanResult) -> dict:
    """PNG in base64 with the DPI and the pixel size."""
    buffer = io.BytesIO()
    result.image.save(buffer, format="PNG")
    return {
        "image_png_b64": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "dpi": result.dpi,
        "width": result.image.width,
        "height": result.image.height,
    }


def scan(device_url: str, payload: dict) -> dict:
    """Scan one image. ``payload`` is accepted for the agent's uniform call and not used."""
    return encode_result(open_scanner(device_url).scan())


def health(device_url: str) -> dict:
    """The scanner's setting opens, and a watched folder exists. (A SANE device is only
    probed when it scans: probing it every poll would wake the hardware.)"""
    try:
        scanner = open_scanner(device_url)
    except ValueError as exc:
        return {"ok": False, "error": str(exc)}
    folder = getattr(scanner, "folder", None)
    if folder is not None and not folder.is_dir():
        return {"ok": False, "error": f"watched folder {folder} does not exist"}
    return {"ok": True, "error": None}
