"""Files made by background work (an export, a print-ready batch): one per task and suffix,
written under a temporary name and renamed when complete, so a half-written file is never
offered and a task run again after a crash simply writes it anew."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from huey import crontab

from app.config import INSTANCE_DIR, settings
from app.tasks.engine import periodic


def directory() -> Path:
    configured = settings().TASK_FILES_DIR
    path = Path(configured) if configured else INSTANCE_DIR / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(task_id: int | str, suffix: str) -> Path:
    """A task's file (`task_id` a task's id, or the name of what owns the file, such as a
    certificate batch that a command line runs without a task: swept all the same)."""
    return directory() / f"task-{task_id}{suffix}"


@contextmanager
def writing(task_id: int | str, suffix: str) -> Iterator[IO[bytes]]:
    """Write a task's file; it appears under its name only once complete."""
    final = path_for(task_id, suffix)
    partial = final.with_name(final.name + ".part")
    with partial.open("wb") as out:
        yield out
        out.flush()
        os.fsync(out.fileno())
    partial.replace(final)


def existing(task_id: int | str, suffix: str) -> Path | None:
    path = path_for(task_id, suffix)
    return path if path.is_file() else None


def remove_of(task_ids: Iterable[int | str]) -> int:
    """Delete every file the given tasks (or owners such as a certificate batch) made, for an
    erasure or a disposal of what they hold; returns how many were deleted."""
    removed = 0
    for task_id in task_ids:
        for path in directory().glob(f"task-{task_id}.*"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@periodic(crontab(hour="3", minute="30"), "tasks.sweep_files", at_start=True)
def sweep() -> None:
    """Delete the files older than TASK_FILE_DAYS: exports hold personal data, and a kept copy
    is not what the person who asked for it expects (they were told it is kept that long)."""
    limit = time.time() - settings().TASK_FILE_DAYS * 86_400
    for path in directory().glob("task-*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
