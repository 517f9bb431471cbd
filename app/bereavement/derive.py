"""The procedures that apply after a death (000 §6(15)⑨イ: 予約者が必要な手続事項の聞き取りと
説明), derived from facts: the registry stand-in's record of the deceased and the project's own
records where they exist, the short questionnaire otherwise. The rules are data (rules.yaml),
each with its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.bereavement.models import FactSource
from app.counter.models import Case, CaseState, Procedure
from app.extensions import db
from app.registry.adapter import PersonRecord, age_on
from app.registry.models import PensionCategory
from app.seal import services as seal

RULES_FILE = Path(__file__).with_name("rules.yaml")
CONDITIONS = ("age_min",)
#: The counter's own card procedures: a card applied for and handed over is a card held.
MY_NUMBER_CARD_CODES = ("my_number_card_application", "my_number_card_reissue")


@cache
def read_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    keys = {q["key"] for q in data["questions"]}
    for rule in data["rules"]:
        unknown = set(rule["when"]) - keys - set(CONDITIONS)
        if unknown:
            raise ValueError(f"{rule['code']}: unknown facts {sorted(unknown)}")
        if rule["department"] not in data["departments"]:
            raise ValueError(f"{rule['code']}: unknown department {rule['department']}")
    return data


def questions() -> list[dict[str, Any]]:
    return list(read_rules()["questions"])


def place_of(department: str) -> str:
    return str(read_rules()["departments"].get(department, {}).get("place", ""))


@dataclass(frozen=True)
class Fact:
    value: bool
    source: FactSource


def _has_my_number_card(resident_id: int) -> bool:
    return db.session.scalar(select(Case.id).join(Procedure).where(
        Case.subject_resident_id == resident_id, Procedure.code.in_(MY_NUMBER_CARD_CODES),
        Case.state == CaseState.done).limit(1)) is not None


def facts(person: PersonRecord | None, answers: dict[str, bool]) -> dict[str, Fact]:
    """Every question's fact: from the registry record and the project's records when the
    deceased was found there, else the family's answer (False when not answered)."""
    known: dict[str, Fact] = {}
    if person is not None:
        known["nhi_member"] = Fact(person.nhi_member, FactSource.registry)
        known["pension_first"] = Fact(person.pension_category == PensionCategory.first, FactSource.registry)
        known["seal_registered"] = Fact(seal.active_record_of(person.id) is not None, FactSource.records)
        if _has_my_number_card(person.id):
            # no card in the counter's records may still be a card issued before Yakuba: ask
            known["my_number_card"] = Fact(True, FactSource.records)
    out = {}
    for question in questions():
        key = question["key"]
        out[key] = known.get(key) or Fact(bool(answers.get(key)), FactSource.questionnaire)
    return out


def still_to_ask(person: PersonRecord | None) -> list[dict[str, Any]]:
    """The questionnaire: the questions the records do not answer (all of them while the
    deceased is not found in the registry)."""
    known = facts(person, {})
    return [q for q in questions() if known[q["key"]].source is FactSource.questionnaire]


@dataclass(frozen=True)
class Applicable:
    rule: str
    name: str
    department: str
    catalog_code: str
    documents: list[str]
    source: FactSource
    law: str


def applicable(known: dict[str, Fact], birth_date: date, died_on: date, *, age_source: FactSource,
               rule_set: list[dict[str, Any]] | None = None) -> list[Applicable]:
    """The procedures whose conditions all hold, in the rules' order; each says where the facts
    it rests on came from (the registry before the records before the questionnaire)."""
    age = age_on(birth_date, died_on)
    order = list(FactSource)
    out = []
    for rule in rule_set if rule_set is not None else read_rules()["rules"]:
        sources = []
        holds = True
        for name, wanted in rule["when"].items():
            if name == "age_min":
                holds &= age >= int(wanted)
                sources.append(age_source)
            else:
                holds &= known[name].value == bool(wanted)
                sources.append(known[name].source)
        if holds:
            source = max(sources, key=order.index) if sources else FactSource.registry if \
                age_source is FactSource.registry else FactSource.questionnaire
            out.append(Applicable(rule["code"], rule["name"], rule["department"], rule.get("catalog", ""),
                                  list(rule.get("documents", [])), source, rule["source"]))
    return out


def rule_source(code: str) -> str:
    return next((r["source"] for r in read_rules()["rules"] if r["code"] == code), "")
