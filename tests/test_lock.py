"""The lock files that `make install` installs from with `--require-hashes` (issue 14 §4) agree
with pyproject.toml: every requirement of the project, its dev extra and its build is pinned, at
a version its range allows, with hashes; requirements-pcsc.lock is the same plus pyscard. After
a change to pyproject.toml's dependencies, `make lock` brings them up to date."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _lock(name: str) -> dict[str, tuple[Version, int]]:
    """Each pinned package of a lock file: its version and how many hashes it carries."""
    pins: dict[str, tuple[Version, int]] = {}
    current = ""
    for line in ROOT.joinpath(name).read_text().splitlines():
        if found := PIN.match(line):
            current = canonicalize_name(found.group(1))
            pins[current] = (Version(found.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


LOCKS = {"requirements.lock": ("dev",), "requirements-pcsc.lock": ("dev", "pcsc")}


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_every_requirement_is_pinned_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pins = _lock(lock)
    for requirement in _requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in {lock}: run `make lock`"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{lock} pins {name}=={version}, outside {requirement}: run `make lock`"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_hashes(lock: str) -> None:
    pins = _lock(lock)
    assert len(pins) > 50
    assert [name for name, (_, hashes) in pins.items() if hashes == 0] == []


def test_the_two_locks_differ_by_pyscard_only() -> None:
    plain, pcsc = _lock("requirements.lock"), _lock("requirements-pcsc.lock")
    assert "pyscard" not in plain and "pyscard" in pcsc
    assert {name: pin for name, pin in pcsc.items() if name != "pyscard"} == plain
