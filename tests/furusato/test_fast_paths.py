"""The import's fast paths give exactly what the straightforward versions give.

`reference` keeps the functions as they were before they were rewritten for speed (translation
tables instead of regex substitutions and per-call jaconv, one fold of the address for two
rules); these tests compare the two on generated text and on every code point that matters.
"""

from __future__ import annotations

import csv
import functools
import io
import sys
from datetime import date, datetime
from typing import Any

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.furusato import imports, profiles, suspects
from app.furusato import normalize as nz
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import GIFTS, Generator, portal_bytes
from tests.furusato import reference as ref

# Text that looks like what portals send: kana of every width and kind, kanji numerals, dashes,
# separators, digits of every width, marks like 丁目 and 番地, and anything else Unicode has.
_PIECES = ["丁目", "番地", "番", "号", "の", "十", "二十三", "〇", "一", "県", "市", "郡", "区", "町",
           "東京都", "北海道", "大阪府", "西磐井郡平泉町", "平泉", "札幌市中央区", "+81", "-", "－", "ｰ", "ー",
           "・", "･", "、", "，", ".", "\u3000", " ", "\t", "\n", "ﾞ", "\u3099", "ゐ", "ゔ", "ヴ", "ｳﾞ",
           "しょうへい", "ｼｮｳﾍｲ", "ショウヘイ", "１２３", "123", "①", "²", "٣"]
_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(_CHARS, max_size=3),
                          st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),
                          st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF)),
                max_size=12).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_text_folds_are_identical(text: str) -> None:
    assert nz.kana_key(text) == ref.kana_key(text)
    assert nz.display_kana(text) == ref.display_kana(text)
    assert nz.name_key(text) == ref.name_key(text)
    assert nz.display_name(text) == ref.display_name(text)
    assert nz.address_key(text) == ref.address_key(text)
    assert nz.clean_address(text) == ref.clean_address(text)
    assert nz.phone_digits(text) == ref.phone_digits(text)
    assert nz.postal_digits(text) == ref.postal_digits(text)


@settings(max_examples=1000, deadline=None)
@given(TEXT, st.sampled_from([nz.PostalArea("岩手県", "西磐井郡平泉町"), nz.PostalArea("北海道", "札幌市中央区"),
                              nz.PostalArea("東京都", "千代田区"), nz.PostalArea("大阪府", "大阪市北区")]))
def test_address_fit_is_identical(address: str, area: nz.PostalArea) -> None:
    assert nz.address_fits_area(address, area) == ref.address_fits_area(address, area)
    assert nz.address_fits_area(area.prefecture + address, area) == ref.address_fits_area(area.prefecture + address,
                                                                                          area)


@settings(max_examples=1000, deadline=None)
@given(TEXT, st.one_of(st.none(), st.dates()), TEXT, st.one_of(TEXT, st.sampled_from(["029-4102", "1000001"])), TEXT)
def test_match_keys_are_identical(kana: str, birth: date | None, phone: str, postal: str, address: str) -> None:
    new, old = nz.match_keys(kana, birth, phone, postal, address), ref.match_keys(kana, birth, phone, postal, address)
    assert tuple(new) == (old.kana, old.birth, old.phone, old.address, old.postal, old.phone_only)


def test_the_tables_fold_every_code_point_as_the_patterns_and_jaconv_do() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert (ref._SPACES.fullmatch(ch) is not None) == (code in nz._DROP_SPACES), hex(code)
        assert ch.translate(nz._HIRA2KATA) == jaconv.hira2kata(ch), hex(code)


CTX = suspects.RuleContext(suspects.HomeArea("岩手県", "西磐井郡平泉町", ("02941",)), {c: (n, a) for c, n, a in GIFTS},
                           ("name", "kana", "postal_code", "address", "phone"))


