"""The carrier's CSV (issue 18 §3): each carrier is a profile, a list of columns with the width
the carrier's import takes, its codes for the cool class and the time bands, the fields an
address runs on into, and the headers of its shipment history file (the tracking import).
Adding a carrier is adding a profile here, never code per carrier. Lengths are counted in
Shift_JIS bytes (a full-width character is two); full-width-only fields are converted to full
width (jaconv), half-width-only fields to half width. A value too long for its field is refused
naming the line and the field, except the address, which runs on into the next address field
as the carriers' own screens do.

The default is Yamato B2クラウド's 外部データ取込 basic layout, after the issue's list
(お客様管理番号; 送り状種別 0 発払 / 2 コレクト / 7 ネコポス / 8 宅急便コンパクト; クール区分 0 / 1 冷凍 /
2 冷蔵; 伝票番号 blank on import; YYYY/MM/DD dates; 配達時間帯 0812 … 2021). The byte lengths are
those of B2クラウド's published layout as we know it; not checked against Yamato's current PDF.

The other profiles — 日本郵便 ゆうパックプリントR (外部データ取込, with the import filter set to skip
the header row) and 佐川急便 e飛伝 (the standard 出荷データ CSV with a header row) — follow
third-party descriptions of those layouts (shop-system manuals of 2014–2016); their field order,
lengths and codes were NOT verified against Japan Post's or Sagawa's current documents: check
them with the carrier before the first real file (report). Not verified in particular: ゆうプリR's
配達時間帯 codes 51–56 and e飛伝's クール便指定 codes 001–003.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import jaconv

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.furusato.gifts.models import Supplier
from app.furusato.models import ShippingClass
from app.furusato.services import FurusatoError
from app.furusato.shipping.models import OrderRun, ShipmentLine

ENCODING = "cp932"
# 送り状種別 and クール区分 codes of B2クラウド.
SLIP_PREPAID, SLIP_COLLECT, SLIP_NEKOPOS, SLIP_COMPACT = "0", "2", "7", "8"
COOL_CODES = {ShippingClass.ambient: "0", ShippingClass.frozen: "1", ShippingClass.chilled: "2"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ShipmentLine, OrderRun, Supplier], str]
    max_bytes: int
    width: str = "any"  # "full", "half" or "any"


@dataclass(frozen=True)
class TrackingLayout:
    """The headers of a carrier's shipment history file, each with the names it goes by."""

    reference: tuple[str, ...]
    number: tuple[str, ...]
    shipped_on: tuple[str, ...]


@dataclass(frozen=True)
class CarrierProfile:
    code: str
    name: str
    columns: tuple[Column, ...]
    tracking: TrackingLayout
    address_fields: tuple[tuple[str, ...], ...] = ()  # each address runs on from a field into the next
    encoding: str = ENCODING
    newline: str = "\r\n"
    header: bool = True


def _ymd(day: object) -> str:
    return day.strftime("%Y/%m/%d") if day else ""  # type: ignore[attr-defined]


def _compact(day: object) -> str:
    return day.strftime("%Y%m%d") if day else ""  # type: ignore[attr-defined]


def _band(line: ShipmentLine) -> str:
    """The line's time band as stored: B2クラウド's own codes (TimeBand)."""
    return str(line.time_band.value) if hasattr(line.time_band, "value") else str(line.time_band or "")


def _band_as(codes: dict[str, str]) -> Callable[[ShipmentLine, OrderRun, Supplier], str]:
    return lambda line, run, s: codes.get(_band(line), "")


def _cool_as(codes: dict[ShippingClass, str]) -> Callable[[ShipmentLine, OrderRun, Supplier], str]:
    return lambda line, run, s: codes[line.gift.shipping_class]


def _blank(line: ShipmentLine, run: OrderRun, s: Supplier) -> str:
    return ""


def _item(line: ShipmentLine) -> str:
    return f"{line.gift.name}" + (f" ×{line.quantity}" if line.quantity > 1 else "")


