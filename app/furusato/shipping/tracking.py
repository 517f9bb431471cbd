"""Tracking numbers back from the carrier (issue 18 §3): the carrier's shipment history CSV
(B2クラウド's 発行済データ: お客様管理番号 and 伝票番号, with the 出荷予定日; the other carriers'
headers are in their profiles, carriers.TrackingLayout) makes each ordered line 発送済 with
its number. The whole file or nothing: a row for an unknown line, a line not
ordered, or a row without a number is refused naming the row and field."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.services import FurusatoError
from app.furusato.shipping.carriers import YAMATO_B2, CarrierProfile
from app.furusato.shipping.models import LineState, ShipmentLine

MAX_BYTES = 10 * 1024 * 1024
_LINE = re.compile(r"L(\d{1,9})")
_TRACKING = re.compile(r"\d{10,12}")


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FurusatoError("ファイルの文字コードが読めません（Shift_JISまたはUTF-8）。", "file")


def _day(text: str) -> date | None:
    text = nz.nfkc(text).strip().replace("/", "-")
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _header(names: tuple[str, ...], header: list[str]) -> str | None:
    return next((name for name in names if name in header), None)


def import_tracking(data: bytes, by: User | None, profile: CarrierProfile = YAMATO_B2) -> int:
    """Record the tracking numbers of a shipment history file in `profile`'s layout; returns how
    many lines shipped."""
    if not data:
        raise FurusatoError("ファイルを選んでください。", "file")
    if len(data) > MAX_BYTES:
        raise FurusatoError("ファイルが大きすぎます（10MBまで）。", "file")
    reader = csv.DictReader(io.StringIO(_text(data)))
    header = list(reader.fieldnames or [])
    layout = profile.tracking
    ref_col, number_col = _header(layout.reference, header), _header(layout.number, header)
    if ref_col is None or number_col is None:
        raise FurusatoError(f"{profile.name}の出荷実績ファイルには、見出し行に「{layout.reference[0]}」と"
                            f"「{layout.number[0]}」の列が必要です。", "file")
    problems: list[Problem] = []
    found: list[tuple[ShipmentLine, str, date]] = []
    for number, row in enumerate(reader, start=2):
        reference = nz.nfkc(row.get(ref_col) or "").strip()
        tracking = re.sub(r"\D", "", nz.nfkc(row.get(number_col) or ""))
        match = _LINE.fullmatch(reference)
        line = db.session.get(ShipmentLine, int(match[1])) if match else None
        if line is None:
            problems.append(Problem("file", f"{number}行目：{ref_col}「{reference}」の出荷明細はありません。"))
            continue
        if not _TRACKING.fullmatch(tracking):
            typed = row.get(number_col) or ""
            problems.append(Problem("file", f"{number}行目：{number_col}「{typed}」が正しくありません。"))
            continue
        if line.state == LineState.shipped and line.tracking_number == tracking:
            continue  # the same file again
        if line.state != LineState.ordered:
            problems.append(Problem("file", f"{number}行目：出荷明細 L{line.id} は{line.state.label}です"
                                    "（発注済の明細だけに伝票番号を付けられます）。"))
            continue
        shipped = next((d for d in (_day(row.get(k) or "") for k in layout.shipped_on) if d), None)
        found.append((line, tracking, shipped or today()))
    if problems:
        raise FurusatoError.of(problems, f"出荷実績ファイルに{len(problems)}件の誤りがあります。"
                                         "何も取り込んでいません。")
    for line, tracking, shipped in found:
        line.state, line.tracking_number, line.shipped_on = LineState.shipped, tracking, shipped
    db.session.flush()
    if found:
        audit.record("update", "furusato_shipment_line", "list", f"伝票番号の取込 {len(found)}件", by=by)
    return len(found)

