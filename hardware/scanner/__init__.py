"""Seal scanner: SANE, a watched folder, or the simulator, behind one ``scan()``."""

from hardware.scanner.base import (
    NoDocument,
    ScanError,
    Scanner,
    ScannerFailed,
    ScanResult,
    ScanTimeout,
)
from hardware.scanner.devices import open_scanner
from hardware.scanner.folder import FolderScanner
from hardware.scanner.sane import SaneScanner
from hardware.scanner.simulator import (
    SimScanner,
    clear_slot,
    make_seal_image,
    place_image,
    place_seal,
    slot_state,
)

__all__ = [
    "FolderScanner",
    "NoDocument",
    "SaneScanner",
    "ScanError",
    "ScanResult",
    "ScanTimeout",
    "Scanner",
    "ScannerFailed",
    "SimScanner",
    "clear_slot",
    "make_seal_image",
    "open_scanner",
    "place_image",
    "place_seal",
    "slot_state",
]