@pytest.mark.parametrize("home", [True, False])
def test_suspect_rules_are_identical_on_generated_donations(home: bool) -> None:
    ctx = CTX if home else suspects.RuleContext(None, CTX.gifts_by_code, ())
    for d in Generator(seed=11).donations(3000, repeat=0.1, bad=0):
        p = d.person
        rec = {"postal_code": p.postal_code, "address": f"{p.prefecture}{p.city}{p.street}", "gift_code": d.gift_code,
               "gift_name": d.gift_name, "quantity": d.quantity, "amount": d.amount, "one_stop": d.one_stop,
               "birth_date": p.birth_date, "name": p.family, "kana": p.family_kana, "phone": p.phone}
        assert suspects.evaluate(rec, ctx) == ref.evaluate(rec, ctx)
        assert ctx.home is None or ctx.home.contains(p.postal_code, rec["address"]) == ref.home_contains(
            ctx.home, p.postal_code, rec["address"])


@settings(max_examples=500, deadline=None)
@given(TEXT, st.sampled_from(["", "029-4102", "0294102", "100-0001", "999-9999", "123", "０２９４１０２"]),
       st.sampled_from(["", "YB-001", "NOPE"]), st.integers(1, 100_000), st.booleans())
def test_suspect_rules_are_identical_on_odd_input(address: str, postal: str, gift: str, amount: int,
                                                  one_stop: bool) -> None:
    rec = {"postal_code": postal, "address": address, "gift_code": gift, "gift_name": "", "quantity": 1,
           "amount": amount, "one_stop": one_stop, "birth_date": None, "name": "x", "kana": "", "phone": ""}
    assert suspects.evaluate(rec, CTX) == ref.evaluate(rec, CTX)


def _same(fast: tuple[Any, Any], plain: tuple[Any, Any]) -> bool:
    """Parser results compare equal, the match keys (a NamedTuple now, a dataclass before) by value."""
    (rec, issues), (plain_rec, plain_issues) = fast, plain
    if rec is not None and plain_rec is not None:
        rec = {**rec, "keys": tuple(rec["keys"])}
        plain_rec = {**plain_rec, "keys": tuple(vars(plain_rec["keys"]).values())}
    return (rec, issues) == (plain_rec, plain_issues)


@pytest.mark.parametrize("code", sorted(file_profiles()))
def test_row_parser_is_identical_on_every_portal_layout(code: str) -> None:
    profile = file_profiles()[code]
    data = portal_bytes(profile, list(Generator(seed=5).donations(1500, repeat=0.1, bad=0.2)), "utf-8")
    rows = list(csv.reader(io.StringIO(data.decode()), delimiter=profile.delimiter))
    header = [imports.clean_header(c) for c in rows[0]]
    fast, plain = imports.RowParser(profile, header), ref.RowParser(profile, header)
    for row_no, row in enumerate(rows[1:], start=2):
        assert _same(fast.parse(row, row_no), plain.parse(row, row_no))
    # Rows with cells in the wrong place, wrong widths and odd words.
    odd = rows[1][:]
    for i in range(len(odd)):
        for value in ("", "  ", "abc", "１２,０００円", "2026/13/01", "99999999999", "true", "保留中"):
            changed = [*odd[:i], value, *odd[i + 1:]]
            assert _same(fast.parse(changed, 9), plain.parse(changed, 9))
    assert _same(fast.parse(odd[:-1], 3), plain.parse(odd[:-1], 3))


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=25, max_size=25))
def test_row_parser_is_identical_on_any_cells(cells: list[str]) -> None:
    profile = file_profiles()["choice"]
    header = profile.headers() + ["寄附の使い道"]
    row = (cells + [""] * len(header))[:len(header)]
    assert _same(imports.RowParser(profile, header).parse(row, 2), ref.RowParser(profile, header).parse(row, 2))


# --- the chunk parser, column by column ----------------------------------------------------

_ODD_CELLS = ["", "  ", "abc", "１２,０００円", "2026/13/01", "2026/02/30", "2026-04-01T10:00:00+09:00", "99999999999",
              "0", "1000", "999", "true", "false", "保留中", "\x00", "a\x00b", "x" * 301, "ｼｮｳﾍｲ　ﾀﾛｳ", "〒029-4102",
              "+81 90-1234-5678", "岩手県西磐井郡平泉町平泉字十日市一丁目2番3号", "二十3番4号", "YB-001", "1号号"]
_CELL = st.one_of(TEXT, st.sampled_from(_ODD_CELLS))


