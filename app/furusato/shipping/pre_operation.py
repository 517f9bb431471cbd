"""Donations received before the start of operation and shipped after it (004 §7(6)ク): the
previous contractor's list of gifts still to send is imported as open shipment lines (source
運用開始前の寄附), all rows or none, each problem named by its row and field. The in-city rule
applies to them as to any line. The page shows a preview first (every row, every problem named
by its row and field) and takes the file only whole; `flask furusato shipping pre-operation
FILE.csv` does the same without the browser."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.gifts import services as gifts
from app.furusato.models import Gift
from app.furusato.services import FurusatoError
from app.furusato.shipping import lines
from app.furusato.shipping.models import LineSource, LineState, ShipmentLine

COLUMNS = {"注文番号": "reference", "返礼品コード": "gift_code", "数量": "quantity", "お届け先氏名": "name",
           "郵便番号": "postal_code", "住所": "address", "建物名": "building", "電話番号": "phone",
           "メールアドレス": "email", "お届け希望日": "wish_date", "配達時間帯": "time_band"}
REQUIRED = ("注文番号", "返礼品コード", "お届け先氏名", "郵便番号", "住所")
MAX_BYTES = 5 * 1024 * 1024


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FurusatoError("ファイルの文字コードが読めません（UTF-8またはShift_JIS）。", "file")


@dataclass
class Preview:
    """What a file would make: the lines (not yet kept) and every problem, by row."""

    lines: list[ShipmentLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        return sum(line.state == LineState.blocked for line in self.lines)


def preview(data: bytes) -> Preview:
    """Read a file of open lines without keeping anything; a file that cannot be read at all
    (no file, wrong encoding, missing columns) is refused."""
    if not data or len(data) > MAX_BYTES:
        raise FurusatoError("ファイルを選んでください（5MBまで）。", "file")
    reader = csv.DictReader(io.StringIO(_decoded(data)))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise FurusatoError(f"見出し行に必要な列がありません：{'、'.join(missing)}", "file")
    problems: list[Problem] = []
    made: list[ShipmentLine] = []
    home = lines.home_area()
    gifts_by_code: dict[str, Gift | None] = {}
    for number, row in enumerate(reader, start=2):
        prefix = f"{number}行目："
        v = {target: nz.nfkc(row.get(name) or "") for name, target in COLUMNS.items()}
        if v["gift_code"] not in gifts_by_code:
            gifts_by_code[v["gift_code"]] = gifts.gift_by_code(v["gift_code"])
        gift = gifts_by_code[v["gift_code"]]
        found: list[Problem] = []
        if gift is None or gift.supplier_id is None:
            found.append(Problem("gift_code", f"{prefix}返礼品コード「{v['gift_code']}」は返礼品の一覧にないか、"
                                 "提供事業者が決まっていません。"))
        try:
            wish = date.fromisoformat(v["wish_date"].replace("/", "-")) if v["wish_date"] else None
        except ValueError:
            found.append(Problem("wish_date", f"{prefix}お届け希望日は YYYY-MM-DD で入力してください。"))
            wish = None
        ship_to = lines.ShipToInput(v["name"], v["postal_code"], v["address"], v["building"], v["phone"], wish,
                                    v["time_band"])
        found += lines.ship_to_problems(ship_to, prefix)
        quantity = int(v["quantity"]) if v["quantity"].isdigit() else (1 if not v["quantity"] else 0)
        if quantity < 1:
            found.append(Problem("quantity", f"{prefix}数量は1以上の数字で入力してください。"))
        problems += [Problem("file", p.message) for p in found]
        if found or gift is None:
            continue
        line = ShipmentLine(gift_id=gift.id, supplier_id=gift.supplier_id, quantity=quantity,
                            source=LineSource.pre_operation, reference=v["reference"], name=ship_to.name,
                            postal_code=nz.format_postal(nz.postal_digits(ship_to.postal_code)),
                            address=ship_to.address, building=ship_to.building, phone=ship_to.phone,
                            email=v["email"], wish_date=wish, time_band=ship_to.time_band, state=LineState.open)
        line.gift = gift
        lines.block_in_city(line, home)
        made.append(line)
    return Preview(made, problems)


def import_open_lines(data: bytes, by: User | None) -> list[ShipmentLine]:
    """Keep the file's lines, all of them or none (every problem named at once)."""
    found = preview(data)
    if found.problems:
        raise FurusatoError.of(found.problems, f"運用開始前の寄附のファイルに{len(found.problems)}件の誤りがあります。"
                                               "何も取り込んでいません。")
    made = found.lines
    db.session.add_all(made)
    db.session.flush()
    audit.record("create", "furusato_shipment_line", "list", f"運用開始前の寄附の出荷明細 {len(made)}件", by=by)
    return made
