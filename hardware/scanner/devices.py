"""Scanner settings as URLs for the agent's configuration.

``sane://DEVICE?dpi=600`` (DEVICE as ``scanimage -L`` names it, url-quoted if needed),
``folder:///path/to/folder?dpi=600&timeout=120``, ``sim://NAME?dpi=600``.
The DPI is the scanner's configured resolution; it defaults to 600.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote

from hardware.scanner.base import Scanner, check_dpi
from hardware.scanner.folder import FolderScanner
from hardware.scanner.sane import SaneScanner
from hardware.scanner.simulator import SimScanner

DEFAULT_DPI = 600


def _query_number(query: dict[str, list[str]], key: str, default: float) -> float:
    values = query.get(key)
    if not values:
        return default
    try:
        return float(values[-1])
    except ValueError:
        raise ValueError(f"{key} must be a number") from None


def open_scanner(device_url: str) -> Scanner:
    """The scanner a device URL names."""
    scheme, separator, rest = device_url.partition("://")
    if not separator:
        raise ValueError("scanner URL must be sane://, folder:// or sim://")
    target, _, raw_query = rest.partition("?")
    query = parse_qs(raw_query)
    dpi_value = _query_number(query, "dpi", DEFAULT_DPI)
    if dpi_value != int(dpi_value):
        raise ValueError("dpi must be a whole number")
    dpi = check_dpi(int(dpi_value))
    name = unquote(target)
    if not name:
        raise ValueError("scanner URL names no device, folder or slot")
    if scheme == "sane":
        return SaneScanner(name, dpi)
    if scheme == "folder":
        if not name.startswith("/"):
            raise ValueError("folder:// needs an absolute path (folder:///path)")
        return FolderScanner(Path(name), dpi, timeout=_query_number(query, "timeout", 120.0))
    if scheme == "sim":
        return SimScanner(name, dpi)
    raise ValueError("scanner URL must be sane://, folder:// or sim://")
