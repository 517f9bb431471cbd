"""Helpers of the gifts and shipping tests: a supplier with its undertakings, a gift entered
through the service the gift form uses, and the city's approval."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core.dates import today
from app.furusato.gifts import services as gifts
from app.furusato.gifts.demo import DEMO_PDF
from app.furusato.gifts.models import Supplier, UndertakingKind
from app.furusato.models import Gift, GiftState

SUPPLIER = gifts.SupplierInput("S-1", "山彦果樹園", "029-4102", "岩手県西磐井郡平泉町平泉字志羅山1", "果樹 太郎",
                               "0191-46-0001", "orchard@example.jp", "山彦信用金庫 本店 普通 1234567")


def supplier(code: str = "S-1", *, undertakings: bool = True, **changes: Any) -> Supplier:
    data = gifts.SupplierInput(**{**SUPPLIER.__dict__, "code": code, **changes})
    made = gifts.save_supplier(data, None)
    if undertakings:
        for kind in UndertakingKind:
            gifts.add_undertaking(made, gifts.UndertakingInput(kind, today() - timedelta(days=30),
                                                               date(today().year + 1, 3, 31), "誓約書.pdf", DEMO_PDF),
                                  None)
    return made


def gift_input(code: str = "G-1", amount: int = 10_000, cost: int = 3_000, supplier_code: str = "S-1",
               **changes: Any) -> gifts.GiftInput:
    return gifts.GiftInput(code=code, name=changes.pop("name", f"返礼品 {code}"), amount=amount, cost=cost,
                           supplier_code=supplier_code, local_category="区域内で生産されたもの", **changes)


def approved_gift(city: Any, code: str = "G-1", amount: int = 10_000, cost: int = 3_000, **changes: Any) -> Gift:
    gift = gifts.save_gift(gift_input(code, amount, cost, **changes), None)
    gifts.move_gift(gift, GiftState.approved, "", city)
    gifts.move_gift(gift, GiftState.listed, "", None)
    return gift
