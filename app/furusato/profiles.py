"""Import profiles: how one portal's CSV maps onto a donation (004 §5(2), §7(2)エ).

The portals do not publish their layouts, so each portal has a data file in
`app/furusato/profiles/<code>.yaml`: columns to fields, date and amount formats, and the
portal's words for payment status, payment method and the yes/no wishes. What staff map in
the browser (取込調整) is stored as ProfileAdjustment rows and laid over the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.core.dates import JST as _JST
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato.models import PORTAL_STATES, AdjustmentKind, PaymentMethod, Portal, ProfileAdjustment

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

# Every field a profile may map a column to, with the label staff see.
FIELDS: dict[str, str] = {
    "order_id": "注文番号",
    "applied_at": "申込日時",
    "paid_on": "入金日",
    "amount": "寄附金額",
    "payment_method": "決済方法",
    "status": "入金状況",
    "gift_code": "返礼品コード",
    "gift_name": "返礼品名",
    "quantity": "数量",
    "one_stop": "ワンストップ特例希望",
    "receipt_wish": "受領証明書希望",
    "notes": "備考",
    "use": "寄附の使い道",
    "name": "氏名",
    "kana": "フリガナ",
    "birth_date": "生年月日",
    "phone": "電話番号",
    "email": "メールアドレス",
    "postal_code": "郵便番号",
    "address": "住所",
}
IGNORE = "_ignore"  # target for a column staff decided not to take
# A row cannot be stored without these.
STRUCTURAL = ("order_id", "applied_at", "amount")
# Fields whose values come from a vocabulary, and the canonical values they may map to.
VOCABULARIES: dict[str, dict[str, str]] = {
    "status": {state.value: state.label for state in PORTAL_STATES},
    "payment_method": dict(PaymentMethod.choices()),
    "one_stop": {"true": "希望する", "false": "希望しない"},
    "receipt_wish": {"true": "希望する", "false": "希望しない"},
}
# Several columns onto one field are joined in column order with these separators.
JOINERS: dict[str, str] = {"name": "\u3000", "kana": "\u3000", "address": "", "postal_code": "",
                           "phone": "", "notes": " "}


class ProfileError(Refusal):
    """A profile file or a portal without one: the message says which."""


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    limited: bool
    delimiter: str
    encoding: str
    datetime_formats: tuple[str, ...]
    date_formats: tuple[str, ...]
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]
    expected: tuple[str, ...]
    note: str = ""
    sort_order: int = 0
    adjusted: tuple[str, ...] = field(default_factory=tuple)

    def column_for(self, target: str) -> str | None:
        return next((c for c, f in self.columns.items() if f == target), None)

    def headers(self) -> list[str]:
        return [c for c, f in self.columns.items() if f != IGNORE]


def _coerce_vocab(raw: dict[str, Any], vocab: str) -> dict[str, str]:
    allowed = VOCABULARIES[vocab]
    out = {}
    for word, value in (raw or {}).items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if text not in allowed:
            raise ProfileError(f"{vocab}: unknown value {value!r} for {word!r}")
        out[str(word)] = text
    return out


def parse_profile(data: dict[str, Any]) -> Profile:
    # Headers are compared after NFKC (full-width colons, spaces), so the profile's are too.
    columns = {unicodedata.normalize("NFKC", str(k)).strip(): str(v) for k, v in (data.get("columns") or {}).items()}
    for column, target in columns.items():
        if target not in FIELDS and target != IGNORE:
            raise ProfileError(f"column {column!r} maps to unknown field {target!r}")
    for needed in STRUCTURAL:
        if needed not in columns.values():
            raise ProfileError(f"profile {data.get('code')} maps no column to {needed}")
    values = {vocab: _coerce_vocab((data.get("values") or {}).get(vocab, {}), vocab) for vocab in VOCABULARIES}
    return Profile(
        code=str(data["code"]),
        name=str(data["name"]),
        limited=bool(data.get("limited", False)),
        delimiter=str(data.get("delimiter", ",")),
        encoding=str(data.get("encoding", "")),
        datetime_formats=tuple(data.get("datetime_formats") or ()),
        date_formats=tuple(data.get("date_formats") or ()),
        columns=columns,
        values=values,
        defaults={str(k): str(v).lower() if isinstance(v, bool) else str(v)
                  for k, v in (data.get("defaults") or {}).items()},
        expected=tuple(data.get("expected") or ()),
        note=str(data.get("note", "")),
        sort_order=int(data.get("sort_order", 0)),
    )


@cache
def file_profiles() -> dict[str, Profile]:
    """The profiles shipped as data files, by portal code."""
    profiles = {}
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        profile = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")))
        profiles[profile.code] = profile
    return profiles


def base_profile(code: str) -> Profile:
    try:
        return file_profiles()[code]
    except KeyError:
        raise ProfileError(f"取込設定（プロファイル）がないポータルです：{code}") from None


def effective_profile(portal: Portal) -> Profile:
    """The file's profile with the adjustments staff made in the browser laid over it."""
    profile = base_profile(portal.code)
    adjustments = db.session.scalars(
        select(ProfileAdjustment).where(ProfileAdjustment.portal_id == portal.id)
        .order_by(ProfileAdjustment.id)).all()
    if not adjustments:
        return profile
    columns = dict(profile.columns)
    values = {k: dict(v) for k, v in profile.values.items()}
    adjusted = []
    for adj in adjustments:
        if adj.kind == AdjustmentKind.column:
            columns[adj.source] = adj.target
        else:
            values.setdefault(adj.field, {})[adj.source] = adj.target
        adjusted.append(adj.source)
    return replace(profile, columns=columns, values=values, adjusted=tuple(adjusted))


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



# Layouts datetime.fromisoformat reads after one replace, with the ranges it accepts spelled out
# (ASCII digits, two of each), so that a value that fits is read exactly as parse_datetime would
# read it with the same format first: the regex fullmatches and datetime() takes the numbers.
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_ISO_LAYOUTS: dict[str, tuple[str, re.Pattern[str]]] = {
    "%Y/%m/%d %H:%M:%S": ("/", re.compile(rf"[0-9]{{4}}/(?:0[1-9]|1[0-2])/(?:0[1-9]|[12][0-9]|3[01]) {_TIME}")),
    "%Y-%m-%d %H:%M:%S": ("-", re.compile(rf"[0-9]{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]) {_TIME}")),
}


def parse_datetimes(values: list[str], formats: tuple[str, ...]) -> list[datetime | None]:
    """[parse_datetime(v, formats) if v else None for v in values], a column at once: when the
    first format is a layout of _ISO_LAYOUTS, each value that fits it is read by the C parser
    and only the others (and a day past the month's end) by parse_datetime."""
    layout = _ISO_LAYOUTS.get(formats[0]) if formats else None
    if layout is None:
        return [parse_datetime(v, formats) if v else None for v in values]
    separator, pattern = layout
    fits, read = pattern.fullmatch, datetime.fromisoformat
    try:
        return [read(v.replace(separator, "-", 2)) if fits(v) else parse_datetime(v, formats) if v else None
                for v in values]
    except ValueError:  # a day past the month's end (2026/02/30): that value as parse_datetime reads it
        return [_read_or_parse(read, v.replace(separator, "-", 2), v, formats) if fits(v) else
                parse_datetime(v, formats) if v else None for v in values]


def _read_or_parse(read: Any, iso: str, value: str, formats: tuple[str, ...]) -> datetime | None:
    try:
        return read(iso)
    except ValueError:
        return parse_datetime(value, formats)