YAMATO_B2 = CarrierProfile("yamato_b2", "ヤマト運輸 B2クラウド", (
    Column("お客様管理番号", lambda line, run, s: f"L{line.id}", 50, "half"),
    Column("送り状種別", lambda line, run, s: SLIP_PREPAID, 1, "half"),
    Column("クール区分", lambda line, run, s: COOL_CODES[line.gift.shipping_class], 1, "half"),
    Column("伝票番号", lambda line, run, s: "", 12, "half"),
    Column("出荷予定日", lambda line, run, s: _ymd(run.ship_on), 10, "half"),
    Column("お届け予定日", lambda line, run, s: _ymd(line.wish_date), 10, "half"),
    Column("配達時間帯", lambda line, run, s: _band(line), 4, "half"),
    Column("お届け先コード", lambda line, run, s: "", 20, "half"),
    Column("お届け先電話番号", lambda line, run, s: line.phone, 15, "half"),
    Column("お届け先電話番号枝番", lambda line, run, s: "", 2, "half"),
    Column("お届け先郵便番号", lambda line, run, s: line.postal_code, 8, "half"),
    Column("お届け先住所", lambda line, run, s: line.address, 64, "full"),
    Column("お届け先アパートマンション名", lambda line, run, s: line.building, 32, "full"),
    Column("お届け先会社・部門１", lambda line, run, s: "", 50, "full"),
    Column("お届け先会社・部門２", lambda line, run, s: "", 50, "full"),
    Column("お届け先名", lambda line, run, s: line.name, 32, "full"),
    Column("お届け先名(ｶﾅ)", lambda line, run, s: "", 50, "half"),
    Column("敬称", lambda line, run, s: "様", 4, "full"),
    Column("ご依頼主コード", lambda line, run, s: "", 20, "half"),
    Column("ご依頼主電話番号", lambda line, run, s: s.phone, 15, "half"),
    Column("ご依頼主電話番号枝番", lambda line, run, s: "", 2, "half"),
    Column("ご依頼主郵便番号", lambda line, run, s: s.postal_code, 8, "half"),
    Column("ご依頼主住所", lambda line, run, s: s.address, 64, "full"),
    Column("ご依頼主アパートマンション", lambda line, run, s: "", 32, "full"),
    Column("ご依頼主名", lambda line, run, s: s.name, 32, "full"),
    Column("ご依頼主名(ｶﾅ)", lambda line, run, s: "", 50, "half"),
    Column("品名コード１", lambda line, run, s: line.gift.code, 30, "half"),
    Column("品名１", lambda line, run, s: _item(line), 50, "full"),
    Column("品名コード２", lambda line, run, s: "", 30, "half"),
    Column("品名２", lambda line, run, s: "ふるさと納税返礼品", 50, "full"),
    Column("荷扱い１", lambda line, run, s: "", 20, "full"),
    Column("荷扱い２", lambda line, run, s: "", 20, "full"),
    Column("記事", lambda line, run, s: f"寄附 {line.reference}"[:20], 44, "any"),
), TrackingLayout(("お客様管理番号",), ("伝票番号",), ("出荷日", "出荷予定日")),
    (("お届け先住所", "お届け先アパートマンション名"), ("ご依頼主住所", "ご依頼主アパートマンション")))

# ゆうパックプリントR: 郵便種別 0 ゆうパック; 保冷種別 0 保冷なし / 1 チルド / 2 冷凍; 元着区分 0 元払い;
# dates yyyymmdd; 配達時間帯 00 指定なし and 51 午前中 … (not verified, see above).
YUPRI_COOL = {ShippingClass.ambient: "0", ShippingClass.chilled: "1", ShippingClass.frozen: "2"}
YUPRI_BANDS = {"0812": "51", "1214": "52", "1416": "53", "1618": "54", "1820": "55", "2021": "56"}
JAPANPOST_YUPRI = CarrierProfile("japanpost_yupri", "日本郵便 ゆうパックプリントR", (
    Column("お客様側管理番号", lambda line, run, s: f"L{line.id}", 15, "half"),
    Column("発送予定日", lambda line, run, s: _compact(run.ship_on), 8, "half"),
    Column("発送予定時間区分", _blank, 2, "half"),
    Column("郵便種別", lambda line, run, s: "0", 1, "half"),
    Column("保冷種別", _cool_as(YUPRI_COOL), 1, "half"),
    Column("元着区分", lambda line, run, s: "0", 1, "half"),
    Column("お届け先郵便番号", lambda line, run, s: line.postal_code, 8, "half"),
    Column("お届け先住所1", lambda line, run, s: line.address, 50, "full"),
    Column("お届け先住所2", _blank, 50, "full"),
    Column("お届け先住所3", lambda line, run, s: line.building, 50, "full"),
    Column("お届け先名称1", lambda line, run, s: line.name, 50, "full"),
    Column("お届け先名称2", _blank, 50, "full"),
    Column("お届け先敬称", lambda line, run, s: "様", 4, "full"),
    Column("お届け先電話番号", lambda line, run, s: line.phone, 15, "half"),
    Column("ご依頼主郵便番号", lambda line, run, s: s.postal_code, 8, "half"),
    Column("ご依頼主住所1", lambda line, run, s: s.address, 50, "full"),
    Column("ご依頼主名称1", lambda line, run, s: s.name, 50, "full"),
    Column("ご依頼主電話番号", lambda line, run, s: s.phone, 15, "half"),
    Column("品名", lambda line, run, s: _item(line), 50, "full"),
    Column("配達希望日", lambda line, run, s: _compact(line.wish_date), 8, "half"),
    Column("配達時間帯", lambda line, run, s: YUPRI_BANDS.get(_band(line), "00"), 2, "half"),
    Column("記事", lambda line, run, s: f"寄附 {line.reference}"[:20], 60, "any"),
), TrackingLayout(("お客様側管理番号",), ("お問い合わせ番号", "お問合せ番号", "追跡番号"), ("差出日", "発送予定日")),
    (("お届け先住所1", "お届け先住所2", "お届け先住所3"),))

