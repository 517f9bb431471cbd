"""住民基本台帳との照合 (000 §6(3)①カ): what the visitor wrote against the registry.

Width is folded with jaconv (STYLE rule 15), kana, whitespace and dashes as app/core/text.py
folds them for every domain; only the address notation rules (丁目・番地・番・号 against
hyphens, kanji numerals before 丁目) are this domain's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import jaconv

from app.core.text import drop_whitespace, katakana, unify_dashes
from app.registry.adapter import PersonRecord
from app.registry.models import Sex

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def fold_name(text: str) -> str:
    return drop_whitespace(jaconv.normalize(text or ""))


def fold_kana(text: str) -> str:
    """Hiragana and half-width to full-width katakana; small kana enlarged (ショウ = シヨウ)."""
    return drop_whitespace(katakana(jaconv.normalize(text or "")))


def _kanji_number(text: str) -> str:
    if text == "十":
        return "10"
    if "十" in text:
        tens, _, ones = text.partition("十")
        return str((_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0))
    return "".join(str(_KANJI_DIGITS[c]) for c in text)


def fold_address(text: str) -> str:
    """岩手県一関市竹山町７番２号 and 岩手県一関市竹山町7-2 fold to the same string."""
    s = jaconv.z2h(jaconv.normalize(text or ""), kana=False, ascii=True, digit=True)
    s = drop_whitespace(s)
    s = re.sub(r"([〇一二三四五六七八九十]+)丁目", lambda m: _kanji_number(m.group(1)) + "丁目", s)
    s = re.sub(r"(\d)(?:丁目|番地|番|の)", r"\1-", s)
    s = unify_dashes(s)
    s = re.sub(r"(\d)号$", r"\1", s)
    return s.rstrip("-")


@dataclass(frozen=True)
class Entered:
    """What the visitor wrote (or the card said)."""

    name: str = ""
    kana: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: str = ""


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    entered: str
    registered: str
    same: bool


@dataclass(frozen=True)
class Candidate:
    person: PersonRecord
    comparisons: tuple[FieldComparison, ...]

    @property
    def differences(self) -> tuple[FieldComparison, ...]:
        return tuple(c for c in self.comparisons if not c.same)

    @property
    def score(self) -> int:
        return sum(c.same for c in self.comparisons)

    @property
    def exact(self) -> bool:
        return not self.differences


def compare(entered: Entered, person: PersonRecord) -> Candidate:
    """Each field the visitor filled in, against the record; empty fields are not compared."""
    rows = []
    if entered.name:
        rows.append(FieldComparison("name", "氏名", entered.name, person.name,
                                    fold_name(entered.name) == fold_name(person.name)))
    if entered.kana:
        rows.append(FieldComparison("kana", "氏名（カナ）", entered.kana, person.kana,
                                    fold_kana(entered.kana) == fold_kana(person.kana)))
    if entered.birth_date:
        rows.append(FieldComparison("birth_date", "生年月日", entered.birth_date.isoformat(),
                                    person.birth_date.isoformat(), entered.birth_date == person.birth_date))
    if entered.sex:
        rows.append(FieldComparison("sex", "性別", Sex.label_of(entered.sex), person.sex.label,
                                    entered.sex == person.sex))
    if entered.address:
        rows.append(FieldComparison("address", "住所", entered.address, person.address,
                                    fold_address(entered.address) == fold_address(person.address)))
    return Candidate(person, tuple(rows))


def rank(entered: Entered, people: list[PersonRecord]) -> list[Candidate]:
    """Candidates that agree on at least the birth date or the name, best first."""
    candidates = [compare(entered, p) for p in people]
    kept = [c for c in candidates
            if any(f.same and f.field in {"birth_date", "name", "kana"} for f in c.comparisons)]
    return sorted(kept, key=lambda c: (-c.score, c.person.id))
