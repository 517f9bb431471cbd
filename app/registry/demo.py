"""Synthetic residents for the demo city: a few thousand people in households, with Faker's
Japanese names, at addresses of the fictional city's fictional towns (app/registry/places.py):
no demo address is a real one (issue 15 §5: they were 一関市's)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import insert

from app.core.dates import today
from app.extensions import db
from app.registry import places
from app.registry.adapter import age_on
from app.registry.models import HEAD, Household, PensionCategory, Resident, ResidentStatus

HOUSEHOLDS = 1300
SEED = 3209
POSTAL_CODES = tuple(places.TOWNS)
DOMICILES = ("宮城県仙台市青葉区本町三丁目8番1号", "東京都千代田区霞が関一丁目1番", "岩手県盛岡市内丸10番1号",
             "秋田県秋田市山王四丁目1番1号")


class _People:
    def __init__(self, seed: int) -> None:
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
        self.today = today()

    def birth(self, min_age: int, max_age: int) -> date:
        start = self.today.replace(year=self.today.year - max_age - 1) + timedelta(days=1)
        end = self.today.replace(year=self.today.year - min_age)
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def person(self, family: tuple[str, str], sex: str, relationship: str, born: date) -> dict:
        given = self.fake.first_name_male_pair() if sex == "1" else self.fake.first_name_female_pair()
        return {"family_name": family[0], "family_kana": family[1], "given_name": given[0],
                "given_kana": given[1], "sex": sex, "relationship": relationship, "birth_date": born}

    def household(self) -> list[dict]:
        fake, rng = self.fake, self.rng
        family = fake.last_name_pair()[:2]
        kind = rng.choices(("single", "elderly_single", "couple", "family", "three_gen", "single_parent"),
                           weights=(18, 12, 20, 30, 10, 10))[0]
        head_sex = rng.choice("12") if kind in ("single", "elderly_single", "single_parent") else "1"
        head_age = {"single": (19, 64), "elderly_single": (65, 98), "couple": (25, 90),
                    "family": (28, 55), "three_gen": (40, 60), "single_parent": (24, 50)}[kind]
        head = self.person(family, head_sex, HEAD, self.birth(*head_age))
        people = [head]
        head_age_now = age_on(head["birth_date"], self.today)
        if kind in ("couple", "family", "three_gen"):
            people.append(self.person(family, "2", "妻", self.birth(max(head_age_now - 6, 20), head_age_now + 2)))
        if kind in ("family", "three_gen", "single_parent"):
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                people.append(self.person(family, rng.choice("12"), "子",
                                          self.birth(0, max(min(head_age_now - 22, 22), 0))))
        if kind == "three_gen":
            people.append(self.person(family, rng.choice("12"), rng.choice(("父", "母")),
                                      self.birth(head_age_now + 22, min(head_age_now + 38, 99))))
        return people


def _address(rng: random.Random, code: str) -> str:
    return places.town_address(code, f"{rng.randint(1, 40)}番{rng.randint(1, 30)}号")


def load(households: int = HOUSEHOLDS, seed: int = SEED) -> int:
    """Bulk-insert the synthetic registry; returns the number of residents."""
    gen = _People(seed)
    rng = gen.rng
    plans = [(rng.choice(POSTAL_CODES), gen.household()) for _ in range(households)]
    rows = []
    for code, _ in plans:
        rows.append({"postal_code": code, "address": _address(rng, code),
                     "created_on": gen.birth(0, 30)})
    ids = db.session.scalars(insert(Household).returning(Household.id, sort_by_parameter_order=True), rows).all()
    residents = []
    for household_id, household_row, (_, people) in zip(ids, rows, plans, strict=True):
        head = people[0]
        self_employed = rng.random() < 0.3 or age_on(head["birth_date"], gen.today) >= 65
        domicile = household_row["address"] if rng.random() < 0.6 else rng.choice(DOMICILES)
        for person in people:
            age = age_on(person["birth_date"], gen.today)
            nhi = self_employed and age < 75
            pension = PensionCategory.none
            if 20 <= age < 60:
                pension = PensionCategory.first if nhi else PensionCategory.second if person is head \
                    else PensionCategory.third
            since = max(person["birth_date"], household_row["created_on"])
            residents.append({
                **person, "household_id": household_id,
                "domicile": domicile, "domicile_head": f"{head['family_name']}\u3000{head['given_name']}",
                "resident_since": since, "address_since": since, "notified_on": since,
                "previous_address": "", "status": ResidentStatus.active, "left_on": None, "left_to": "",
                "nhi_member": nhi, "pension_category": pension,
            })
    db.session.execute(insert(Resident), residents)
    return len(residents)
