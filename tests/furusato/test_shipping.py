"""Shipping (issue 18 §3): lines from paid donations with the in-city block (a property test
over spellings of the city's addresses), order runs and their refusals, stock per portal, the
B2クラウド file (golden file, read back with the csv module in cp932) and the tracking import."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import jaconv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.furusato import payments, services
from app.furusato.gifts import services as gifts
from app.furusato.gifts import stock
from app.furusato.models import Donation, GiftState, ShippingClass
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers, lines, runs, tracking
from app.furusato.shipping.models import LineState, OrderRun, ShipmentLine, TimeBand
from tests.furusato.shipping_fixtures import approved_gift, supplier
from tests.furusato.test_payments import PHONE

GOLDEN = Path(__file__).parent / "golden" / "b2_run.csv"
OUTSIDE = {"name": "山田 花子", "kana": "ヤマダ ハナコ", "postal_code": "100-0001",
           "address": "東京都千代田区千代田1-1", "phone": "03-1234-5678"}


@pytest.fixture
def shop(app, make_user) -> dict:
    services.sync_portals()
    services.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
    city = make_user("city_staff", username="city-fixture")
    made = supplier()
    gift = approved_gift(city, "G-1", 10_000, 3_000, name="山彦りんご 5kg")
    frozen = approved_gift(city, "G-2", 20_000, 5_000, name="前沢牛 ハンバーグ", shipping_class=ShippingClass.frozen)
    db.session.commit()
    return {"supplier": made, "gift": gift, "frozen": frozen, "city": city}


def _paid(gift_code: str = "G-1", amount: int = 10_000, **person: str) -> Donation:
    data = PHONE.__class__(**{**PHONE.__dict__, **OUTSIDE, "gift_code": gift_code, "amount": amount, **person})
    donation = services.create_direct_donation(data, None)
    payments.record_payment(donation, data.applied_on + timedelta(days=1), donation.amount, "bank", None)
    return donation


def _line(donation: Donation) -> ShipmentLine:
    return db.session.scalar(select(ShipmentLine).where(ShipmentLine.donation_id == donation.id))


def test_a_paid_donation_from_outside_becomes_an_open_line_once(shop) -> None:
    donation = _paid()
    unpaid = services.create_direct_donation(PHONE.__class__(**{**PHONE.__dict__, **OUTSIDE, "gift_code": "G-1",
                                                               "amount": 10_000}), None)
    assert lines.collect(None).created == 1
    assert lines.collect(None).created == 0
    line = _line(donation)
    assert line.state == LineState.open and line.postal_code == "100-0001" and line.name == "山田\u3000花子"
    assert _line(unpaid) is None


# Spellings of addresses in the city (平泉町, postal codes 029-41xx) as portals send them.
TOWN = st.sampled_from(["岩手県西磐井郡平泉町", "西磐井郡平泉町", "平泉町", "岩手県 西磐井郡 平泉町"])
STREET = st.sampled_from(["平泉字志羅山", "平泉字衣関", "長島", "平泉"])
POSTAL = st.sampled_from(["029-4102", "0294102", "〒029-4102", "０２９－４１０２", "029-4101", "029ｰ4100"])


@st.composite
def in_city_address(draw: st.DrawFn) -> tuple[str, str]:
    number = f"{draw(st.integers(1, 300))}-{draw(st.integers(1, 20))}"
    address = draw(TOWN) + draw(STREET) + draw(st.sampled_from([number, jaconv.h2z(number, digit=True, ascii=True)]))
    if draw(st.booleans()):
        address = jaconv.h2z(address, digit=True, ascii=True)
    return draw(POSTAL), address


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spelling=in_city_address())
def test_a_donor_in_the_city_is_blocked_under_every_spelling_and_never_ordered(shop, spelling) -> None:
    postal, address = spelling
    donation = services.create_direct_donation(PHONE.__class__(**{**PHONE.__dict__, "gift_code": "G-1",
                                                                  "amount": 10_000, "postal_code": postal,
                                                                  "address": address}), None)
    payments.record_payment(donation, PHONE.applied_on, donation.amount, "bank", None)
    lines.collect(None)
    line = _line(donation)
    assert line.state == LineState.blocked and "7(6)キ" in line.blocked_reason
    runs.run_order(shop["supplier"], None)
    assert _line(donation).state == LineState.blocked and _line(donation).run_id is None
    db.session.rollback()


def test_a_run_orders_the_supplier_s_open_lines_and_writes_its_sheets(shop) -> None:
    _paid(), _paid("G-2", 20_000)
    run = runs.run_order(shop["supplier"], None, date(2026, 12, 3))
    assert run.line_count == 2 and run.ship_on == date(2026, 12, 4)
    assert {line.state for line in runs.lines_of(run)} == {LineState.ordered}
    sheet = runs.sheet_csv(run, None).decode("cp932").splitlines()
    assert sheet[0].startswith("管理番号,注文番号,返礼品コード") and len(sheet) == 3
    assert runs.sheet_pdf(run, None).startswith(b"%PDF")
    assert runs.run_order(shop["supplier"], None) is None  # nothing left to order


def test_a_run_is_refused_for_a_paused_gift_or_a_supplier_without_undertaking(shop, make_user) -> None:
    _paid()
    gifts.move_gift(shop["gift"], GiftState.paused, "", None)
    with pytest.raises(FurusatoError) as refused:
        runs.run_order(shop["supplier"], None)
    assert "一時停止のため発注できません" in refused.value.message
    db.session.rollback()
    other = supplier("S-2", undertakings=False)
    gift = approved_gift(shop["city"], "G-9", 10_000, 2_000, supplier_code="S-2")
    _paid("G-9")
    db.session.commit()
    outcomes = runs.run_suppliers([other], None)
    assert outcomes[0].run is None and "誓約書" in outcomes[0].refused
    assert db.session.scalar(select(func.count()).select_from(OrderRun)) == 0
    assert gift.state == GiftState.listed


def test_the_schedule_runs_the_suppliers_whose_order_day_it_is(shop) -> None:
    _paid()
    monday = date(2026, 12, 7)
    assert shop["supplier"].weekdays == (0, 3)
    assert runs.due_suppliers(monday + timedelta(days=1)) == []
    assert runs.due_suppliers(monday) == [shop["supplier"]]
    runs.run_suppliers(runs.due_suppliers(monday), None, monday)
    assert runs.due_suppliers(monday) == []


def test_stock_is_taken_by_donations_and_moved_between_portals(shop) -> None:
    choice, rakuten = services.portal_by_code("choice"), services.portal_by_code("rakuten")
    gift = shop["gift"]
    stock.allocate(gift, choice, 3, None)
    stock.allocate(gift, rakuten, 1, None)
    db.session.add(Donation(portal_id=choice.id, order_id="C-1", donor_id=_paid().donor_id, applied_at=PHONE.applied_on,
                            applied_on=PHONE.applied_on, amount=20_000, status="paid", gift_code="G-1", quantity=2))
    db.session.flush()
    left = {line.portal.code: line.left for line in stock.stock_lines(gift=gift)}
    assert left == {"choice": 1, "rakuten": 1}
    assert {line.portal.code for line in stock.warnings()} == {"choice", "rakuten"}
    with pytest.raises(FurusatoError):
        stock.move(gift, choice, rakuten, 2, None)
    stock.move(gift, choice, rakuten, 1, None)
    db.session.add(Donation(portal_id=choice.id, order_id="C-2", donor_id=_paid().donor_id, applied_at=PHONE.applied_on,
                            applied_on=PHONE.applied_on, amount=10_000, status="paid", gift_code="G-1", quantity=1))
    db.session.flush()
    oversold = [line for line in stock.stock_lines(gift=gift) if line.oversold]
    assert [(line.portal.code, line.left) for line in oversold] == [("choice", -1)]


def _golden_run(shop) -> tuple[OrderRun, list[ShipmentLine]]:
    """A run with fixed numbers and days: an ambient gift with a morning wish, a frozen one
    with a long address that runs into the building field, and a building name."""
    run = OrderRun(id=501, supplier_id=shop["supplier"].id, ship_on=date(2026, 12, 4), line_count=2)
    db.session.add(run)
    first = ShipmentLine(id=1001, gift_id=shop["gift"].id, supplier_id=shop["supplier"].id, quantity=1,
                         reference="CH00000001", name="山田 花子", postal_code="100-0001",
                         address="東京都千代田区千代田1-1", building="ﾔﾏﾋﾞｺﾊｲﾂ101", phone="03-1234-5678",
                         wish_date=date(2026, 12, 10), time_band=TimeBand.morning, state=LineState.ordered,
                         run_id=501)
    second = ShipmentLine(id=1002, gift_id=shop["frozen"].id, supplier_id=shop["supplier"].id, quantity=2,
                          reference="RK00000002", name="佐藤 一郎", postal_code="980-0811",
                          address="宮城県仙台市青葉区一番町一丁目一番一号山彦ビルディング東館北側入口", building="",
                          phone="022-000-0000", time_band="", state=LineState.ordered, run_id=501)
    db.session.add_all([first, second])
    db.session.flush()
    return run, [first, second]


def test_the_b2_file_matches_the_golden_file(shop) -> None:
    run, run_lines = _golden_run(shop)
    data = carriers.carrier_csv(run, run_lines)
    assert data == GOLDEN.read_bytes()


def test_the_b2_file_reads_back_in_cp932_with_b2_s_codes_dates_and_lengths(shop) -> None:
    run, run_lines = _golden_run(shop)
    data = carriers.carrier_csv(run, run_lines)
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(data.decode("cp932"), newline="")))
    first, second = rows
    codes = (first["お客様管理番号"], first["送り状種別"], first["クール区分"], first["伝票番号"])
    assert codes == ("L1001", "0", "0", "")
    assert second["クール区分"] == "1"  # 冷凍
    assert (first["出荷予定日"], first["お届け予定日"], first["配達時間帯"]) == ("2026/12/04", "2026/12/10", "0812")
    assert second["お届け予定日"] == "" and second["配達時間帯"] == ""
    assert first["お届け先郵便番号"] == "100-0001" and first["お届け先電話番号"] == "03-1234-5678"
    assert first["お届け先アパートマンション名"] == "ヤマビコハイツ１０１"  # full width, as B2 wants
    for column in carriers.YAMATO_B2.columns:
        for row in rows:
            assert len(row[column.header].encode("cp932")) <= column.max_bytes, column.header
    assert second["お届け先住所"] + second["お届け先アパートマンション名"] == jaconv.h2z(
        run_lines[1].address, digit=True, ascii=True)
    assert second["品名１"] == "前沢牛　ハンバーグ　×２" and second["ご依頼主名"] == "山彦果樹園"


def test_a_name_too_long_for_b2_is_refused_naming_the_line(shop) -> None:
    run, run_lines = _golden_run(shop)
    run_lines[0].name = "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末"
    with pytest.raises(FurusatoError) as refused:
        carriers.carrier_csv(run, run_lines)
    assert refused.value.message.startswith("出荷明細 L1001：お届け先名が長すぎます")


def test_tracking_numbers_make_the_lines_shipped_and_unknown_lines_refuse_the_file(shop) -> None:
    _paid(), _paid("G-2", 20_000)
    run = runs.run_order(shop["supplier"], None)
    first, second = runs.lines_of(run)
    bad = (f"お客様管理番号,伝票番号,出荷予定日\r\nL{first.id},4000-1234-5678,2026/12/04\r\n"
           "L999999,400012345679,2026/12/04\r\n").encode("cp932")
    with pytest.raises(FurusatoError) as refused:
        tracking.import_tracking(bad, None)
    assert refused.value.message == "3行目：お客様管理番号「L999999」の出荷明細はありません。"
    assert first.state == LineState.ordered
    good = (f"お客様管理番号,伝票番号,出荷予定日\r\nL{first.id},4000-1234-5678,2026/12/04\r\n"
            f"L{second.id},400012345679,2026/12/05\r\n").encode("cp932")
    assert tracking.import_tracking(good, None) == 2
    assert (first.state, first.tracking_number, first.shipped_on) == (LineState.shipped, "400012345678",
                                                                      date(2026, 12, 4))
    assert tracking.import_tracking(good, None) == 0  # the same file again changes nothing


PRE_HEAD = ("注文番号,返礼品コード,数量,お届け先氏名,郵便番号,住所,建物名,電話番号,メールアドレス,お届け希望日,"
            "配達時間帯\r\n")


def test_donations_from_before_the_operation_come_in_as_open_lines_all_or_none(shop) -> None:
    from app.furusato.shipping import pre_operation
    from app.furusato.shipping.models import LineSource

    bad = (PRE_HEAD + "OLD-1,G-1,1,山田 花子,100-0001,東京都千代田区千代田1-1,,03-1234-5678,,2026-12-20,0812\r\n"
           "OLD-2,G-1,1,佐藤 一郎,,宮城県仙台市青葉区一番町1-1,,022-000-0000,,,\r\n").encode("cp932")
    with pytest.raises(FurusatoError) as refused:
        pre_operation.import_open_lines(bad, None)
    assert refused.value.message == "3行目：お届け先の郵便番号がありません。"
    assert db.session.scalar(select(func.count()).select_from(ShipmentLine)) == 0
    good = (PRE_HEAD + "OLD-1,G-1,1,山田 花子,100-0001,東京都千代田区千代田1-1,,03-1234-5678,,2026-12-20,0812\r\n"
            "OLD-2,G-2,2,平泉 太郎,029-4102,岩手県西磐井郡平泉町平泉1,,0191-00-0000,,,\r\n").encode("cp932")
    first, second = pre_operation.import_open_lines(good, None)
    assert (first.state, first.source, first.time_band, first.wish_date) == (
        LineState.open, LineSource.pre_operation, "0812", date(2026, 12, 20))
    assert second.state == LineState.blocked  # in the city: never shipped
    run = runs.run_order(shop["supplier"], None)
    assert [line.reference for line in runs.lines_of(run)] == ["OLD-1"]
