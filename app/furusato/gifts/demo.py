"""Demo suppliers and the gift master for `flask demo load` (app/furusato/demo.py calls it after
the portal files are in): three suppliers with their undertakings, the demo gifts given a
supplier, a cost under 30%, a shipping class (chilled and frozen among them) and stock per
portal; then the shipment lines of the paid donations, some with a wished date and time band."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.core.dates import today
from app.extensions import db
from app.furusato import services
from app.furusato.gifts import services as gifts
from app.furusato.gifts import stock
from app.furusato.gifts.models import Supplier, UndertakingKind
from app.furusato.models import Gift, GiftState, ShippingClass
from app.furusato.shipping import lines
from app.furusato.shipping.models import LineState, ShipmentLine, TimeBand

# A one-page PDF standing in for the scanned, signed undertaking.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj 3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
SUPPLIERS = (
    gifts.SupplierInput("S-APPLE", "山彦果樹園", "029-4102", "岩手県西磐井郡平泉町平泉字志羅山1", "果樹 太郎",
                        "0191-46-0001", "orchard@example.jp", "山彦信用金庫 本店 普通 1234567 ヤマビコカジュエン",
                        ["0", "3"]),
    gifts.SupplierInput("S-MEAT", "平泉ミート", "029-4101", "岩手県西磐井郡平泉町平泉字衣関2", "肉田 次郎",
                        "0191-46-0002", "meat@example.jp", "山彦銀行 平泉支店 普通 7654321 ヒライズミミート",
                        ["1", "4"]),
    gifts.SupplierInput("S-CRAFT", "山彦工芸舎", "029-4100", "岩手県西磐井郡平泉町長島3", "工芸 花子",
                        "0191-46-0003", "craft@example.jp", "山彦信用金庫 本店 当座 1111111 ヤマビココウゲイシャ",
                        ["2"], True),
)
# gift code → (supplier, cost, class, category)
MASTER = {
    "YB-001": ("S-APPLE", 2_900, ShippingClass.ambient, "区域内で生産されたもの"),
    "YB-002": ("S-APPLE", 5_200, ShippingClass.ambient, "区域内で生産されたもの"),
    "YB-003": ("S-MEAT", 14_800, ShippingClass.frozen, "区域内で主要な部分を加工したもの"),
    "YB-004": ("S-CRAFT", 8_900, ShippingClass.ambient, "区域内で製造されたもの"),
    "YB-005": ("S-APPLE", 3_500, ShippingClass.ambient, "区域内で生産されたもの"),
    "YB-006": ("S-MEAT", 2_300, ShippingClass.chilled, "区域内で製造されたもの"),
    "YB-007": ("S-MEAT", 2_000, ShippingClass.chilled, "区域内で加工したもの"),
    "YB-008": ("S-CRAFT", 29_000, ShippingClass.ambient, "区域内で提供される役務"),
    "YB-009": ("S-CRAFT", 4_400, ShippingClass.ambient, "区域内で製造されたもの"),
    "YB-010": ("S-MEAT", 5_900, ShippingClass.frozen, "区域内で加工したもの"),
}
BANDS = (TimeBand.morning, TimeBand.b1416, TimeBand.b1820, "")


def load() -> None:
    if db.session.scalar(select(Supplier.id).limit(1)) is not None:
        return
    signed = today() - timedelta(days=90)
    for data in SUPPLIERS:
        supplier = gifts.save_supplier(data, None)
        for kind in UndertakingKind:
            gifts.add_undertaking(supplier, gifts.UndertakingInput(kind, signed, date(signed.year + 1, 3, 31),
                                                                   "誓約書.pdf", DEMO_PDF), None)
    portals = services.import_portals()
    for code, (supplier_code, cost, shipping_class, category) in MASTER.items():
        gift = gifts.gift_by_code(code) or Gift(code=code, name=code, amount=cost * 4)
        gift.supplier_id = gifts.supplier_by_code(supplier_code).id  # type: ignore[union-attr]
        gift.cost, gift.shipping_class, gift.local_category = cost, shipping_class, category
        gift.state, gift.active = GiftState.listed, True
        db.session.add(gift)
        db.session.flush()
        for portal in portals:
            stock.allocate(gift, portal, 20, None)
    lines.collect(None)
    for number, line in enumerate(db.session.scalars(select(ShipmentLine).where(
            ShipmentLine.state == LineState.open).order_by(ShipmentLine.id))):
        band = BANDS[number % len(BANDS)]
        line.time_band = band
        if band and number % 3 == 0:
            line.wish_date = today() + timedelta(days=7 + number % 5)
    db.session.flush()
