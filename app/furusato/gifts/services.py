"""Suppliers and the gift master (issue 18 §1): who supplies what, under which undertakings, at
which price and cost; the 30% rule; the city's approval and the gift's states with history.

The 30% rule (返礼割合): the procurement cost of the gift for one donation, packing, delivery
and consumption tax included, is at most 30% of the donation — 004 §13(2) 「寄附1件あたりの
調達費は、当該寄附金額の3割を上限とし、梱包代等の諸経費並びに消費税及び地方消費税相当額を含む」,
and the designation standard of 地方税法第37条の2第2項 (its item number was not verified here)
with the 総務省告示 that 004 §7(9)ア names (平成31年総務省告示第179号 and its later amendments;
their article on the 30% was not verified here). The demo's local-product categories name
no article of the 告示 either.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.gifts import stock
from app.furusato.gifts.models import GiftEvent, Supplier, Undertaking, UndertakingKind
from app.furusato.models import Gift, GiftState, Portal, ShippingClass
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers
from app.staff.uploads import MAX_BYTES, content_type_of

RULE_30 = "返礼品の調達費は寄附金額の3割以下でなければなりません（仕様書 13(2)、地方税法第37条の2第2項）"
# What the city's decision allows from each state (004 §7(9)エ: the city decides gifts and prices).
TRANSITIONS: dict[GiftState, tuple[GiftState, ...]] = {
    GiftState.proposed: (GiftState.approved, GiftState.ended),
    GiftState.approved: (GiftState.listed, GiftState.ended),
    GiftState.listed: (GiftState.paused, GiftState.ended),
    GiftState.paused: (GiftState.listed, GiftState.ended),
    GiftState.ended: (),
}
CITY_STEPS = (GiftState.approved,)  # only city staff approve
ORDERABLE = (GiftState.approved, GiftState.listed)


def _name(by: User | None) -> str:
    return by.username if by is not None else "(system)"


# --- suppliers -------------------------------------------------------------------------------

@dataclass
class SupplierInput:
    code: str
    name: str
    postal_code: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    bank: str = ""
    order_weekdays: list[str] = field(default_factory=lambda: ["0", "3"])
    fewer_orders_approved: bool = False
    carrier: str = "yamato_b2"


def save_supplier(data: SupplierInput, by: User | None, supplier: Supplier | None = None) -> Supplier:
    """Add or change a supplier; every problem at once, nothing changed when refused."""
    problems: list[Problem] = []
    code = (data.code or "").strip()
    if not code:
        problems.append(Problem("code", "事業者コードを入力してください。"))
    elif db.session.scalar(select(Supplier.id).where(Supplier.code == code,
                                                     Supplier.id != (supplier.id if supplier else 0))):
        problems.append(Problem("code", f"事業者コード「{code}」は既に使われています。"))
    if not (data.name or "").strip():
        problems.append(Problem("name", "事業者名を入力してください。"))
    if data.postal_code and len(nz.postal_digits(data.postal_code)) != 7:
        problems.append(Problem("postal_code", "郵便番号は7桁の数字で入力してください。"))
    days = sorted({int(d) for d in data.order_weekdays if str(d).isdigit() and 0 <= int(d) <= 6})
    if len(days) < 2 and not data.fewer_orders_approved:
        problems.append(Problem("order_weekdays", "発注日は週2回以上にしてください（仕様書 7(6)イ）。"
                                "市が少ない回数を認めた事業者は「市承認の例外」を選んでください。"))
    if not days:
        problems.append(Problem("order_weekdays", "発注日を1つ以上選んでください。"))
    if carriers.profile(data.carrier) is None:
        problems.append(Problem("carrier", "配送業者を一覧から選んでください。"))
    if problems:
        raise FurusatoError.of(problems)
    is_new = supplier is None
    before = {} if supplier is None else _supplier_values(supplier)
    supplier = supplier or Supplier(code=code)
    supplier.code, supplier.name = code, data.name.strip()
    supplier.postal_code = nz.format_postal(nz.postal_digits(data.postal_code)) if data.postal_code else ""
    supplier.address, supplier.contact, supplier.phone = data.address.strip(), data.contact.strip(), data.phone
    supplier.email, supplier.bank = data.email.strip(), data.bank.strip()
    supplier.order_weekdays = ",".join(str(d) for d in days)
    supplier.fewer_orders_approved = data.fewer_orders_approved
    supplier.carrier = data.carrier
    db.session.add(supplier)
    db.session.flush()
    if is_new:
        audit.record("create", "furusato_supplier", supplier.id, supplier.name, by=by)
    else:
        after = _supplier_values(supplier)
        changed = [label for name, label in SUPPLIER_LABELS.items() if before[name] != after[name]]
        audit.record("update", "furusato_supplier", supplier.id,
                     f"{supplier.name} 変更：{'、'.join(changed) or 'なし'}", by=by)
    return supplier


# The fields of a supplier as the audit names a change of them (never their values: the bank
# account is not repeated into the log).
SUPPLIER_LABELS = {"code": "事業者コード", "name": "事業者名", "postal_code": "郵便番号", "address": "所在地",
                   "contact": "担当者", "phone": "電話番号", "email": "メールアドレス", "bank": "振込先",
                   "order_weekdays": "発注日", "fewer_orders_approved": "市承認の例外", "carrier": "配送業者"}


def _supplier_values(supplier: Supplier) -> dict[str, object]:
    return {name: getattr(supplier, name) for name in SUPPLIER_LABELS}


def supplier_input(supplier: Supplier) -> SupplierInput:
    """What the edit form starts from: the supplier as stored."""
    return SupplierInput(code=supplier.code, name=supplier.name, postal_code=supplier.postal_code,
                         address=supplier.address, contact=supplier.contact, phone=supplier.phone,
                         email=supplier.email, bank=supplier.bank,
                         order_weekdays=[str(d) for d in supplier.weekdays],
                         fewer_orders_approved=supplier.fewer_orders_approved, carrier=supplier.carrier)


@dataclass
class UndertakingInput:
    kind: str
    signed_on: date | None
    valid_until: date | None
    filename: str
    data: bytes


def add_undertaking(supplier: Supplier, data: UndertakingInput, by: User | None) -> Undertaking:
    """Keep a signed undertaking with its paper (a PDF or image, checked by its first bytes)."""
    problems: list[Problem] = []
    if not UndertakingKind.has(data.kind):
        problems.append(Problem("kind", "誓約の種類を選んでください。"))
    if data.signed_on is None:
        problems.append(Problem("signed_on", "誓約日を入力してください。"))
    elif data.valid_until is not None and data.valid_until < data.signed_on:
        problems.append(Problem("valid_until", "有効期限は誓約日より後の日にしてください。"))
    if not data.data:
        problems.append(Problem("document", "誓約書のファイルを選んでください。"))
    elif len(data.data) > MAX_BYTES:
        problems.append(Problem("document", "ファイルが大きすぎます（10MBまで）。"))
    content_type = content_type_of(data.data) if data.data else None
    if data.data and content_type is None:
        problems.append(Problem("document", "誓約書はPDF・PNG・JPEGのファイルを選んでください。"))
    if problems:
        raise FurusatoError.of(problems)
    assert data.signed_on is not None and content_type is not None
    item = Undertaking(supplier_id=supplier.id, kind=UndertakingKind(data.kind), signed_on=data.signed_on,
                       valid_until=data.valid_until, filename=(data.filename or "undertaking")[-200:],
                       content_type=content_type, content=data.data, uploaded_by=_name(by))
    db.session.add(item)
    db.session.flush()
    db.session.refresh(supplier, ["undertakings"])
    audit.record("create", "furusato_supplier", supplier.id, f"誓約書 {item.kind.label} {item.signed_on}", by=by)
    return item


def missing_undertakings(supplier: Supplier, day: date | None = None) -> list[UndertakingKind]:
    """The undertakings a supplier has no valid signed copy of on `day` (all three are needed)."""
    day = day or today()
    valid = {u.kind for u in supplier.undertakings if u.valid_on(day)}
    return [kind for kind in UndertakingKind if kind not in valid]


def can_order_from(supplier: Supplier, day: date | None = None) -> bool:
    return not missing_undertakings(supplier, day)


def suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.code)))


def supplier_by_code(code: str) -> Supplier | None:
    return db.session.scalar(select(Supplier).where(Supplier.code == code))


# --- gifts -----------------------------------------------------------------------------------

@dataclass
class GiftInput:
    code: str
    name: str
    amount: int | None
    cost: int | None
    supplier_code: str
    shipping_class: str = ShippingClass.ambient
    size: int | None = 60
    lead_days: int | None = 7
    season_from: date | None = None
    season_to: date | None = None
    local_category: str = ""
    local_evidence: str = ""
    portal_codes: str = ""  # one "portal=code" per line or comma


def within_30_percent(cost: int, amount: int) -> bool:
    """調達費 ≤ 寄附金額 × 30% in integer yen (no rounding: 3,001 yen on 10,000 is over)."""
    return cost * 10 <= amount * 3


def _portal_codes(text: str) -> tuple[dict[int, str], list[Problem]]:
    portals = {p.code: p for p in db.session.scalars(select(Portal))}
    out: dict[int, str] = {}
    problems: list[Problem] = []
    text = unicodedata.normalize("NFKC", text)  # 「ｃｈｏｉｃｅ＝Ａ１」 as typed on a Japanese keyboard
    for part in text.replace("\r", "").replace("\n", ",").split(","):
        if not part.strip():
            continue
        portal_code, _, code = part.partition("=")
        portal = portals.get(portal_code.strip())
        if portal is None or not code.strip():
            problems.append(Problem("portal_codes", f"ポータル別コード「{part.strip()}」は「ポータル=コード」の形で、"
                                    f"ポータルは {', '.join(sorted(portals))} のどれかにしてください。"))
        else:
            out[portal.id] = code.strip()
    return out, problems


def _gift_problems(data: GiftInput, gift: Gift | None, prefix: str = "") -> tuple[list[Problem], Supplier | None]:
    problems: list[Problem] = []
    code = (data.code or "").strip()
    if not code:
        problems.append(Problem("code", f"{prefix}返礼品コードを入力してください。"))
    elif db.session.scalar(select(Gift.id).where(Gift.code == code, Gift.id != (gift.id if gift else 0))):
        problems.append(Problem("code", f"{prefix}返礼品コード「{code}」は既に使われています。"))
    if not (data.name or "").strip():
        problems.append(Problem("name", f"{prefix}返礼品名を入力してください。"))
    if not data.amount or data.amount <= 0:
        problems.append(Problem("amount", f"{prefix}寄附金額を1円以上で入力してください。"))
    if data.cost is None or data.cost < 0:
        problems.append(Problem("cost", f"{prefix}調達費（梱包・送料・消費税込）を入力してください。"))
    elif data.amount and data.amount > 0 and not within_30_percent(data.cost, data.amount):
        problems.append(Problem("cost", f"{prefix}調達費{data.cost:,}円は寄附金額{data.amount:,}円の"
                                f"{data.cost * 100 / data.amount:.1f}%です。{RULE_30}。"
                                f"この寄附金額では{data.amount * 3 // 10:,}円までです。"))
    supplier = supplier_by_code((data.supplier_code or "").strip()) if data.supplier_code else None
    if supplier is None:
        problems.append(Problem("supplier_code",
                                f"{prefix}返礼品提供事業者「{data.supplier_code}」が登録されていません。"))
    return problems + _handling_problems(data, prefix), supplier


def _handling_problems(data: GiftInput, prefix: str) -> list[Problem]:
    problems: list[Problem] = []
    if not ShippingClass.has(data.shipping_class):
        problems.append(Problem("shipping_class", f"{prefix}温度帯は常温・冷蔵・冷凍のどれかにしてください。"))
    if not data.size or data.size <= 0:
        problems.append(Problem("size", f"{prefix}サイズを入力してください（60、80、100…）。"))
    if data.lead_days is None or data.lead_days < 0:
        problems.append(Problem("lead_days", f"{prefix}発注から出荷までの日数を入力してください。"))
    if data.season_from and data.season_to and data.season_to < data.season_from:
        problems.append(Problem("season_to", f"{prefix}受付期間の終わりは始まりより後にしてください。"))
    if not (data.local_category or "").strip():
        problems.append(Problem("local_category",
                                f"{prefix}地場産品基準の類型を入力してください（総務省告示の基準）。"))
    return problems


def save_gift(data: GiftInput, by: User | None, gift: Gift | None = None) -> Gift:
    """Add a gift (提案中) or change one; a change of price or cost of an approved gift sends it
    back to 提案中 for the city to approve again (the city decides the prices, 004 §7(9)エ)."""
    problems, supplier = _gift_problems(data, gift)
    codes, code_problems = _portal_codes(data.portal_codes)
    problems += code_problems
    if problems:
        raise FurusatoError.of(problems)
    assert supplier is not None and data.amount is not None and data.cost is not None
    is_new = gift is None
    gift = gift or Gift(code=data.code.strip(), state=GiftState.proposed, active=False)
    repriced = not is_new and (gift.amount != data.amount or gift.cost != data.cost)
    gift.code, gift.name, gift.amount, gift.cost = data.code.strip(), data.name.strip(), data.amount, data.cost
    gift.supplier_id, gift.shipping_class = supplier.id, ShippingClass(data.shipping_class)
    gift.size, gift.lead_days = data.size or 60, data.lead_days or 0
    gift.season_from, gift.season_to = data.season_from, data.season_to
    gift.local_category, gift.local_evidence = data.local_category.strip(), data.local_evidence.strip()
    db.session.add(gift)
    db.session.flush()
    for portal_id, code in codes.items():
        stock.listing(gift, db.session.get_one(Portal, portal_id)).portal_code = code
    if is_new:
        _event(gift, "新規登録（提案）", by)
    elif repriced and gift.state != GiftState.proposed:
        _set_state(gift, GiftState.proposed, "寄附金額・調達費の変更（市の再承認待ち）", by)
    else:
        _event(gift, "内容の変更", by)
    return gift


def _event(gift: Gift, detail: str, by: User | None) -> None:
    db.session.add(GiftEvent(gift_id=gift.id, username=_name(by), state=gift.state, detail=detail))
    audit.record("update", "furusato_gift", gift.id, f"{gift.code} {detail}", by=by)


def _set_state(gift: Gift, state: GiftState, detail: str, by: User | None) -> None:
    gift.state = state
    gift.active = state in ORDERABLE
    _event(gift, f"{state.label}：{detail}" if detail else state.label, by)


def can_edit(by: User | None) -> bool:
    """Whether `by` enters suppliers, gifts and stock (the office; the city reads and approves)."""
    return by is None or getattr(by, "role", None) in ("operator", "supervisor")


def can_move(gift: Gift, state: str, by: User | None) -> bool:
    """Whether `by` may move the gift to `state` (approval is the city's; the rest the office's)."""
    if not GiftState.has(state) or GiftState(state) not in TRANSITIONS[gift.state]:
        return False
    role = getattr(by, "role", None)
    if GiftState(state) in CITY_STEPS:
        return by is None or role == "city_staff"
    return by is None or role in ("operator", "supervisor")


def move_gift(gift: Gift, state: str, note: str, by: User | None) -> Gift:
    """A step of the gift's way; the 30% rule is checked again at approval."""
    if not can_move(gift, state, by):
        raise FurusatoError(f"返礼品「{gift.name}」は{gift.state.label}から"
                            f"「{GiftState.label_of(state)}」にできません。", "state")
    if state == GiftState.approved and not within_30_percent(gift.cost, gift.amount):
        raise FurusatoError(f"調達費{gift.cost:,}円は寄附金額{gift.amount:,}円の3割を超えます。{RULE_30}。", "state")
    _set_state(gift, GiftState(state), note.strip(), by)
    return gift


