"""Watched-folder driver: the office MFP saves scans into a shared folder.

A file is taken only once it is complete: its size is the same at two checks in a row AND
Pillow decodes it fully (an MFP writing over SMB can pause mid-file, so a stable size alone
is not enough). Temporary and partial names are never taken. A taken file moves to ``done/``
so it is used once.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from hardware.scanner.base import ScanResult, ScanTimeout, check_dpi, to_grayscale

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
PARTIAL_SUFFIXES = {".tmp", ".part", ".partial", ".crdownload", ".swp"}
DONE_FOLDER = "done"


def is_candidate(path: Path) -> bool:
    """An image file name that is not a temporary or hidden one (``*.tmp``, ``~*``, ``.*``)."""
    name = path.name
    if name.startswith(("~", ".")):
        return False
    suffixes = {s.lower() for s in path.suffixes}
    if suffixes & PARTIAL_SUFFIXES:
        return False
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def load_complete(path: Path) -> Image.Image | None:
    """The fully decoded image, or None while the file is still incomplete."""
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def _unique_target(folder: Path, name: str) -> Path:
    target = folder / name
    counter = 1
    while target.exists():
        target = folder / f"{Path(name).stem}-{counter}{Path(name).suffix}"
        counter += 1
    return target


class FolderScanner:
    """Waits for the next complete image in ``folder`` (oldest first)."""

    def __init__(
        self, folder: Path, dpi: int, timeout: float = 120.0, poll_interval: float = 0.5
    ) -> None:
        self.folder = Path(folder)
        self.dpi = check_dpi(dpi)
        self.timeout = timeout
        self.poll_interval = poll_interval

    def __repr__(self) -> str:
        return f"FolderScanner({str(self.folder)!r}, dpi={self.dpi})"

    def _candidates(self) -> list[Path]:
        dated: list[tuple[float, str, Path]] = []
        for path in self.folder.iterdir():
            try:
                if is_candidate(path):
                    dated.append((path.stat().st_mtime, path.name, path))
            except FileNotFoundError:
                continue
        return [path for _, _, path in sorted(dated)]

    def _take(self, path: Path, image: Image.Image) -> ScanResult:
        done = self.folder / DONE_FOLDER
        done.mkdir(exist_ok=True)
        path.replace(_unique_target(done, path.name))
        return ScanResult(image=to_grayscale(image), dpi=self.dpi)

    def poll_once(self, sizes: dict[Path, int]) -> ScanResult | None:
        """One check of the folder; ``sizes`` carries the sizes seen at the previous check."""
        seen: dict[Path, int] = {}
        for path in self._candidates():
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            seen[path] = size
            if size == 0 or sizes.get(path) != size:
                continue
            image = load_complete(path)
            if image is not None:
                return self._take(path, image)
        sizes.clear()
        sizes.update(seen)
        return None

    def scan(self) -> ScanResult:
        """Wait for a complete image; ScanTimeout after ``timeout`` seconds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        sizes: dict[Path, int] = {}
        deadline = time.monotonic() + self.timeout
        while True:
            result = self.poll_once(sizes)
            if result is not None:
                return result
            if time.monotonic() >= deadline:
                raise ScanTimeout()
            time.sleep(self.poll_interval)
