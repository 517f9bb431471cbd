"""The accepted 番号確認・身元確認 combinations, as data (id_documents.yaml, with their source)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FILE = Path(__file__).with_name("id_documents.yaml")


@dataclass(frozen=True)
class Combination:
    label: str
    source: str
    number: tuple[str, ...]  # any one of these confirms the number
    identity: tuple[str, ...]  # `count` different ones of these confirm the person
    count: int

    def satisfied_by(self, codes: set[str]) -> bool:
        return bool(codes & set(self.number)) and len(codes & set(self.identity)) >= self.count


@cache
def _data() -> tuple[dict[str, str], tuple[Combination, ...]]:
    raw = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    labels = {code: item["label"] for code, item in raw["documents"].items()}
    combos = tuple(Combination(c["label"], c["source"], tuple(c["number"]), tuple(c["identity"]["any_of"]),
                               int(c["identity"]["count"])) for c in raw["combinations"])
    return labels, combos


def labels() -> dict[str, str]:
    return _data()[0]


def combinations() -> tuple[Combination, ...]:
    return _data()[1]


def accepted_by(codes: list[str]) -> Combination | None:
    """The first accepted combination the attached documents make, or None."""
    given = set(codes)
    return next((c for c in combinations() if c.satisfied_by(given)), None)
