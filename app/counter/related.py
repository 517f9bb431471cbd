"""関係各課への案内 (000 §6(3)②): the procedures of other departments a move brings.

The rules are data (related.yaml). A person's facts are taken on the move date; school grades
follow 学校教育法 §17 (a child starts school in the April after turning six; children born on
1 April belong with the older year, 年齢計算ニ関スル法律).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.core.dates import fiscal_year
from app.registry.adapter import age_on

RULES_FILE = Path(__file__).with_name("related.yaml")
CONDITIONS = ("age_min", "age_max", "until_march_after_age", "school_age", "nhi_member", "pension_category")


@dataclass(frozen=True)
class PersonFacts:
    name: str
    birth_date: date
    nhi_member: bool = False
    pension_category: str = ""


@dataclass
class RelatedProcedure:
    rule: str
    department: str
    procedure: str
    catalog_code: str = ""
    people: list[str] = field(default_factory=list)


@cache
def rules() -> list[dict[str, Any]]:
    with RULES_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)["rules"]
    for rule in data:
        unknown = set(rule["person"]) - set(CONDITIONS)
        if unknown:
            raise ValueError(f"{rule['code']}: unknown conditions {unknown}")
    return data


def school_grade(birth_date: date, on: date) -> int | None:
    """1-6 elementary, 7-9 junior high school in the school year of `on`; None otherwise."""
    cohort = birth_date.year if (birth_date.month, birth_date.day) > (4, 1) else birth_date.year - 1
    grade = fiscal_year(on) - cohort - 6
    return grade if 1 <= grade <= 9 else None


def until_march_after_age(birth_date: date, age: int, on: date) -> bool:
    """Up to the first 31 March after the day the person reaches `age` (the day before the
    birthday, 年齢計算ニ関スル法律)."""
    try:
        birthday = birth_date.replace(year=birth_date.year + age)
    except ValueError:  # 29 February
        birthday = date(birth_date.year + age, 3, 1)
    reached = birthday - timedelta(days=1)
    return on <= date(fiscal_year(reached) + 1, 3, 31)


def applies(conditions: dict[str, Any], person: PersonFacts, on: date) -> bool:
    age = age_on(person.birth_date, on)
    checks = {
        "age_min": lambda v: age >= v,
        "age_max": lambda v: age <= v,
        "until_march_after_age": lambda v: until_march_after_age(person.birth_date, v, on),
        "school_age": lambda v: (school_grade(person.birth_date, on) is not None) == v,
        "nhi_member": lambda v: person.nhi_member == v,
        "pension_category": lambda v: person.pension_category == str(v),
    }
    return all(checks[name](value) for name, value in conditions.items())


def related_procedures(move_kind: str, people: list[PersonFacts], on: date,
                       rule_set: list[dict[str, Any]] | None = None) -> list[RelatedProcedure]:
    """The list for the 受付案内票, in the order of the rules, each with the people concerned."""
    out = []
    for rule in rule_set if rule_set is not None else rules():
        if move_kind not in rule["moves"]:
            continue
        concerned = [p.name for p in people if applies(rule["person"], p, on)]
        if not concerned:
            continue
        text = rule["procedure"]
        if isinstance(text, dict):
            text = text[move_kind]
        out.append(RelatedProcedure(rule["code"], rule["department"], text, rule.get("catalog", ""), concerned))
    return out


def pension_category_for_new_resident(birth_date: date, nhi_member: bool, on: date) -> str:
    """A person joining the NHI aged 20-59 is a first-category insured person (国民年金法 §7①一)."""
    return "1" if nhi_member and 20 <= age_on(birth_date, on) < 60 else ""
