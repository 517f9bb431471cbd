"""Demo data: the city's fee schedule and a few bills waiting at the cashier."""

from __future__ import annotations

from datetime import date

from app.register.fees import Item, seed_default_fees
from app.register.services import open_bill

SCHEDULE_START = date(2019, 5, 1)
DEMO_BILLS = (
    ("C-101", "山彦 花子", (Item("resident_record_copy", 2), Item("seal_certificate", 1))),
    ("C-102", "川辺 次郎", (Item("family_register_copy", 1), Item("removed_family_register_copy", 1))),
    ("C-103", "山彦市 税務課（公用）", (Item("resident_record_copy", 3, official=True),)),
    ("C-104", "森田 三郎", (Item("temporary_vehicle_permit", 1),)),
)


def load() -> None:
    seed_default_fees(SCHEDULE_START)
    for n, (ticket, visitor, lines) in enumerate(DEMO_BILLS, start=1):
        open_bill("demo", n, visitor, lines, ticket_number=ticket)
