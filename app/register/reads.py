"""The register's pages that show visitors (their names on bills and payments), each audited as
the read it is (DESIGN "Data"; the city audits it: 000 別紙 §13)."""

from __future__ import annotations

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.register import services
from app.register.models import Bill, Payment, RegisterDay


def open_bills(*, by: User) -> list[Bill]:
    """The cashier's list of open bills, with the visitors they are for."""
    bills = services.open_bills()
    audit.read_list("bill", (b.id for b in bills), "レジの請求一覧", by=by)
    return bills


def payment(payment_id: int, *, by: User) -> Payment | None:
    found = db.session.get(Payment, payment_id)
    if found is not None:
        audit.record("read", "payment", found.id, f"収納 {found.bill.visitor_label}", by=by)
    return found


def day_payments(day: RegisterDay, *, by: User) -> list[Payment]:
    rows = services.day_payments(day)
    audit.read_list("payment", (p.id for p in rows), f"日計前の収納 {day.business_date:%Y-%m-%d}", by=by)
    return rows


def find_receipt(label: str, *, by: User) -> Payment | None:
    found = services.find_receipt(label)
    if found is not None:
        audit.record("read", "payment", found.id, f"領収番号で検索「{label.strip()}」", by=by)
    return found

