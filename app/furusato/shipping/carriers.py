"""The carrier's CSV (issue 18 §3): each carrier is a profile, a list of columns with the width
the carrier's import takes. The default is Yamato B2クラウド's 外部データ取込 basic layout:
Shift_JIS, CRLF, a header row; lengths counted in Shift_JIS bytes (a full-width character is
two), full-width-only fields converted to full width (jaconv), half-width-only fields to half
width. A value too long for its field is refused naming the line and the field, except the
address, whose overflow goes into the building field as B2's own screen does.

The layout below follows the issue's list (お客様管理番号; 送り状種別 0 発払 / 2 コレクト /
7 ネコポス / 8 宅急便コンパクト; クール区分 0 / 1 冷凍 / 2 冷蔵; 伝票番号 blank on import;
YYYY/MM/DD dates; 配達時間帯 0812 … 2021). The byte lengths are those of B2クラウド's published
layout as we know it; they were not checked against the current PDF of the layout (report).
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
class CarrierProfile:
    code: str
    name: str
    columns: tuple[Column, ...]
    encoding: str = ENCODING
    newline: str = "\r\n"
    header: bool = True


def _ymd(day: object) -> str:
    return day.strftime("%Y/%m/%d") if day else ""  # type: ignore[attr-defined]


def _band(line: ShipmentLine) -> str:
    return str(line.time_band.value) if hasattr(line.time_band, "value") else str(line.time_band or "")


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
))
PROFILES = {YAMATO_B2.code: YAMATO_B2}


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
    if "お届け先住所" in values:  # the address runs on into the building field
        head, rest = cut(values["お届け先住所"], by_header["お届け先住所"].max_bytes, profile.encoding)
        values["お届け先住所"] = head
        values["お届け先アパートマンション名"] = rest + values["お届け先アパートマンション名"]
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


def export_b2(run: OrderRun, run_lines: list[ShipmentLine], *, by: User | None, username: str | None = None) -> bytes:
    """The run's B2クラウド file, its export audited (it carries the donors' addresses)."""
    data = carrier_csv(run, run_lines)
    audit.record("export", "furusato_order_run", run.id, f"B2クラウド取込データ {len(run_lines)}件", by=by,
                 **({"username": username} if username else {}))
    return data
