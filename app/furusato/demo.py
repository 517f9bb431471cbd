"""Demo data for the donation programme: portals, gifts, the home area, and a few hundred
donations imported through the real import path (so the demo shows batches, donors matched
across portals and suspects), plus a phone donation and catalogue requests.

The in-city rule needs an area Japan Post knows; the fictional 山彦市 has none, so the demo
uses 岩手県西磐井郡平泉町 (postal codes 029-41xx) as the city's own area.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from app.core.dates import today
from app.extensions import db
from app.furusato import imports, services, transfers
from app.furusato.models import Gift
from app.furusato.profiles import effective_profile
from app.furusato.synthetic import GIFTS, Generator, portal_bytes

DEMO_HOME = ("岩手県", "西磐井郡平泉町", "02941")
PER_PORTAL = 45


def load() -> None:
    services.sync_portals()
    if db.session.scalar(select(Gift.id).limit(1)) is None:
        db.session.add_all(Gift(code=c, name=n, amount=a) for c, n, a in GIFTS)
    services.save_settings(*DEMO_HOME, "(demo)")
    generator = Generator(seed=404, start=today() - timedelta(days=60), days=60)
    for number, portal in enumerate(services.import_portals()):
        donations = list(generator.donations(PER_PORTAL, prefix=f"{portal.code[:2].upper()}{number}", repeat=0.15,
                                             bad=0.0, suspects=0.08))
        data = portal_bytes(effective_profile(portal), donations)
        imports.run_import(portal, io.BytesIO(data), f"{portal.code}-demo.csv", source="cli")
    services.create_direct_donation(services.DonationInput(
        channel="phone", applied_on=today(), amount=10_000, payment_method="postal", status="unpaid", paid_on=None,
        gift_code="YB-001", quantity=1, one_stop=True, receipt_wish=True, name="山田 花子", kana="ヤマダ ハナコ",
        birth_date=date(1980, 5, 5), phone="03-1234-5678", email="", postal_code="100-0001",
        address="東京都千代田区千代田1-1", notes="電話で受付（デモ）"), None)
    services.add_catalog_request(services.CatalogInput(
        name="佐藤 一郎", kana="サトウ イチロウ", postal_code="980-0811", address="宮城県仙台市青葉区一番町1-1-1",
        phone="022-000-0000", channel="phone", note=""), None)
    _transfers()


def _transfers() -> None:
    """A bank statement: the phone donation's amount from another name (the office decides) and
    money that pays no donation, both on the list of unmatched money."""
    lines = ["取引日,入金額,出金額,残高,振込依頼人名,摘要",
             f"{today():%Y/%m/%d},10000,,1010000,ﾔﾏﾀﾞ ﾀﾛｳ,振込",
             f"{today():%Y/%m/%d},3000,,1013000,ﾐﾂｲ ｼﾞﾛｳ,振込"]
    batch = transfers.create_batch(transfers.TransferUpload("bank", "bank-demo.csv",
                                                            "\r\n".join(lines).encode("cp932")), by=None, source="demo")
    db.session.commit()
    transfers.run_batch(batch.id)