def history(gift: Gift) -> list[GiftEvent]:
    return list(db.session.scalars(select(GiftEvent).where(GiftEvent.gift_id == gift.id).order_by(GiftEvent.id)))


def gifts(page: int = 1, per_page: int = 50) -> tuple[list[Gift], int]:
    count = int(db.session.scalar(select(func.count()).select_from(Gift)) or 0)
    rows = db.session.scalars(select(Gift).order_by(Gift.code).offset((page - 1) * per_page).limit(per_page))
    return list(rows), count


def gift_by_code(code: str) -> Gift | None:
    return db.session.scalar(select(Gift).where(Gift.code == code))


# --- CSV import of gifts ----------------------------------------------------------------------

CSV_COLUMNS = {"返礼品コード": "code", "返礼品名": "name", "寄附金額": "amount", "調達費": "cost",
               "事業者コード": "supplier_code", "温度帯": "shipping_class", "サイズ": "size",
               "リードタイム": "lead_days", "受付開始": "season_from", "受付終了": "season_to",
               "地場産品類型": "local_category", "根拠": "local_evidence", "ポータル別コード": "portal_codes"}
CLASS_WORDS = {c.label: c.value for c in ShippingClass} | {c.value: c.value for c in ShippingClass}
MAX_CSV_BYTES = 5 * 1024 * 1024


