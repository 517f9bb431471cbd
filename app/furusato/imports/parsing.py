"""A portal file's rows to donation fields, or to issues naming row, column and reason: a chunk
of rows column by column, a row with an issue row by row; the header checked against the profile."""


from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat
from typing import Any

from app.furusato import normalize as nz
from app.furusato import suspects
from app.furusato.models import (
    IssueCode,
)
from app.furusato.profiles import (
    FIELDS,
    IGNORE,
    JOINERS,
    STRUCTURAL,
    VOCABULARIES,
    Profile,
    file_profiles,
    parse_date,
    parse_datetime,
    parse_datetimes,
)

MAX_STORED_ISSUES = 100_000

LIMITS = {"order_id": 64, "name": 100, "kana": 100, "phone": 20, "email": 254, "postal_code": 8,
          "address": 300, "gift_code": 40, "gift_name": 200, "use": 200}
ROW_FIELD = "（行全体）"
NUL = "\x00"  # PostgreSQL text holds none (issue 14 §4): a field with one is refused

@dataclass(frozen=True)
class Issue:
    row: int
    field: str
    code: str
    reason: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suspects: int = 0
    issues: list[Issue] = field(default_factory=list)
    error_count: int = 0

    def add_issue(self, issue: Issue) -> None:
        self.error_count += 1
        if len(self.issues) < MAX_STORED_ISSUES:
            self.issues.append(issue)



# --- row parsing ---------------------------------------------------------------------------

def clean_header(cell: str) -> str:
    """The column's name as profiles spell it (no NUL: PostgreSQL keeps none, issue 14 §4)."""
    return unicodedata.normalize("NFKC", cell.replace(NUL, "")).strip().lstrip("\ufeff").strip('"').strip()


LOOKS_LIKE_SHARE = 0.8  # of a header's columns another profile must know (a portal adds a column now and then)


def looks_like(profile: Profile, header: list[str]) -> Profile | None:
    """Another portal's profile that knows the header where this one does not: every column, or
    most of them (LOOKS_LIKE_SHARE) when this profile knows fewer than half. The file is that
    portal's (the wrong portal was chosen at upload), perhaps with a column it added since. The
    one knowing most wins."""
    cells = {c for c in header if c}
    if cells <= profile.columns.keys():
        return None
    mine = len(cells & profile.columns.keys())

    def fits(other: Profile) -> bool:
        known = len(cells & other.columns.keys())
        return known == len(cells) or (mine * 2 < len(cells) and known > mine
                                       and known >= LOOKS_LIKE_SHARE * len(cells))

    candidates = [p for p in file_profiles().values() if p.code != profile.code and fits(p)]
    return max(candidates, key=lambda p: len(cells & p.columns.keys()), default=None)


def wrong_portal_message(profile: Profile, other: Profile, header: list[str]) -> str:
    cells = {c for c in header if c}
    known = len(cells & other.columns.keys())
    which = "すべて" if known == len(cells) else f"{len(cells)}列のうち{known}列が"
    return (f"このファイルは{other.name}のファイルのようです（見出しの列が{which}{other.name}の取込設定に"
            f"あります）。{profile.name}を選んで取り込もうとしています。ポータルを選び直して取り込んでください。"
            "何も取り込んでいません。")


def check_header(profile: Profile, header: list[str]) -> list[Issue]:
    """Problems with the header that no row can fix: unknown, duplicate or missing columns. A
    header that is another portal's is one problem that says so, not one per column."""
    other = looks_like(profile, header)
    if other is not None:
        return [Issue(1, "見出し", IssueCode.invalid, wrong_portal_message(profile, other, header))]
    issues = []
    seen: set[str] = set()
    for cell in header:
        if cell in seen:
            issues.append(Issue(1, cell, IssueCode.invalid, f"列「{cell}」が見出しに2回あります。"))
        seen.add(cell)
        if cell and cell not in profile.columns:
            issues.append(Issue(1, cell, IssueCode.unknown_column,
                                f"列「{cell}」は{profile.name}の取込設定にありません。取込調整で項目を対応付けるか、"
                                "「取り込まない」を選んでください。"))
    mapped = {profile.columns[c] for c in header if c in profile.columns}
    for needed in STRUCTURAL:
        if needed not in mapped:
            column = profile.column_for(needed) or FIELDS[needed]
            issues.append(Issue(1, column, IssueCode.missing_column,
                                f"必須の列「{column}」（{FIELDS[needed]}）がファイルにありません。"))
    return issues


_AMOUNT_NOISE = re.compile(r"[,\s円¥\\￥]")
_CACHE_LIMIT = 50_000  # distinct values remembered per column (dates, amounts): bounded memory


