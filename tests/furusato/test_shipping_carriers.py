"""Carriers as profiles (issue 18 §3 "Other carriers as profiles of the same kind"): 日本郵便
ゆうパックプリントR and 佐川急便 e飛伝 beside B2クラウド — golden files, read back with the csv
module in cp932 (codes, dates, lengths, widths, the address running on), the profile chosen per
supplier or per run, and the tracking import in each profile's layout."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers, runs, tracking
from app.furusato.shipping.models import LineState, OrderRun
from tests.furusato.shipping_fixtures import SUPPLIER
from tests.furusato.test_shipping import _golden_run, _paid, shop  # noqa: F401  (the fixture)

GOLDEN = Path(__file__).parent / "golden"
PROFILES = [(carriers.JAPANPOST_YUPRI, "yupri_run.csv"), (carriers.SAGAWA_EHIDEN, "ehiden_run.csv")]


@pytest.mark.parametrize(("profile", "golden"), PROFILES, ids=["japanpost", "sagawa"])
def test_each_carrier_s_file_matches_its_golden_file(shop, profile, golden) -> None:  # noqa: F811
    run, run_lines = _golden_run(shop)
    assert carriers.carrier_csv(run, run_lines, profile) == (GOLDEN / golden).read_bytes()


def _rows(shop, profile) -> list[dict[str, str]]:  # noqa: F811
    run, run_lines = _golden_run(shop)
    data = carriers.carrier_csv(run, run_lines, profile)
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(data.decode("cp932"), newline="")))
    for column in profile.columns:
        for row in rows:
            assert len(row[column.header].encode("cp932")) <= column.max_bytes, column.header
            if column.width == "half":
                assert row[column.header].isascii() or not row[column.header], column.header
    return rows


def test_the_japan_post_file_reads_back_with_its_codes(shop) -> None:  # noqa: F811
    first, second = _rows(shop, carriers.JAPANPOST_YUPRI)
    assert (first["お客様側管理番号"], first["郵便種別"], first["元着区分"]) == ("L1001", "0", "0")
    assert (first["保冷種別"], second["保冷種別"]) == ("0", "2")  # 保冷なし, 冷凍
    assert (first["発送予定日"], first["配達希望日"], first["配達時間帯"]) == ("20261204", "20261210", "51")
    assert (second["配達希望日"], second["配達時間帯"]) == ("", "00")
    assert first["お届け先住所3"] == "ヤマビコハイツ１０１" and first["お届け先名称1"] == "山田　花子"


def test_the_sagawa_file_reads_back_with_its_codes_and_the_address_in_three_fields(shop) -> None:  # noqa: F811
    first, second = _rows(shop, carriers.SAGAWA_EHIDEN)
    assert (first["お客様管理ナンバー"], first["便種（スピード）"], first["元着区分"]) == ("L1001", "000", "1")
    assert (first["クール便指定"], second["クール便指定"]) == ("001", "003")  # 指定なし, 冷凍
    assert (first["配達日"], first["配達指定時間帯"], first["出荷日"]) == ("20261210", "01", "20261204")
    assert second["配達指定時間帯"] == ""
    # 16 characters a field: the long address runs on from 住所1 through 住所3.
    address = second["お届け先住所1"] + second["お届け先住所2"] + second["お届け先住所3"]
    assert address == "宮城県仙台市青葉区一番町一丁目一番一号山彦ビルディング東館北側入口"
    assert len(second["お届け先住所1"]) == 16 and second["お届け先住所2"]


def test_an_address_too_long_for_every_field_is_refused_naming_the_line(shop) -> None:  # noqa: F811
    run, run_lines = _golden_run(shop)
    run_lines[1].address *= 2
    with pytest.raises(FurusatoError) as refused:
        carriers.carrier_csv(run, run_lines, carriers.SAGAWA_EHIDEN)
    assert refused.value.message.startswith("出荷明細 L1002：お届け先住所3が長すぎます（佐川急便 e飛伝は")


def test_the_profile_is_the_supplier_s_unless_one_is_chosen_for_the_run(shop) -> None:  # noqa: F811
    made = shop["supplier"]
    assert made.carrier == "yamato_b2"
    gifts.save_supplier(gifts.SupplierInput(**{**SUPPLIER.__dict__, "carrier": "sagawa_ehiden"}), None, made)
    run, _ = _golden_run(shop)
    assert carriers.run_profile(run) is carriers.SAGAWA_EHIDEN
    assert carriers.run_profile(run, "japanpost_yupri") is carriers.JAPANPOST_YUPRI
    assert carriers.run_profile(run, "nope") is None
    with pytest.raises(FurusatoError) as refused:
        gifts.save_supplier(gifts.SupplierInput(**{**SUPPLIER.__dict__, "carrier": "nope"}), None, made)
    assert refused.value.field == "carrier"


def test_the_run_page_downloads_the_supplier_s_carrier_or_the_one_chosen(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    added = client.post("/furusato/suppliers", data={"code": "S-7", "name": "山彦郵便の事業者",
                                                     "order_weekdays": ["0", "3"], "carrier": "japanpost_yupri"})
    assert added.status_code == 303
    assert gifts.supplier_by_code("S-7").carrier == "japanpost_yupri"
    shop["supplier"].carrier = "japanpost_yupri"
    _paid()
    db.session.commit()
    assert client.post("/furusato/shipping/runs", data={"supplier": "S-1"}).status_code == 303
    run = db.session.scalar(select(OrderRun))
    page = client.get("/furusato/shipping").get_data(as_text=True)
    assert f'id="sagawa_ehiden-{run.id}"' in page and f'id="carrier-{run.id}"' in page
    default = client.get(f"/furusato/shipping/runs/{run.id}/carrier.csv")
    assert default.data.decode("cp932").startswith("お客様側管理番号,発送予定日")
    chosen = client.get(f"/furusato/shipping/runs/{run.id}/carrier.csv?carrier=sagawa_ehiden")
    assert chosen.data.decode("cp932").startswith("住所録コード,お届け先電話番号")
    assert client.get(f"/furusato/shipping/runs/{run.id}/carrier.csv?carrier=nope").status_code == 404


@pytest.mark.parametrize(("profile", "head"), [
    (carriers.JAPANPOST_YUPRI, "お客様側管理番号,お問い合わせ番号,差出日"),
    (carriers.SAGAWA_EHIDEN, "お客様管理ナンバー,お問合せ送り状No.,出荷日"),
], ids=["japanpost", "sagawa"])
def test_tracking_numbers_come_back_in_each_carrier_s_layout(shop, profile, head) -> None:  # noqa: F811
    _paid(), _paid("G-2", 20_000)
    run = runs.run_order(shop["supplier"], None)
    first, second = runs.lines_of(run)
    data = f"{head}\r\nL{first.id},4000-1234-5678,20261204\r\nL{second.id},400012345679,2026/12/05\r\n"
    with pytest.raises(FurusatoError) as refused:  # the B2 headers are not in this file
        tracking.import_tracking(data.encode("cp932"), None)
    assert "「お客様管理番号」と「伝票番号」" in refused.value.message
    assert tracking.import_tracking(data.encode("cp932"), None, profile) == 2
    assert (first.state, first.tracking_number, first.shipped_on) == (LineState.shipped, "400012345678",
                                                                      date(2026, 12, 4))
    assert second.shipped_on == date(2026, 12, 5)


def test_the_tracking_form_takes_the_carrier(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    _paid()
    run = runs.run_order(shop["supplier"], None)
    line = runs.lines_of(run)[0]
    db.session.commit()
    data = f"お客様管理ナンバー,お問合せ送り状No.\r\nL{line.id},400012345678\r\n".encode("cp932")
    response = client.post("/furusato/shipping/tracking", data={"carrier": "sagawa_ehiden", "file": (
        io.BytesIO(data), "t.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(line), line.id).tracking_number == "400012345678"