def _int(value: str) -> int | None:
    text = nz.nfkc(value or "").replace(",", "").removesuffix("円").strip()
    return int(text) if text.isdigit() else None


def _date(value: str) -> date | None:
    text = nz.nfkc(value or "").strip().replace("/", "-")
    return date.fromisoformat(text) if text else None


def import_gifts_csv(data: bytes, by: User | None) -> list[Gift]:
    """Gifts from a CSV (UTF-8 or Shift_JIS, a header row with CSV_COLUMNS' names); all rows or
    none: every problem is named by its row and column, and nothing is saved when there is one."""
    if len(data) > MAX_CSV_BYTES:
        raise FurusatoError("ファイルが大きすぎます（5MBまで）。", "file")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FurusatoError("ファイルの文字コードが読めません（UTF-8またはShift_JIS）。", "file")
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = [name for name in ("返礼品コード", "返礼品名", "寄附金額", "調達費", "事業者コード", "地場産品類型")
               if name not in (rows[0].keys() if rows else ())]
    if not rows or missing:
        raise FurusatoError(f"見出し行に必要な列がありません：{'、'.join(missing) or '（データ行なし）'}", "file")
    inputs: list[GiftInput] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=2):
        prefix = f"{number}行目："
        values = {target: (row.get(name) or "").strip() for name, target in CSV_COLUMNS.items()}
        try:
            season = (_date(values["season_from"]), _date(values["season_to"]))
        except ValueError:
            problems.append(Problem("file", f"{prefix}受付開始・受付終了は YYYY-MM-DD で入力してください。"))
            continue
        data_in = GiftInput(
            code=values["code"], name=values["name"], amount=_int(values["amount"]), cost=_int(values["cost"]),
            supplier_code=values["supplier_code"],
            shipping_class=CLASS_WORDS.get(values["shipping_class"] or "常温", values["shipping_class"]),
            size=_int(values["size"]) or 60, lead_days=_int(values["lead_days"]) if values["lead_days"] else 7,
            season_from=season[0], season_to=season[1], local_category=values["local_category"],
            local_evidence=values["local_evidence"], portal_codes=values["portal_codes"].replace(";", ","))
        found, _ = _gift_problems(data_in, None, prefix)
        found += [Problem(p.field, prefix + p.message) for p in _portal_codes(data_in.portal_codes)[1]]
        if data_in.code in {i.code for i in inputs}:
            found.append(Problem("code", f"{prefix}返礼品コード「{data_in.code}」がファイル内で重複しています。"))
        problems += [Problem("file", p.message) for p in found]
        inputs.append(data_in)
    if problems:
        raise FurusatoError.of(problems, f"返礼品ファイルに{len(problems)}件の誤りがあります。何も登録していません。")
    return [save_gift(item, by) for item in inputs]
