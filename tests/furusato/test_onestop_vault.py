"""The vault's key file (issue 17 §3): made whole under a temporary name and linked into place,
so a concurrent reader sees no file or the whole key, never an empty one."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.furusato.onestop import vault


def test_the_key_file_appears_whole_and_only_for_its_owner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys" / "onestop_number.keys"
    seen_at_link: list[str] = []
    real_link = os.link

    def link(source: str, target: Path) -> None:
        assert not Path(target).exists()
        seen_at_link.append(Path(source).read_text())  # what the name will show, the moment it appears
        real_link(source, target)

    monkeypatch.setattr(os, "link", link)
    vault._make_key_file(path)
    key = path.read_text().strip()
    assert seen_at_link == [key + "\n"]
    Fernet(key.encode())  # a whole, valid key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind


def test_a_key_already_there_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "onestop_number.keys"
    path.write_text("existing\n")
    vault._make_key_file(path)
    assert path.read_text() == "existing\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_racing_processes_all_read_the_same_whole_key(tmp_path: Path) -> None:
    path = tmp_path / "onestop_number.keys"
    read: list[str] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait()
        if not path.exists():
            vault._make_key_file(path)
        read.append(path.read_text())

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(read)) == 1 and read[0].strip()