# e飛伝: 便種(スピード) 000 飛脚宅配便; 元着区分 1 元払; 荷姿 001 箱類; クール便指定 001 指定なし /
# 002 冷蔵 / 003 冷凍 (not verified); 配達指定時間帯 01 午前中, 12, 14, 16, 18 and 19 (19時～21時,
# the band that holds B2's 20–21); 16 characters (32 bytes) per address and name field.
SAGAWA_COOL = {ShippingClass.ambient: "001", ShippingClass.chilled: "002", ShippingClass.frozen: "003"}
SAGAWA_BANDS = {"0812": "01", "1214": "12", "1416": "14", "1618": "16", "1820": "18", "2021": "19"}
SAGAWA_EHIDEN = CarrierProfile("sagawa_ehiden", "佐川急便 e飛伝", (
    Column("住所録コード", _blank, 12, "half"),
    Column("お届け先電話番号", lambda line, run, s: line.phone, 14, "half"),
    Column("お届け先郵便番号", lambda line, run, s: line.postal_code, 8, "half"),
    Column("お届け先住所1", lambda line, run, s: line.address, 32, "full"),
    Column("お届け先住所2", _blank, 32, "full"),
    Column("お届け先住所3", lambda line, run, s: line.building, 32, "full"),
    Column("お届け先名称1", lambda line, run, s: line.name, 32, "full"),
    Column("お届け先名称2", _blank, 32, "full"),
    Column("お客様管理ナンバー", lambda line, run, s: f"L{line.id}", 16, "half"),
    Column("お客様コード", _blank, 12, "half"),
    Column("ご依頼主電話番号", lambda line, run, s: s.phone, 14, "half"),
    Column("ご依頼主郵便番号", lambda line, run, s: s.postal_code, 8, "half"),
    Column("ご依頼主住所1", lambda line, run, s: s.address, 32, "full"),
    Column("ご依頼主住所2", _blank, 32, "full"),
    Column("ご依頼主名称1", lambda line, run, s: s.name, 32, "full"),
    Column("荷姿コード", lambda line, run, s: "001", 3, "half"),
    Column("品名1", lambda line, run, s: _item(line), 32, "full"),
    Column("品名2", lambda line, run, s: f"寄附 {line.reference}"[:16], 32, "full"),  # a note: cut to fit
    Column("出荷個数", lambda line, run, s: "1", 3, "half"),
    Column("便種（スピード）", lambda line, run, s: "000", 3, "half"),
    Column("クール便指定", _cool_as(SAGAWA_COOL), 3, "half"),
    Column("配達日", lambda line, run, s: _compact(line.wish_date), 8, "half"),
    Column("配達指定時間帯", _band_as(SAGAWA_BANDS), 2, "half"),
    Column("元着区分", lambda line, run, s: "1", 1, "half"),
    Column("出荷日", lambda line, run, s: _compact(run.ship_on), 8, "half"),
), TrackingLayout(("お客様管理ナンバー", "お客様管理番号"), ("お問合せ送り状No.", "お問い合せ送り状NO", "送り状番号"),
                  ("出荷日",)),
    (("お届け先住所1", "お届け先住所2", "お届け先住所3"), ("ご依頼主住所1", "ご依頼主住所2")))