def parse_amount(text: str) -> int | None:
    cleaned = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", text))
    if not cleaned.isdigit():
        return None
    return int(cleaned)


def _remembered(memo: dict[str, Any], value: str, compute: Any) -> Any:
    """A column's parsed value from a small memo (few distinct dates and amounts in a file)."""
    try:
        return memo[value]
    except KeyError:
        if len(memo) >= _CACHE_LIMIT:
            memo.clear()
        result = memo[value] = compute(value)
        return result


class RowParser:
    """Turns one CSV row into donation fields, or into issues naming column and reason.

    This runs a million times for a large file, so the lookups are prepared here once: the
    vocabularies with the canonical words folded in, the formats, the memos of parsed dates and
    amounts. `tests/furusato/test_fast_paths.py` compares it with the plain version."""

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
        self._datetime_formats = profile.datetime_formats + profile.date_formats
        self._date_formats = profile.date_formats + profile.datetime_formats
        self._dates: dict[str, date | None] = {}
        self._amounts: dict[str, int | None] = {}
        # The profile's words first; a canonical word itself (paid, card, true) is always understood.
        self.words = {name: {**{w: w for w in canonical}, **profile.values.get(name, {})}
                      for name, canonical in VOCABULARIES.items()}
        self.defaults = profile.defaults

    def _col(self, name: str) -> str:
        return self.column_of.get(name, FIELDS[name])

    def _datetime(self, value: str) -> datetime | None:
        return parse_datetime(value, self._datetime_formats)

    def _date(self, value: str) -> date | None:
        return _remembered(self._dates, value, self._parse_date)

    def _parse_date(self, value: str) -> date | None:
        return parse_date(value, self._date_formats)

    def _amount(self, value: str) -> int | None:
        return _remembered(self._amounts, value, parse_amount)

    def _word(self, name: str, value: str, row_no: int, issues: list[Issue]) -> str | None:
        if not value:
            return self.defaults.get(name)
        mapped = self.words[name].get(value)
        if mapped is None:
            issues.append(Issue(row_no, self._col(name), IssueCode.unknown_value,
                                f"「{value}」は{FIELDS[name]}の値として登録されていません。"
                                "取込調整で対応付けてください。", value[:200]))
        return mapped

    def parse(self, row: list[str], row_no: int) -> tuple[dict[str, Any] | None, list[Issue]]:
        if len(row) != self.width:
            return None, [Issue(row_no, ROW_FIELD, IssueCode.invalid,
                                f"列の数が見出しと違います（見出し{self.width}列、この行{len(row)}列）。")]
        raw = {f: row[i].strip() for f, i in self.single}
        for f, indexes, joiner in self.multi:
            raw[f] = joiner.join([part for part in [row[i].strip() for i in indexes] if part])
        if NUL in "".join(row) and (with_nul := [f for f, value in raw.items() if NUL in value]):
            # (one search a row; the fields only when there is one)
            return None, [Issue(row_no, self._col(f), IssueCode.invalid,
                                f"{FIELDS[f]}に使用できない文字（NUL）があります。") for f in with_nul]
        get = raw.get
        issues: list[Issue] = []
        for name in STRUCTURAL:
            if not get(name):
                issues.append(Issue(row_no, self._col(name), IssueCode.missing, f"{FIELDS[name]}がありません。"))
        rec: dict[str, Any] = {"order_id": unicodedata.normalize("NFKC", get("order_id", ""))}
        self._numbers(get, rec, row_no, issues)
        self._words(get, rec, row_no, issues)
        postal = nz.postal_digits(get("postal_code", ""))
        rec["postal_code"] = nz.format_postal(postal) if postal else ""
        self._person(get, rec)
        for name, limit in LIMITS.items():
            if len(rec[name]) > limit:
                issues.append(Issue(row_no, self._col(name), IssueCode.invalid,
                                    f"{FIELDS[name]}が長すぎます（最大{limit}文字）。"))
        if issues:
            return None, issues
        area = nz.postal_area(postal)
        rec["prefecture"] = area.prefecture if area else nz.prefecture_of(rec["address"])
        rec["applied_on"] = rec["applied_at"].date()
        rec["keys"] = nz.match_keys(rec["kana"], rec["birth_date"], rec["phone"], postal, rec["address"])
        return rec, []

    def _numbers(self, get: Any, rec: dict[str, Any], row_no: int, issues: list[Issue]) -> None:
        """The row's time, amount, dates and quantity, each an issue when it cannot be read."""
        text = get("applied_at")
        if text:
            applied = self._datetime(text)
            if applied is None:
                issues.append(Issue(row_no, self._col("applied_at"), IssueCode.invalid,
                                    f"日時「{text}」を読めません。", text[:200]))
            rec["applied_at"] = applied
        text = get("amount")
        if text:
            amount = self._amount(text)
            if amount is None or not 0 < amount < 100_000_000:
                issues.append(Issue(row_no, self._col("amount"), IssueCode.invalid,
                                    f"金額「{text}」が正しくありません。", text[:200]))
            rec["amount"] = amount
        for name in ("paid_on", "birth_date"):
            text = get(name, "")
            parsed = self._date(text) if text else None
            if text and parsed is None:
                issues.append(Issue(row_no, self._col(name), IssueCode.invalid, f"日付「{text}」を読めません。",
                                    text[:200]))
            rec[name] = parsed
        text = get("quantity", "")
        rec["quantity"] = 1
        if text:
            q = self._amount(text)
            if q is None or not 0 < q < 1000:
                issues.append(Issue(row_no, self._col("quantity"), IssueCode.invalid,
                                    f"数量「{text}」が正しくありません。"))
            else:
                rec["quantity"] = q

    def _words(self, get: Any, rec: dict[str, Any], row_no: int, issues: list[Issue]) -> None:
        """The row's payment status and method and its yes/no wishes, in the profile's words."""
        rec["status"] = self._word("status", get("status", ""), row_no, issues) or "unpaid"
        rec["payment_method"] = self._word("payment_method", get("payment_method", ""), row_no, issues) or ""
        one_stop = self._word("one_stop", get("one_stop", ""), row_no, issues)
        receipt = self._word("receipt_wish", get("receipt_wish", ""), row_no, issues)
        rec["one_stop"] = one_stop == "true"
        rec["receipt_wish"] = receipt != "false"

    @staticmethod
    def _person(get: Any, rec: dict[str, Any]) -> None:
        """The donor's text fields and the gift's, normalised as stored."""
        rec["name"] = nz.display_name(get("name", ""))
        rec["kana"] = nz.display_kana(get("kana", ""))
        rec["phone"] = nz.nfkc(get("phone", ""))
        rec["email"] = nz.nfkc(get("email", ""))
        rec["address"] = nz.clean_address(get("address", ""))
        rec["gift_code"] = nz.nfkc(get("gift_code", ""))
        rec["gift_name"] = nz.nfkc(get("gift_name", ""))
        rec["notes"] = get("notes", "")
        rec["use"] = nz.nfkc(get("use", "")).strip()  # 寄附の使い道, as the portal gave it


    # --- a whole chunk, column by column ------------------------------------------------------

    def parse_rows(self, rows: list[tuple[int, list[str]]]) -> tuple[list[tuple[int, dict[str, Any]]], list[Issue]]:
        """`parse` for many rows at once: the good rows (row number, record) and every issue,
        both in file order, exactly as `parse` row by row would give them.

        Each column of the chunk is read, checked and normalised in one pass (memos of its
        distinct values, folds over the joined column); a row found wrong in any column is
        parsed again by `parse`, which words its issues. Only those rows cost a call each."""
        fits = [row for _, row in rows if len(row) == self.width]
        records = _Columns(self, fits).records() if fits else []
        if len(fits) < len(rows):  # rows of another width: None, for `parse` to word
            it = iter(records)
            records = [next(it) if len(row) == self.width else None for _, row in rows]
        good: list[tuple[int, dict[str, Any]]] = []
        issues: list[Issue] = []
        for (row_no, row), rec in zip(rows, records, strict=True):
            if rec is None:
                rec, found = self.parse(row, row_no)
                issues.extend(found)
                if rec is None:
                    continue
            good.append((row_no, rec))
        return good, issues


