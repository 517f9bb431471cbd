"""疑義データ (004 §7(1)エ): the rules that flag a donation for a person to follow up.

Each rule gives a reason code (models.SuspectReason) and a sentence naming what is wrong.
The import runs them on every new row; intake and corrections run them again. A duplicate
order needs the database (other donations of the same donor), so it is a query of its own.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress, count
from typing import Any

from sqlalchemy import Connection, and_, func, select, tuple_

from app.furusato.models import Donation, FurusatoSettings, Gift
from app.furusato.normalize import (
    PostalArea,
    fold_address,
    fold_addresses,
    folded_address_fits_area,
    postal_area,
    postal_areas,
    postal_digits,
    postal_digits_column,
    without_district,
)
from app.furusato.profiles import FIELDS


@dataclass(frozen=True)
class HomeArea:
    """The city itself, for the in-city rule (004 §7(6)キ)."""

    prefecture: str
    city: str
    postal_prefixes: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: FurusatoSettings | None) -> HomeArea | None:
        if settings is None or not settings.home_city:
            return None
        prefixes = tuple(p.strip() for p in settings.home_postal_prefixes.replace("-", "").split(",") if p.strip())
        return cls(settings.home_prefecture, settings.home_city, prefixes)

    def contains(self, postal: str, address: str) -> bool:
        digits = postal_digits(postal)
        return self._contains(digits, postal_area(digits), address, None)

    def _contains(self, digits: str, area: PostalArea | None, address: str, folded: str | None) -> bool:
        """`contains` for a postal code already looked up (and the address perhaps folded)."""
        if digits and digits.startswith(self.postal_prefixes):
            return True
        if area is not None and area.prefecture == self.prefecture and area.city == self.city:
            return True
        if not address:
            return False
        return folded_address_fits_area(fold_address(address) if folded is None else folded,
                                        PostalArea(self.prefecture, self.city))


@dataclass(frozen=True)
class RuleContext:
    home: HomeArea | None
    gifts_by_code: Mapping[str, Gift | tuple[str, int]]
    expected: tuple[str, ...]


def gift_catalogue(gifts: Iterable[Gift]) -> dict[str, tuple[str, int]]:
    return {g.code: (g.name, g.amount) for g in gifts}


def gift_master(session: Any) -> dict[str, tuple[str, int]]:
    """The gift master as the amount check reads it (issue 18 §1): each gift under its own code
    and under every portal's code for it, so a fresh database with gifts entered in the UI
    raises no false 寄附金額と返礼品の不一致."""
    from app.furusato.gifts.models import GiftPortal

    gifts = session.scalars(select(Gift)).all()
    out = gift_catalogue(gifts)
    by_id = {g.id: g for g in gifts}
    for listing in session.scalars(select(GiftPortal).where(GiftPortal.portal_code != "")):
        gift = by_id[listing.gift_id]
        out.setdefault(listing.portal_code, (gift.name, gift.amount))
    return out


def evaluate(rec: Mapping[str, Any], ctx: RuleContext) -> list[tuple[str, str]]:
    """The flags one donation earns, as (reason code, detail). `rec` holds donation fields."""
    return evaluate_many([rec], ctx)[0]


Flags = list[tuple[str, str]]


def evaluate_many(recs: Sequence[Mapping[str, Any]], ctx: RuleContext) -> list[Flags]:
    """`evaluate` for many donations at once (a chunk of an import), rule by rule over columns:
    the postal codes looked up once per distinct code, the addresses folded in one pass, the
    gift check once per distinct gift, amount and quantity. Each donation's flags are in the
    order of the rules."""
    flags: list[Flags] = [[] for _ in recs]
    if not recs:
        return flags
    postals = [rec.get("postal_code") or "" for rec in recs]
    addresses = [rec.get("address") or "" for rec in recs]
    digits = postal_digits_column(postals)
    areas = postal_areas(digits)
    folded = fold_addresses(addresses)
    if ctx.home is not None:
        _in_city_gift(recs, ctx.home, digits, areas, addresses, folded, flags)
    _postal_address(postals, addresses, digits, areas, folded, flags)
    _missing(recs, ctx.expected, flags)
    _amount_gift(recs, ctx.gifts_by_code, flags)
    for rec, found in zip(recs, flags, strict=True):
        if rec.get("one_stop") and not rec.get("birth_date"):
            found.append(("one_stop_without_birth_date",
                          "ワンストップ特例を希望していますが、生年月日がありません（申告特例通知書に必要です）。"))
    return flags


def _in_city_gift(recs: Sequence[Mapping[str, Any]], home: HomeArea, digits: list[str], areas: list[PostalArea | None],
                  addresses: list[str], folded: list[str], flags: list[Flags]) -> None:
    flag = ("in_city_gift", f"住所が{home.prefecture}{home.city}（本市）の寄附者が返礼品を"
                            "申し込んでいます。市内在住者には返礼品を送付できません（仕様書 7(6)キ）。")
    # Only a row whose postal code could be the city's, or whose address holds the city's name
    # without its district (an address in the city always does), can be in the city.
    town, prefixes = without_district(home.city), home.postal_prefixes
    for i, rec in enumerate(recs):
        if not (rec.get("gift_code") or rec.get("gift_name")):
            continue
        area = areas[i]
        if (town in folded[i] or digits[i].startswith(prefixes) or area is not None and area.city == home.city) and (
                home._contains(digits[i], area, addresses[i], folded[i])):
            flags[i].append(flag)


def _postal_address(postals: list[str], addresses: list[str], digits: list[str], areas: list[PostalArea | None],
                    folded: list[str], flags: list[Flags]) -> None:
    for i, (postal, address, area) in enumerate(zip(postals, addresses, areas, strict=True)):
        if not (postal and address):
            continue
        if len(digits[i]) != 7:
            flags[i].append(("postal_address_mismatch", f"郵便番号「{postal}」の形式が正しくありません（7桁）。"))
        elif area is None:
            flags[i].append(("postal_address_mismatch", f"郵便番号「{postal}」は存在しません。"))
        elif not folded_address_fits_area(folded[i], area):
            flags[i].append(("postal_address_mismatch",
                             f"郵便番号{postal}は{area.prefecture}{area.city}ですが、住所は「{address[:30]}」です。"))


def _missing(recs: Sequence[Mapping[str, Any]], expected: tuple[str, ...], flags: list[Flags]) -> None:
    rows: set[int] = set()
    for f in expected:
        values = list(map(operator.methodcaller("get", f), recs))
        if not all(values):
            rows.update(compress(count(), map(operator.not_, values)))
    for i in sorted(rows):
        missing = [FIELDS[f] for f in expected if not recs[i].get(f)]
        flags[i].append(("missing_required", f"未入力の項目：{'、'.join(missing)}"))


def _amount_gift(recs: Sequence[Mapping[str, Any]], gifts: Mapping[str, Gift | tuple[str, int]],
                 flags: list[Flags]) -> None:
    memo: dict[tuple[str, int, Any], tuple[str, str] | None] = {}
    for rec, found in zip(recs, flags, strict=True):
        code = rec.get("gift_code") or ""
        if not code:
            continue
        key = (code, rec.get("quantity") or 1, rec.get("amount"))
        try:
            flag = memo[key]
        except KeyError:
            flag = memo[key] = _gift_flag(gifts, *key)
        if flag is not None:
            found.append(flag)


def _gift_flag(gifts: Mapping[str, Gift | tuple[str, int]], code: str, quantity: int,
               amount: Any) -> tuple[str, str] | None:
    gift = gifts.get(code)
    if gift is None:
        return ("amount_gift_mismatch", f"返礼品コード「{code}」は返礼品として登録されていません。")
    name, unit = (gift.name, gift.amount) if isinstance(gift, Gift) else gift
    if amount != unit * quantity:
        return ("amount_gift_mismatch",
                f"寄附金額{amount:,}円が返礼品「{name}」の寄附金額{unit:,}円×{quantity}と一致しません。")
    return None


def duplicate_orders(conn: Connection, donor_ids: Iterable[int]) -> dict[int, list[int]]:
    """Donations that look like the same order twice: same donor, gift, amount and day of
    application under different order numbers (or on different portals). Cancelled ones do not
    count. Returns each such donation id with the ids of its twins."""
    ids = sorted(set(donor_ids))
    if not ids:
        return {}
    d = Donation.__table__
    group = (d.c.donor_id, d.c.gift_code, d.c.amount, d.c.applied_on)
    live = and_(d.c.donor_id.in_(ids), d.c.status != "cancelled", d.c.gift_code != "")
    twins = select(*group).where(live).group_by(*group).having(func.count() > 1).subquery()
    rows = conn.execute(
        select(d.c.id, *group).where(live, tuple_(*group).in_(select(*twins.c)))
        .order_by(d.c.id)).all()
    by_group: dict[tuple[int, str, int, date], list[int]] = {}
    for row in rows:
        by_group.setdefault((row.donor_id, row.gift_code, row.amount, row.applied_on), []).append(row.id)
    out: dict[int, list[int]] = {}
    for members in by_group.values():
        for member in members:
            out[member] = [m for m in members if m != member]
    return out
