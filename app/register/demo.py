"""Demo data: the city's fee schedule and a few bills waiting at the cashier.

The demo bills carry no ticket number: a number belongs to one office day's queue, and these
visitors came straight to the cashier. Numbered visitors reach the cashier through the counter
(a case issued with fees) and are called with 次の方を呼ぶ."""

from __future__ import annotations

from datetime import date

from app.register.fees import Item, seed_default_fees
from app.register.services import open_bill

SCHEDULE_START = date(2019, 5, 1)
DEMO_BILLS = (
    ("山彦 花子", (Item("resident_record_copy", 2), Item("seal_certificate", 1))),
    ("川辺 次郎", (Item("family_register_copy", 1), Item("removed_family_register_copy", 1))),
    ("山彦市 税務課（公用）", (Item("resident_record_copy", 3, official=True),)),
    ("森田 三郎", (Item("temporary_vehicle_permit", 1),)),
)


def load() -> None:
    seed_default_fees(SCHEDULE_START)
    for n, (visitor, lines) in enumerate(DEMO_BILLS, start=1):
        open_bill("demo", n, visitor, lines)