# The record's keys in the order `RowParser.parse` sets them.
_RECORD_KEYS = ("order_id", "applied_at", "amount", "paid_on", "birth_date", "quantity", "status", "payment_method",
                "one_stop", "receipt_wish", "postal_code", "name", "kana", "phone", "email", "address", "gift_code",
                "gift_name", "notes", "use", "prefecture", "applied_on", "keys")
_AT = {name: i for i, name in enumerate(_RECORD_KEYS)}


# The date layouts date.fromisoformat reads after one replace, with the ranges it accepts spelled
# out (ASCII digits, two of each): a value that fits is read as parse_date reads it with that
# format first (its pattern takes any digits, one or two), but for a day past the month's end.
_ISO_DATES: dict[str, tuple[str, re.Pattern[str]]] = {
    "%Y/%m/%d": ("/", re.compile(r"[0-9]{4}/(?:0[1-9]|1[0-2])/(?:0[1-9]|[12][0-9]|3[01])")),
    "%Y-%m-%d": ("-", re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])")),
}


def read_dates(values: set[str], formats: tuple[str, ...], parse: Any) -> dict[str, date | None]:
    """{v: parse(v) if v else None for v in values} where `parse` reads a date in `formats`
    (as parse_date does): when the first format is a layout of _ISO_DATES, a value that fits it
    is read by the C parser, the others (and a day past the month's end) by `parse`."""
    layout = _ISO_DATES.get(formats[0]) if formats else None
    if layout is None:
        return {v: parse(v) if v else None for v in values}
    separator, pattern = layout
    fits, read = pattern.fullmatch, date.fromisoformat
    out: dict[str, date | None] = {}
    for v in values:
        if not fits(v):
            out[v] = parse(v) if v else None
            continue
        try:
            out[v] = read(v.replace(separator, "-"))
        except ValueError:  # 2026/02/30: as parse reads it
            out[v] = parse(v)
    return out