@functools.cache
def _portal_rows(code: str) -> tuple[list[str], list[list[str]]]:
    profile = file_profiles()[code]
    data = portal_bytes(profile, list(Generator(seed=7).donations(60, repeat=0.2, bad=0.2)), "utf-8")
    rows = list(csv.reader(io.StringIO(data.decode()), delimiter=profile.delimiter))
    return [imports.clean_header(c) for c in rows[0]], rows[1:]


def _reference_chunk(profile: Any, header: list[str], chunk: list[tuple[int, list[str]]],
                     ctx: suspects.RuleContext) -> tuple[list[Any], list[Any]]:
    """What the row-by-row reference gives for a chunk: good rows with their flags, and issues."""
    parser, good, issues = ref.RowParser(profile, header), [], []
    for row_no, row in chunk:
        if not any(cell.strip() for cell in row):
            continue
        rec, found = parser.parse(row, row_no)
        issues += found
        if rec is not None:
            rec = {**rec, "keys": tuple(vars(rec["keys"]).values()), "suspects": ref.evaluate(rec, ctx)}
            good.append((row_no, rec))
    return good, issues


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(file_profiles())),
       st.lists(st.tuples(st.integers(0, 59), st.integers(0, 40), _CELL), max_size=40),
       st.lists(st.tuples(st.integers(0, 59), st.sampled_from(["short", "long", "blank", "spaces"])), max_size=4),
       st.booleans())
def test_the_chunk_parser_gives_what_the_reference_gives_row_by_row(
        code: str, edits: list[tuple[int, int, str]], reshapes: list[tuple[int, str]], home: bool) -> None:
    """Every portal's layout, good rows and bad rows of every kind (missing, unreadable and
    out-of-range values, unknown words, NUL, too long, wrong widths, blank lines): the same
    records, flags and issues, in the same order, as the reference parses them one by one."""
    profile = file_profiles()[code]
    header, body = _portal_rows(code)
    body = [row[:] for row in body]
    for r, c, value in edits:
        body[r][c % len(header)] = value
    for r, shape in reshapes:
        body[r] = {"short": body[r][:-1], "long": [*body[r], "x"], "blank": [""] * len(header),
                   "spaces": [" "] * len(header)}[shape]
    ctx = suspects.RuleContext(CTX.home if home else None, CTX.gifts_by_code, profile.expected)
    chunk = list(enumerate(body, start=2))
    parsed = imports.parse_chunk(imports.RowParser(profile, header), ctx, chunk)
    good, issues = _reference_chunk(profile, header, chunk, ctx)
    assert [(n, {**rec, "keys": tuple(rec["keys"])}) for n, rec in parsed.good] == good
    assert parsed.issues == issues
    assert parsed.rows == sum(1 for _, row in chunk if any(c.strip() for c in row))
    assert parsed.last_row == chunk[-1][0]


@settings(max_examples=500, deadline=None)
@given(st.lists(_CELL, max_size=12))
def test_column_folds_are_the_cell_folds(cells: list[str]) -> None:
    assert nz.nfkc_column(cells) == [ref.nfkc(c) for c in cells]
    assert nz.display_names(cells) == [ref.display_name(c) for c in cells]
    assert nz.display_kanas(cells) == [ref.display_kana(c) for c in cells]
    assert nz.clean_addresses(cells) == [ref.clean_address(c) for c in cells]
    assert nz.kana_keys(cells) == [ref.kana_key(c) for c in cells]
    assert nz.address_keys(cells) == [ref.address_key(c) for c in cells]
    assert nz.fold_addresses(cells) == [nz.fold_address(c) for c in cells]
    assert nz.phone_digits_column(cells) == [ref.phone_digits(c) for c in cells]


