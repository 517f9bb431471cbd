"""The pages of gifts and shipping (issue 18): each renders, refusals keep the input and change
nothing, the city approves on the gift page, the downloads are the run's files."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.models import Gift, GiftState
from app.furusato.shipping.models import OrderRun
from tests.furusato.shipping_fixtures import gift_input, supplier
from tests.furusato.test_shipping import _paid, shop  # noqa: F401  (the fixture)


def test_the_pages_render_for_the_office(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    for url in ("/furusato/suppliers", f"/furusato/suppliers/{shop['supplier'].id}", "/furusato/gifts",
                f"/furusato/gifts/{shop['gift'].id}", "/furusato/shipping", "/furusato/shipping/problems",
                "/furusato/shipping/mail-template"):
        assert client.get(url).status_code == 200, url


def test_a_gift_above_30_percent_is_refused_on_the_form_with_its_input_kept(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    response = client.post("/furusato/gifts", data={
        "code": "G-X", "name": "高すぎる返礼品", "amount": "１０，０００", "cost": "3500", "supplier_code": "S-1",
        "shipping_class": "ambient", "size": "60", "lead_days": "5", "local_category": "区域内で生産"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3割以下" in page and 'value="高すぎる返礼品"' in page
    assert db.session.scalar(select(func.count()).select_from(Gift).where(Gift.code == "G-X")) == 0


def test_the_city_approves_a_proposed_gift_and_the_office_cannot(shop, client, login_as, make_user) -> None:  # noqa: F811
    gift = gifts.save_gift(gift_input("G-3", 12_000, 3_600), None)
    db.session.commit()
    login_as("city_staff", username="city-approver")
    page = client.get(f"/furusato/gifts/{gift.id}").get_data(as_text=True)
    assert 'value="approved"' in page and 'id="allocation-form"' not in page
    assert client.post(f"/furusato/gifts/{gift.id}/state", data={"state": "listed"}).status_code == 422
    approve = client.post(f"/furusato/gifts/{gift.id}/state", data={"state": "approved", "note": "承認"})
    assert approve.status_code == 303
    db.session.expire_all()
    assert db.session.get(Gift, gift.id).state == GiftState.approved


def test_an_undertaking_upload_and_the_run_downloads(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    other = supplier("S-2", undertakings=False)
    db.session.commit()
    response = client.post(f"/furusato/suppliers/{other.id}/undertakings", data={
        "kind": "local_product", "signed_on": "2026-11-01", "document": (io.BytesIO(b"not a pdf"), "x.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "PDF・PNG・JPEG" in response.get_data(as_text=True)
    _paid()
    db.session.commit()
    assert client.post("/furusato/shipping/runs", data={"supplier": "S-1"}).status_code == 303
    run = db.session.scalar(select(OrderRun))
    assert client.get(f"/furusato/shipping/runs/{run.id}/sheet.pdf").data.startswith(b"%PDF")
    assert "管理番号" in client.get(f"/furusato/shipping/runs/{run.id}/sheet.csv").data.decode("cp932")
    b2 = client.get(f"/furusato/shipping/runs/{run.id}/b2.csv")
    assert b2.data.decode("cp932").startswith("お客様管理番号,送り状種別")
    bad = client.post("/furusato/shipping/tracking", data={"file": (io.BytesIO(
        "お客様管理番号,伝票番号\r\nL9999,400012345678\r\n".encode("cp932")), "t.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "2行目" in bad.get_data(as_text=True)