class _Columns:
    """A chunk's rows (all of the header's width) as columns: each field read, checked and
    normalised column-wise; `records()` gives each row's record, or None for a row that any
    check refused (`RowParser.parse` then words why)."""

    def __init__(self, parser: RowParser, rows: list[list[str]]) -> None:
        self.parser = parser
        self.n = len(rows)
        self.bad: set[int] = set()
        cells = list(zip(*rows, strict=True))
        self.raw: dict[str, list[str]] = {f: list(map(str.strip, cells[i])) for f, i in parser.single}
        for f, indexes, joiner in parser.multi:
            parts = list(zip(*[map(str.strip, cells[i]) for i in indexes], strict=True))
            if not joiner:  # joining empty parts with "" adds nothing
                self.raw[f] = list(map("".join, parts))
            else:  # the parts that are not empty, joined (a C-level map: no Python call per row)
                self.raw[f] = list(map(joiner.join, map(filter, repeat(None), parts)))
        self._refuse_nul()

    def get(self, name: str) -> list[str]:
        return self.raw.get(name) or [""] * self.n

    def _refuse(self, values: list[Any], wrong: Any) -> None:
        """The rows whose value is in `wrong` (a set, or a test) go to `RowParser.parse`."""
        if not wrong:
            return
        test = wrong.__contains__ if isinstance(wrong, set | frozenset | dict) else wrong
        self.bad.update(i for i, v in enumerate(values) if test(v))

    def _refuse_nul(self) -> None:
        for values in self.raw.values():
            if NUL in "".join(values):
                for i, v in enumerate(values):
                    if NUL in v:
                        self.bad.add(i)
                        for column in self.raw.values():  # the row's cells out of the column folds
                            column[i] = ""

    def _memo(self, values: list[str], compute: Any) -> tuple[list[Any], dict[str, Any]]:
        """The column mapped through `compute` once per distinct value, and that map."""
        memo = {v: compute(v) for v in set(values)}
        return list(map(memo.__getitem__, values)), memo

    def records(self) -> list[dict[str, Any] | None]:
        for name in STRUCTURAL:
            values = self.get(name)
            if not all(values):
                self._refuse(values, lambda v: not v)
        columns = [nz.nfkc_column(self.get("order_id"), strip=False), *self._numbers(), *self._words()]
        postal_raw = self.get("postal_code")
        digits = nz.postal_digits_column(postal_raw)
        postal_code, _ = self._memo(digits, lambda d: nz.format_postal(d) if d else "")
        person = self._person()
        columns += [postal_code, *person]
        for values, limit in zip(self._limited(columns), LIMITS.values(), strict=True):
            if max(map(len, values)) > limit:
                self._refuse(values, lambda v, limit=limit: len(v) > limit)
        columns += self._derived(columns, digits)
        rows = zip(*columns, strict=True)
        records: list[dict[str, Any] | None] = list(map(dict, map(zip, repeat(_RECORD_KEYS), rows)))
        for i in self.bad:
            records[i] = None
        return records

    @staticmethod
    def _limited(columns: list[list[Any]]) -> list[list[str]]:
        return [columns[_AT[name]] for name in LIMITS]

    def _numbers(self) -> list[list[Any]]:
        """applied_at, amount, paid_on, birth_date, quantity."""
        parser = self.parser
        applied = self.get("applied_at")
        applied_at = parse_datetimes(applied, parser._datetime_formats)
        self._refuse(applied_at, lambda v: v is None)
        amount, memo = self._memo(self.get("amount"), parser._amount)
        self._refuse(self.get("amount"), {v for v, a in memo.items() if v and (a is None or not 0 < a < 100_000_000)})
        dates = []
        for name in ("paid_on", "birth_date"):
            values = self.get(name)
            memo = read_dates(set(values), parser._date_formats, parser._date)
            parsed = list(map(memo.__getitem__, values))
            self._refuse(values, {v for v, d in memo.items() if v and d is None})
            dates.append(parsed)
        values = self.get("quantity")
        quantity, memo = self._memo(values, lambda v: parser._amount(v) if v else 1)
        self._refuse(values, {v for v, q in memo.items() if q is None or not 0 < q < 1000})
        return [applied_at, amount, *dates, quantity]

    def _words(self) -> list[list[Any]]:
        """status, payment_method, one_stop, receipt_wish, in the profile's words."""
        out = []
        for name, final in (("status", lambda w: w or "unpaid"), ("payment_method", lambda w: w or ""),
                            ("one_stop", lambda w: w == "true"), ("receipt_wish", lambda w: w != "false")):
            words, default = self.parser.words[name], self.parser.defaults.get(name)
            values = self.get(name)
            mapped, memo = self._memo(values, lambda v, words=words, default=default: words.get(v) if v else default)
            self._refuse(values, {v for v, w in memo.items() if v and w is None})
            out.append(self._memo(mapped, final)[0])
        return out

    def _person(self) -> list[list[str]]:
        """name, kana, phone, email, address, gift_code, gift_name, notes, use (as `_person`)."""
        return [nz.display_names(self.get("name")), nz.display_kanas(self.get("kana")),
                nz.nfkc_column(self.get("phone")), nz.nfkc_column(self.get("email")),
                nz.clean_addresses(self.get("address")), nz.nfkc_column(self.get("gift_code")),
                nz.nfkc_column(self.get("gift_name")), self.get("notes"), nz.nfkc_column(self.get("use"))]

    def _derived(self, columns: list[list[Any]], digits: list[str]) -> list[list[Any]]:
        """prefecture, applied_on, keys: what `parse` derives for a good row."""
        at = _AT
        address = columns[at["address"]]
        areas = nz.postal_areas(digits)
        prefecture = [a.prefecture if a else nz.prefecture_of(text) for a, text in zip(areas, address, strict=True)]
        applied_on = [a.date() if a else None for a in columns[at["applied_at"]]]
        # (postal_digits of its own digits: the same digits, which are ASCII but for odd input)
        zipped = digits if "".join(digits).isascii() else nz.postal_digits_column(digits)
        keys = nz.keys_column(nz.kana_keys(columns[at["kana"]]), columns[at["birth_date"]],
                              nz.phone_digits_column(columns[at["phone"]]), zipped, nz.address_keys(address))
        return [prefecture, applied_on, keys]



