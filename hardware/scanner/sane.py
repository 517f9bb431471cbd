"""SANE driver through the ``scanimage`` command line (Debian ``sane-utils``).

The CLI keeps the agent free of a compiled SANE binding; ``scanimage --format=png`` writes the
image to stdout. SANE's ``test`` backend is off in ``/etc/sane.d``; it can be enabled without
touching ``/etc`` by pointing ``SANE_CONFIG_DIR`` at a folder holding a ``dll.conf`` that names
``test`` and a copy of ``test.conf`` (HARDWARE.md).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from hardware.scanner.base import ScannerFailed, ScanResult, check_dpi, to_grayscale

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")
DEFAULT_TIMEOUT = 120.0


def write_test_backend_config(folder: Path) -> dict[str, str]:
    """Write a SANE config folder that enables only the ``test`` backend.

    Returns the environment to run ``scanimage`` with.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dll.conf").write_text("test\n")
    shutil.copyfile(SYSTEM_TEST_CONF, folder / "test.conf")
    return {**os.environ, "SANE_CONFIG_DIR": str(folder)}


class SaneScanner:
    """A SANE device such as ``epson2:net:192.0.2.5`` or ``test:0``, scanned in Gray mode."""

    def __init__(
        self,
        device: str,
        dpi: int,
        scanimage: str = "scanimage",
        env: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.device = device
        self.dpi = check_dpi(dpi)
        self.scanimage = scanimage
        self.env = env
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SaneScanner({self.device!r}, dpi={self.dpi})"

    def command(self) -> list[str]:
        """The scanimage invocation."""
        return [
            self.scanimage,
            "--format=png",
            "--resolution",
            str(self.dpi),
            "--mode",
            "Gray",
            "-d",
            self.device,
        ]

    def scan(self) -> ScanResult:
        """Run one scan; ScannerFailed with scanimage's own message on error."""
        if shutil.which(self.scanimage) is None:
            raise ScannerFailed("scanimage が見つかりません")
        try:
            done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                self.command(),
                capture_output=True,
                env=self.env,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ScannerFailed("scanimage が応答しません") from None
        if done.returncode != 0:
            raise ScannerFailed(done.stderr.decode(errors="replace").strip()[-200:])
        try:
            image = Image.open(io.BytesIO(done.stdout))
            image.load()
        except (UnidentifiedImageError, OSError):
            raise ScannerFailed("scanimage の出力が画像ではありません") from None
        return ScanResult(image=to_grayscale(image), dpi=self.dpi)
