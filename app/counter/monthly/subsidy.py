"""First checks of medical-subsidy benefit applications (医療費給付 申請内容一次チェック,
000 §6(12)②ア〜エ, issue 21): the rules for each kind are data (subsidy_rules.yaml, each with its
source); the operator ticks what the application carries, the check lists what is missing, and
only a complete application goes to the city (as a handover: the decision is the city's,
000 §7(2)). An incomplete one is kept with its list, for the applicant to be asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year, today
from app.core.refusal import Problem, Refusal
from app.counter.monthly import handovers
from app.counter.monthly.ages import reaching_day
from app.counter.monthly.models import SubsidyCheck, SubsidyKind
from app.extensions import db
from app.registry import services as registry
from app.web.paging import Page, paged

RULES_FILE = Path(__file__).with_name("subsidy_rules.yaml")
SUBJECT = "monthly_subsidy_check"


class SubsidyError(Refusal):
    pass


@dataclass(frozen=True)
class Item:
    code: str
    label: str


@dataclass(frozen=True)
class Rule:
    kind: SubsidyKind
    label: str
    source: str
    items: tuple[Item, ...]
    age_limit_end_of_fiscal_year: int | None = None


@lru_cache(maxsize=1)
def rules() -> dict[SubsidyKind, Rule]:
    with RULES_FILE.open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yaml.safe_load(fh)
    return {SubsidyKind(code): Rule(SubsidyKind(code), r["label"], r["source"],
                                    tuple(Item(i["code"], i["label"]) for i in r["items"]),
                                    r.get("age_limit_end_of_fiscal_year"))
            for code, r in raw.items()}


@dataclass(frozen=True)
class CheckInput:
    kind: str = ""
    resident_id: int | None = None
    received_on: date | None = None
    present: list[str] = field(default_factory=list)


def covered_until(birth_date: date, years: int) -> date:
    """The first 31 March on or after the day the child reaches `years` (年齢に達する日, 民法 §143
    via 年齢計算ニ関スル法律): the usual end of a 子ども医療費 entitlement (the age is the city's
    rule). Born 1 April reaches 18 on 31 March itself, so is covered to that day."""
    return date(fiscal_year(reaching_day(birth_date, years)) + 1, 3, 31)


def missing_of(rule: Rule, present: list[str], birth_date: date, received_on: date) -> list[str]:
    """What the application lacks, in the rules' words, and a subject past the age limit."""
    missing = [f"{i.label}" for i in rule.items if i.code not in present]
    if rule.age_limit_end_of_fiscal_year is not None:
        until = covered_until(birth_date, rule.age_limit_end_of_fiscal_year)
        if received_on > until:
            missing.append(f"対象年齢外（{rule.age_limit_end_of_fiscal_year}歳到達後の3月31日 {until:%Y-%m-%d} まで）")
    return missing


def check(data: CheckInput, *, by: User) -> SubsidyCheck:
    problems = []
    if not SubsidyKind.has(data.kind):
        problems.append(Problem("kind", "給付の種類を一覧から選んでください。"))
    if data.resident_id is None:
        problems.append(Problem("resident_id", "対象者の住民番号を入力してください。"))
    if data.received_on is None or data.received_on > today():
        problems.append(Problem("received_on", "受付日を今日までの日付で入力してください。"))
    person = None
    if data.resident_id is not None:
        try:
            person = registry.read_person(data.resident_id, "医療費給付の一次チェック", by=by)
        except registry.RegistryError:
            problems.append(Problem("resident_id", f"住民番号 {data.resident_id} の住民記録はありません。"))
    if problems:
        raise SubsidyError.of(problems)
    assert person is not None and data.received_on is not None
    rule = rules()[SubsidyKind(data.kind)]
    known = {i.code for i in rule.items}
    present = [code for code in data.present if code in known]
    made = SubsidyCheck(kind=rule.kind, resident_id=person.id, received_on=data.received_on, present=present,
                        missing=missing_of(rule, present, person.birth_date, data.received_on), checked_by_id=by.id)
    db.session.add(made)
    db.session.flush()
    audit.record("create", SUBJECT, made.id, f"{rule.label}の一次チェック（不足{len(made.missing)}件）", by=by)
    return made


def send_to_city(found: SubsidyCheck, *, by: User) -> None:
    """A complete application goes to the city, as a handover (the decision is the city's)."""
    if found.handover_id is not None:
        raise SubsidyError("この申請はすでに市へ送付しています。")
    if found.missing:
        raise SubsidyError(f"不足が{len(found.missing)}件あります。そろってから市へ送付してください。")
    rule = rules()[found.kind]
    handover = handovers.hand_over(handovers.HandoverInput(
        what=f"{rule.label}の給付申請（一次チェック済）", reason=f"給付の決定は市が行います（{rule.source}）。",
        resident_id=found.resident_id), by=by)
    found.handover_id = handover.id
    audit.record("update", SUBJECT, found.id, f"一次チェック済の申請を市へ送付（引継ぎ#{handover.id}）", by=by)
    db.session.flush()


def get(check_id: int) -> SubsidyCheck | None:
    return db.session.get(SubsidyCheck, check_id)


def page_of(page: int) -> Page[SubsidyCheck]:
    return paged(select(SubsidyCheck).order_by(SubsidyCheck.id.desc()), page)


def waiting() -> int:
    """Checked, nothing missing, not yet sent to the city."""
    return sum(1 for c in db.session.scalars(select(SubsidyCheck).where(SubsidyCheck.handover_id.is_(None)))
               if not c.missing)
