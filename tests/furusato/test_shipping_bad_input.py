"""Bad input of issue 18 ("Bad input"): a gift above 30%, an order for a paused gift or a
supplier without undertaking, a ship-to without postal code, a tracking file for unknown
lines — each gives a Japanese message naming the row (line) and field, and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.models import Gift, GiftState
from app.furusato.services import FurusatoError
from app.furusato.shipping import lines, runs, tracking
from app.furusato.shipping.models import LineState, OrderRun, ShipmentLine
from tests.furusato.shipping_fixtures import gift_input, supplier
from tests.furusato.test_shipping import _paid, shop  # noqa: F401  (the fixture)


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_gift_above_30_percent_names_the_cost_field_and_the_csv_row(shop) -> None:  # noqa: F811
    with pytest.raises(FurusatoError) as refused:
        gifts.save_gift(gift_input("G-X", 10_000, 3_001), None)
    assert refused.value.field == "cost" and "3割" in refused.value.message
    head = ("返礼品コード,返礼品名,寄附金額,調達費,事業者コード,温度帯,サイズ,リードタイム,地場産品類型,"
            "ポータル別コード\r\n")
    data = (head + "G-X,高すぎる返礼品,10000,3001,S-1,常温,60,5,区域内で生産,\r\n").encode("cp932")
    with pytest.raises(FurusatoError) as refused:
        gifts.import_gifts_csv(data, None)
    assert refused.value.problems[0].message.startswith("2行目：調達費3,001円")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Gift).where(Gift.code == "G-X")) == 0


def test_an_order_for_a_paused_gift_names_the_line_and_the_gift_and_changes_nothing(shop) -> None:  # noqa: F811
    _paid()
    lines.collect(None)
    gifts.move_gift(shop["gift"], GiftState.paused, "", None)
    db.session.commit()
    line = db.session.scalar(select(ShipmentLine))
    (outcome,) = runs.run_suppliers([shop["supplier"]], None)
    assert outcome.run is None
    assert f"出荷明細 L{line.id}（{line.reference}）：返礼品「山彦りんご 5kg」は一時停止のため発注できません。" in (
        outcome.refused)
    db.session.expire_all()
    assert (_count(OrderRun), db.session.get(ShipmentLine, line.id).state) == (0, LineState.open)


def test_an_order_on_the_page_for_a_supplier_without_undertaking_changes_nothing(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    supplier("S-2", undertakings=False)
    gift = gifts.save_gift(gift_input("G-9", 10_000, 2_000, supplier_code="S-2"), None)
    gifts.move_gift(gift, GiftState.approved, "", shop["city"])
    gifts.move_gift(gift, GiftState.listed, "", None)
    _paid("G-9")
    db.session.commit()
    response = client.post("/furusato/shipping/runs", data={"supplier": "S-2"}, follow_redirects=True)
    assert "有効な誓約書" in response.get_data(as_text=True) and "7(6)ケ" in response.get_data(as_text=True)
    assert _count(OrderRun) == 0
    assert db.session.scalar(select(ShipmentLine.state).where(ShipmentLine.gift_id == gift.id)) in (None,
                                                                                                   LineState.open)


def test_a_ship_to_without_postal_code_is_refused_on_the_line_s_form_keeping_the_input(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    _paid()
    lines.collect(None)
    db.session.commit()
    line = db.session.scalar(select(ShipmentLine))
    response = client.post(f"/furusato/shipping/lines/{line.id}", data={
        "name": "山田 花子", "postal_code": "", "address": "東京都港区芝公園4-2-8", "building": "", "phone": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "お届け先の郵便番号がありません。" in page
    assert 'value="東京都港区芝公園4-2-8"' in page
    db.session.expire_all()
    kept = db.session.get(ShipmentLine, line.id)
    assert (kept.postal_code, kept.address) == ("100-0001", "東京都千代田区千代田1-1")


def test_a_tracking_file_with_an_unknown_line_takes_not_even_its_good_rows(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    _paid(), _paid("G-2", 20_000)
    run = runs.run_order(shop["supplier"], None)
    first, second = runs.lines_of(run)
    db.session.commit()
    data = (f"お客様管理番号,伝票番号\r\nL{first.id},400012345678\r\nL999999,400012345679\r\n"
            f"L{second.id},12\r\n").encode("cp932")
    with pytest.raises(FurusatoError) as refused:
        tracking.import_tracking(data, None)
    messages = [p.message for p in refused.value.problems]
    assert messages == ["3行目：お客様管理番号「L999999」の出荷明細はありません。",
                        "4行目：伝票番号「12」が正しくありません。"]
    db.session.rollback()
    response = client.post("/furusato/shipping/tracking", data={"carrier": "yamato_b2", "file": (
        io.BytesIO(data), "t.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "3行目：お客様管理番号「L999999」" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {(line.state, line.tracking_number) for line in db.session.scalars(select(ShipmentLine))} == {
        (LineState.ordered, "")}
