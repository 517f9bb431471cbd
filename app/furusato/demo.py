"""Demo data for the donation programme: portals, gifts, the home area, and a few hundred
donations imported through the real import path (so the demo shows batches, donors matched
across portals and suspects), plus a phone donation and catalogue requests, and phone
donations paid by postal transfer whose certificates are due (one donor three times, one
asking for the one-stop form; with the imported ones some are overdue, some due this week).

The in-city rule needs an area Japan Post knows; the fictional 山彦市 has none, so the demo
uses 岩手県西磐井郡平泉町 (postal codes 029-41xx) as the city's own area.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from app.core.dates import fiscal_year, today
from app.extensions import db
from app.furusato import imports, payments, services, transfers, uses
from app.furusato.gifts import demo as gift_demo
from app.furusato.models import Gift
from app.furusato.onestop import demo as onestop_demo
from app.furusato.profiles import effective_profile
from app.furusato.reports import demo_data as reports_demo
from app.furusato.settlement import demo as settlement_demo
from app.furusato.synthetic import GIFTS, USES, Generator, portal_bytes

DEMO_HOME = ("岩手県", "西磐井郡平泉町", "02941")
PER_PORTAL = 45


def load() -> None:
    services.sync_portals()
    if db.session.scalar(select(Gift.id).limit(1)) is None:
        db.session.add_all(Gift(code=c, name=n, amount=a) for c, n, a in GIFTS)
    services.save_settings(*DEMO_HOME, "(demo)")
    year = fiscal_year(today())
    if not uses.uses_of(year):  # the uses the synthetic files name (choice's file has the column)
        for order, name in enumerate(USES, start=1):
            uses.add_use(uses.UseInput(fiscal_year=year, name=name, sort_order=order * 10), None)
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
        address="東京都千代田区千代田1-1", notes="電話で受付（デモ）", use=USES[0]), None)
    services.add_catalog_request(services.CatalogInput(
        name="佐藤 一郎", kana="サトウ イチロウ", postal_code="980-0811", address="宮城県仙台市青葉区一番町1-1-1",
        phone="022-000-0000", channel="phone", note=""), None)
    _paid_phone_donations()
    _transfers()
    reports_demo.load()
    gift_demo.load()
    settlement_demo.load()
    db.session.commit()
    onestop_demo.load()


# The people: name, kana, birth date, phone, postal code, address.
SASAKI = ("佐々木 健", "ササキ ケン", date(1975, 3, 3), "019-000-0001", "020-0021", "岩手県盛岡市中央通1-1-1")
SUZUKI = ("鈴木 美咲", "スズキ ミサキ", date(1990, 8, 8), "045-000-0002", "231-0023", "神奈川県横浜市中区山下町1-1")
# (person, amount, days since the money came, one-stop form wanted)
PAID_BY_PHONE = ((SASAKI, 10_000, 20, False), (SASAKI, 30_000, 12, False), (SASAKI, 50_000, 2, False),
                 (SUZUKI, 20_000, 5, True))


def _paid_phone_donations() -> None:
    """Phone donations whose payment came by postal transfer, recorded as the office does."""
    for (name, kana, birth, phone, postal, address), amount, days, one_stop in PAID_BY_PHONE:
        donation = services.create_direct_donation(services.DonationInput(
            channel="phone", applied_on=today() - timedelta(days=days + 3), amount=amount, payment_method="postal",
            status="unpaid", paid_on=None, gift_code="", quantity=1, one_stop=one_stop, receipt_wish=True, name=name,
            kana=kana, birth_date=birth, phone=phone, email="", postal_code=postal, address=address,
            notes="電話で受付、郵便振替で入金（デモ）"), None)
        payments.record_payment(donation, today() - timedelta(days=days), amount, "postal", None)


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