_DATETIMES = st.one_of(TEXT, st.datetimes(datetime(1999, 1, 1), datetime(2031, 1, 1)).map(str),
                       st.sampled_from(["2026/02/30 10:00:00", "2026/04/01 24:00:00", "2026/4/1 9:05:07",
                                        "2026/04/01 10:00:60", "２０２６/04/01 10:00:00", "2026/04/01 10:00:00+09:00"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(_DATETIMES.map(lambda v: v.replace("-", "/", 2) if v[:1] == "2" else v), max_size=8),
       st.lists(_DATETIMES, max_size=8))
def test_a_column_of_times_is_read_as_each_time_is(slashed: list[str], dashed: list[str]) -> None:
    for code in ("choice", "rakuten", "mynavi", "amazon"):
        formats = file_profiles()[code].datetime_formats
        for values in (slashed, dashed):
            assert profiles.parse_datetimes(values, formats) == [
                ref.parse_datetime(v, formats) if v else None for v in values]


# --- postal codes, looked up per code ---------------------------------------------------------

_SOME_CODES = sorted(ref._postal_table())[::997]
_CODES = st.one_of(st.sampled_from(_SOME_CODES), st.sampled_from(["0218501", "1008994", "0000000", "9999999", "",
                                                                  "029410", "02941022", "٣٣٣٣٣٣٣", "0294102"]),
                   st.text("0123456789", min_size=7, max_size=7))


@settings(max_examples=300, deadline=None)
@given(st.lists(_CODES, max_size=30), st.booleans())
def test_postal_codes_looked_up_per_code_are_the_whole_table(codes: list[str], forget: bool) -> None:
    """Every code, an office's own, codes that do not exist, of the wrong length, asked one at a
    time or a column at once, remembered or not yet: what the whole table read up front said."""
    if forget:
        nz._AREAS.clear()
    expected = [ref.postal_area_of_table(c) for c in codes]
    assert nz.postal_areas(codes) == expected
    assert [nz.postal_area(c) for c in codes] == expected
    nz._AREAS.clear()
    assert [nz.postal_area(c) for c in codes] == expected
    assert nz.postal_areas(codes) == expected


def test_every_postal_code_is_found() -> None:
    table = ref._postal_table()
    assert nz.postal_areas(list(table)) == list(table.values())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.just(""), TEXT), st.one_of(st.none(), st.dates()),
                          st.one_of(TEXT, st.sampled_from(["0191234567", "09012345678", "123"])),
                          st.one_of(TEXT, st.sampled_from(["0294102", "029410", "", "0294102x"])),
                          st.one_of(st.just(""), TEXT)), max_size=12))
def test_match_keys_of_a_column_are_the_keys_of_each_row(rows: list[tuple[str, date | None, str, str, str]]) -> None:
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], [], [], []]
    keys = nz.keys_column(*columns)
    assert keys == [nz.keys_of(*row) for row in rows]
    assert all(type(k) is nz.MatchKeys for k in keys)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_CELL, st.sampled_from(["029-4102", "0294102", "〒029-4102", "０２９－４１０２"])),
                max_size=12))
def test_postal_digits_of_a_column_are_each_cells(cells: list[str]) -> None:
    assert nz.postal_digits_column(cells) == [ref.postal_digits(c) for c in cells]


_DATES = st.one_of(TEXT, st.dates(date(1899, 1, 1), date(2100, 12, 31)).map(str),
                   st.dates(date(1899, 1, 1), date(2100, 12, 31)).map(lambda d: f"{d:%Y/%m/%d}"),
                   st.sampled_from(["2026/02/30", "2026-02-29", "2024/02/29", "2026/13/01", "2026/4/1", "2026/04/1",
                                    "0000/01/01", "２０２６/04/01", "2026/04/01 10:00:00", "20260401", "2026年4月1日",
                                    "2026-04-01T10:00:00+09:00", " 2026/04/01", ""]))


@settings(max_examples=500, deadline=None)
@given(st.sets(_DATES, max_size=10))
def test_a_column_of_dates_is_read_as_each_date_is(values: set[str]) -> None:
    for code in sorted(file_profiles()):
        profile = file_profiles()[code]
        formats = profile.date_formats + profile.datetime_formats
        assert imports.parsing.read_dates(values, formats, lambda v, f=formats: ref.parse_date(v, f)) == {
            v: ref.parse_date(v, formats) if v else None for v in values}


def test_postal_codes_asked_for_by_code_are_those_of_the_whole_table() -> None:
    codes = [*_SOME_CODES, "0000000", "0218501", "٣٣٣٣٣٣٣"]
    some = nz._some_codes(codes)
    whole = nz._whole_table()
    assert some == {c: whole[c] for c in codes if c in whole} == {c: ref._postal_table()[c] for c in codes
                                                                   if c in ref._postal_table()}