PROFILES = {p.code: p for p in (YAMATO_B2, JAPANPOST_YUPRI, SAGAWA_EHIDEN)}
DEFAULT = YAMATO_B2.code


def profile(code: str | None) -> CarrierProfile | None:
    return PROFILES.get(code or "")


def choices() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in PROFILES.values()]


def byte_length(text: str, encoding: str = ENCODING) -> int:
    return len(text.encode(encoding, errors="replace"))


def to_width(text: str, width: str) -> str:
    if width == "full":
        return jaconv.h2z(text, kana=True, ascii=True, digit=True)
    if width == "half":
        return jaconv.z2h(text, kana=True, ascii=True, digit=True)
    return text


def cut(text: str, max_bytes: int, encoding: str = ENCODING) -> tuple[str, str]:
    """`text` split at the last character that fits in `max_bytes` (never inside a character)."""
    size = 0
    for index, char in enumerate(text):
        size += byte_length(char, encoding)
        if size > max_bytes:
            return text[:index], text[index:]
    return text, ""


def _row(profile: CarrierProfile, line: ShipmentLine, run: OrderRun, supplier: Supplier,
         problems: list[Problem]) -> list[str]:
    values = {c.header: to_width(c.value(line, run, supplier) or "", c.width) for c in profile.columns}
    by_header = {c.header: c for c in profile.columns}
    for chain in profile.address_fields:
        for here, after in zip(chain, chain[1:], strict=False):  # the address runs on into the next field
            head, rest = cut(values[here], by_header[here].max_bytes, profile.encoding)
            values[here], values[after] = head, rest + values[after]
    for column in profile.columns:
        value = values[column.header]
        try:
            value.encode(profile.encoding)
        except UnicodeEncodeError:
            problems.append(Problem(column.header, f"出荷明細 L{line.id}：{column.header}「{value}」に"
                                    "Shift_JISで書けない文字があります。"))
            continue
        if byte_length(value, profile.encoding) > column.max_bytes:
            problems.append(Problem(column.header, f"出荷明細 L{line.id}：{column.header}が長すぎます"
                                    f"（{profile.name}は半角{column.max_bytes}文字・"
                                    f"全角{column.max_bytes // 2}文字まで）。"))
    return [values[c.header] for c in profile.columns]


def carrier_csv(run: OrderRun, run_lines: list[ShipmentLine], profile: CarrierProfile = YAMATO_B2) -> bytes:
    """The carrier's import file of one run; refused, naming each line and field, when a value
    does not fit."""
    problems: list[Problem] = []
    rows = [_row(profile, line, run, run.supplier, problems) for line in run_lines]
    if problems:
        raise FurusatoError.of(problems, f"{profile.name}のファイルを作れません（{len(problems)}件）。")
    out = io.StringIO()
    w = csv.writer(out, lineterminator=profile.newline, quoting=csv.QUOTE_MINIMAL)
    if profile.header:
        w.writerow([c.header for c in profile.columns])
    w.writerows(rows)
    return out.getvalue().encode(profile.encoding)


def export_carrier(run: OrderRun, run_lines: list[ShipmentLine], profile: CarrierProfile, *, by: User | None,
                   username: str | None = None) -> bytes:
    """The run's file for a carrier, its export audited (it carries the donors' addresses)."""
    data = carrier_csv(run, run_lines, profile)
    audit.record("export", "furusato_order_run", run.id, f"{profile.name}取込データ {len(run_lines)}件", by=by,
                 **({"username": username} if username else {}))
    return data


def export_b2(run: OrderRun, run_lines: list[ShipmentLine], *, by: User | None, username: str | None = None) -> bytes:
    """The run's B2クラウド file."""
    return export_carrier(run, run_lines, YAMATO_B2, by=by, username=username)


def run_profile(run: OrderRun, code: str | None = None) -> CarrierProfile | None:
    """The profile a run's file is written in: the one chosen for this run, else the supplier's."""
    return profile(code) if code else (profile(run.supplier.carrier) or YAMATO_B2)
