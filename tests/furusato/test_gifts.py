"""The gift master (issue 18 §1): suppliers and undertakings, the 30% rule, the city's approval
with history, the CSV import, and the portal import's amount check against the master on a
fresh database (no false flags)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.furusato import services
from app.furusato.gifts import services as gifts
from app.furusato.gifts.models import GiftEvent, GiftPortal
from app.furusato.models import Gift, GiftState, ImportBatch, SuspectFlag
from app.furusato.services import FurusatoError
from app.furusato.synthetic import GIFTS, Generator
from tests.furusato.conftest import run_import
from tests.furusato.shipping_fixtures import approved_gift, gift_input, supplier


@pytest.fixture
def fresh(app) -> None:
    """A fresh database: portals and the home area, no gift at all."""
    services.sync_portals()
    services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
    db.session.commit()


def test_a_gift_above_30_percent_is_refused_naming_the_rule(fresh) -> None:
    supplier()
    with pytest.raises(FurusatoError) as refused:
        gifts.save_gift(gift_input(amount=10_000, cost=3_001), None)
    assert refused.value.field == "cost"
    message = refused.value.message
    assert "3割" in message and "13(2)" in message and "3,000円まで" in message
    assert db.session.scalar(select(func.count()).select_from(Gift)) == 0
    assert gifts.save_gift(gift_input(amount=10_000, cost=3_000), None).state == GiftState.proposed  # 30% exactly


def test_every_problem_of_a_gift_at_once(fresh) -> None:
    with pytest.raises(FurusatoError) as refused:
        gifts.save_gift(gifts.GiftInput(code="", name="", amount=None, cost=None, supplier_code="NONE",
                                        shipping_class="hot", size=0, lead_days=-1, local_category=""), None)
    assert {p.field for p in refused.value.problems} >= {"code", "name", "amount", "cost", "supplier_code",
                                                         "shipping_class", "size", "lead_days", "local_category"}


def test_only_the_city_approves_and_each_step_is_in_the_history(fresh, make_user) -> None:
    city, clerk = make_user("city_staff"), make_user("operator")
    supplier()
    gift = gifts.save_gift(gift_input(), clerk)
    assert not gift.active
    with pytest.raises(FurusatoError):
        gifts.move_gift(gift, GiftState.approved, "", clerk)
    gifts.move_gift(gift, GiftState.approved, "市の審査で承認", city)
    gifts.move_gift(gift, GiftState.listed, "", clerk)
    assert gift.active
    gifts.move_gift(gift, GiftState.paused, "在庫切れ", clerk)
    assert not gift.active
    # A new price sends it back to the city.
    gifts.save_gift(replace(gift_input(), amount=12_000), clerk, gift)
    assert gift.state == GiftState.proposed
    steps = [e.state for e in db.session.scalars(select(GiftEvent).where(GiftEvent.gift_id == gift.id)
                                                  .order_by(GiftEvent.id))]
    assert steps == ["proposed", "approved", "listed", "paused", "proposed"]


def test_a_supplier_orders_at_least_twice_a_week_unless_the_city_approved_fewer(fresh) -> None:
    with pytest.raises(FurusatoError) as refused:
        supplier(order_weekdays=["2"])
    assert refused.value.field == "order_weekdays" and "7(6)イ" in refused.value.message
    assert supplier(order_weekdays=["2"], fewer_orders_approved=True).weekdays == (2,)


def test_an_undertaking_needs_its_paper(fresh) -> None:
    made = supplier(undertakings=False)
    assert len(gifts.missing_undertakings(made)) == 3 and not gifts.can_order_from(made)
    with pytest.raises(FurusatoError) as refused:
        gifts.add_undertaking(made, gifts.UndertakingInput("local_product", None, None, "x.txt", b"hello"), None)
    assert {p.field for p in refused.value.problems} == {"signed_on", "document"}


CSV_HEAD = ("返礼品コード,返礼品名,寄附金額,調達費,事業者コード,温度帯,サイズ,リードタイム,地場産品類型,"
            "ポータル別コード\r\n")


def test_the_gift_csv_is_taken_whole_or_refused_naming_each_row(fresh) -> None:
    supplier()
    db.session.commit()
    bad = (CSV_HEAD + "G-1,りんご,10000,2900,S-1,常温,60,5,区域内で生産,choice=CH-1\r\n"
           "G-2,牛肉,10000,3500,S-1,冷凍,80,5,区域内で加工,\r\n"
           "G-3,米,10000,2000,S-9,常温,60,5,区域内で生産,nope=1\r\n").encode("cp932")
    with pytest.raises(FurusatoError) as refused:
        gifts.import_gifts_csv(bad, None)
    messages = [p.message for p in refused.value.problems]
    assert any(m.startswith("3行目：調達費3,500円") for m in messages)
    assert any(m.startswith("4行目：返礼品提供事業者「S-9」") for m in messages)
    assert any(m.startswith("4行目：ポータル別コード") for m in messages)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Gift)) == 0
    good = (CSV_HEAD + "G-1,りんご,10000,2900,S-1,常温,60,5,区域内で生産,choice=CH-1\r\n"
            "G-2,牛肉,１０，０００,2500,S-1,冷凍,80,5,区域内で加工,\r\n").encode("cp932")
    made = gifts.import_gifts_csv(good, None)
    assert [(g.code, g.amount, g.shipping_class) for g in made] == [("G-1", 10_000, "ambient"),
                                                                    ("G-2", 10_000, "frozen")]
    assert db.session.scalar(select(GiftPortal.portal_code).where(GiftPortal.gift_id == made[0].id)) == "CH-1"


def _import(code: str, data: bytes) -> ImportBatch:
    return run_import(code, data)[0]


def test_a_fresh_database_with_gifts_entered_raises_no_false_amount_flags(fresh, make_user, portal_file) -> None:
    city = make_user("city_staff")
    supplier()
    for code, name, amount in GIFTS:  # entered as the gift form enters them, approved by the city
        approved_gift(city, code, amount, amount * 3 // 10, name=name)
    db.session.commit()
    donations = list(Generator(seed=18).donations(500, bad=0.0, suspects=0.0))
    # One portal names the gifts by its own codes (ポータル別コード).
    gift = db.session.scalar(select(Gift).where(Gift.code == "YB-001"))
    gifts.save_gift(gift_input("YB-001", gift.amount, gift.cost, name=gift.name, portal_codes="choice=CH-APPLE5"),
                    None, gift)
    db.session.commit()
    donations = [replace(d, gift_code="CH-APPLE5") if d.gift_code == "YB-001" else d for d in donations]
    batch = _import("choice", portal_file("choice", donations))
    assert batch.applied and batch.created == 500
    flags = db.session.scalar(select(func.count()).select_from(SuspectFlag).where(
        SuspectFlag.reason == "amount_gift_mismatch"))
    assert flags == 0


def test_without_the_master_every_row_would_be_flagged(fresh, portal_file) -> None:
    """The same import on an empty master flags each row: the test above can fail."""
    batch = _import("choice", portal_file("choice", list(Generator(seed=18).donations(20, bad=0.0, suspects=0.0))))
    assert batch.applied
    assert db.session.scalar(select(func.count()).select_from(SuspectFlag).where(
        SuspectFlag.reason == "amount_gift_mismatch")) == 20