# --- chunks ----------------------------------------------------------------------------------

# Chunks are parsed in this process. Worker processes (as before) do not pay on the 2 cores the
# office has (measured, issue 22): pickling a parsed chunk there and back costs 34-41 µs a row
# against 50-58 µs to parse it, and a 60,000-row file went at 1,000-1,500 rows/s with a worker
# against 3,300-3,600 without, on a loaded machine; the second core is the database server's.


@dataclass
class ParsedChunk:
    rows: int
    good: list[tuple[int, dict[str, Any]]]
    issues: list[Issue]
    last_row: int = 0  # the file's line number the chunk ends on (for progress)


def parse_chunk(parser: RowParser, rules: suspects.RuleContext, chunk: list[tuple[int, list[str]]]) -> ParsedChunk:
    """Parse and normalise a chunk's rows and run the suspect rules on the good ones (which
    need nothing from the database). Blank lines (often the last one) are not rows."""
    # (a row whose first cell has text is not blank: most rows, without joining them)
    rows = [item for item in chunk if item[1] and item[1][0].strip() or "".join(item[1]).strip()]
    good, issues = parser.parse_rows(rows)
    for (_, rec), flags in zip(good, suspects.evaluate_many([rec for _, rec in good], rules), strict=True):
        rec["suspects"] = flags
    return ParsedChunk(len(rows), good, issues, chunk[-1][0] if chunk else 0)


def parsed_chunks(parser: RowParser, rules: suspects.RuleContext,
                  chunks: Iterator[list[tuple[int, list[str]]]]) -> Iterator[ParsedChunk]:
    """Every chunk parsed, in file order. A file that cannot be read further (ImportRefused from
    decoding or CSV) raises when its bad chunk is reached, after every chunk before it."""
    for chunk in chunks:
        yield parse_chunk(parser, rules, chunk)
