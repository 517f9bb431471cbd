"""Scanner self-test for the agent's health page.

The simulator and the watched folder always; SANE's ``test`` backend when ``scanimage`` is
installed (enabled through a private ``SANE_CONFIG_DIR``, never touching ``/etc``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hardware.scanner.base import ScanResult
from hardware.scanner.folder import FolderScanner
from hardware.scanner.sane import SYSTEM_TEST_CONF, SaneScanner, write_test_backend_config
from hardware.scanner.simulator import SimScanner, make_seal_image, mm_to_px, place_seal

SELFTEST_DPI = 300
SEAL_MM = 15.0
SELFTEST_SLOT = "__selftest__"


def _impression_width(result: ScanResult) -> int:
    box = result.image.point(lambda v: 255 if v < 200 else 0).getbbox()
    if box is None:
        raise RuntimeError("scanner self-test: the impression is missing")
    return box[2] - box[0]


def _check_simulator() -> None:
    place_seal(SELFTEST_SLOT, side_mm=SEAL_MM, seed=0)
    result = SimScanner(SELFTEST_SLOT, SELFTEST_DPI).scan()
    if abs(_impression_width(result) - mm_to_px(SEAL_MM, SELFTEST_DPI)) > 2:
        raise RuntimeError("scanner self-test: the simulator drew a wrong size")


def _check_folder(folder: Path) -> None:
    folder.mkdir(parents=True)
    make_seal_image(SEAL_MM, dpi=SELFTEST_DPI, seed=0).save(folder / "selftest.png")
    result = FolderScanner(folder, SELFTEST_DPI, timeout=10, poll_interval=0.1).scan()
    expected = mm_to_px(SEAL_MM, SELFTEST_DPI)
    if abs(_impression_width(result) - expected) > 2 or result.dpi != SELFTEST_DPI:
        raise RuntimeError("scanner self-test: watched folder gave a wrong image")
    if not (folder / "done" / "selftest.png").exists():
        raise RuntimeError("scanner self-test: the file did not move to done/")


def _check_sane(config_dir: Path) -> None:
    scanner = SaneScanner("test:0", 100, env=write_test_backend_config(config_dir))
    result = scanner.scan()
    if result.image.mode != "L" or result.dpi != 100 or result.image.width < 10:
        raise RuntimeError("scanner self-test: SANE test backend gave a wrong image")


def run() -> str:
    """Run the self-test; returns a one-line summary, raises on failure."""
    _check_simulator()
    with tempfile.TemporaryDirectory(prefix="yakuba-scan-") as tmp:
        _check_folder(Path(tmp) / "inbox")
        if shutil.which("scanimage") is None or not SYSTEM_TEST_CONF.exists():
            return "simulator and watched folder OK; scanimage absent, SANE not tested"
        _check_sane(Path(tmp) / "sane")
    return "simulator and watched folder OK; SANE test backend OK"
