"""The settlement pages (issue 19 §1-2): a month closed through the forms, refusals that keep
what was typed and change nothing, the PDFs, the cost ratio on the home page."""

from __future__ import annotations

import subprocess
from datetime import date

from app.extensions import db
from app.furusato.settlement import services
from app.furusato.settlement.models import AdSpend, SupplierMonth, SupplierMonthState
from tests.furusato.settlement_data import NOVEMBER, november


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_a_supplier_month_is_closed_and_the_invoice_issued_through_the_pages(app, furusato, client, login_as,
                                                                             tmp_path) -> None:
    seeded = november()
    db.session.commit()
    orchard = seeded["orchard"].id
    login_as("operator")
    page = client.get("/furusato/settlement?month=2026-11")
    assert page.status_code == 200 and "山彦果樹園" in page.text and "66,520" in page.text
    url = f"/furusato/settlement/suppliers/{orchard}"
    assert "27,000" in client.get(url + "?month=2026-11").text
    refused = client.post(f"{url}/dispute?month=2026-11", data={"note": ""})
    assert refused.status_code == 422 and "相違の内容を入力してください" in refused.text
    assert db.session.query(SupplierMonth).count() == 0  # nothing changed
    done = client.post(f"{url}/confirm?month=2026-11", data={"note": "電話で確認"})
    assert done.status_code == 303
    assert db.session.query(SupplierMonth).one().state == SupplierMonthState.confirmed
    issued = client.post("/furusato/settlement/invoice?month=2026-11", follow_redirects=True)
    assert "山彦牧場" in issued.text and services.invoice_of(NOVEMBER) is None  # the ranch has not confirmed
    client.post(f"/furusato/settlement/suppliers/{seeded['ranch'].id}/confirm?month=2026-11", data={"note": ""})
    client.post("/furusato/settlement/invoice?month=2026-11")
    assert services.invoice_of(NOVEMBER).total == 66_520
    text = _pdf_text(client.get("/furusato/settlement/invoice.pdf?month=2026-11").data, tmp_path)
    assert "66,520" in text and "山彦果樹園" in text and "SET-G2" in text
    text = _pdf_text(client.get(f"{url}/statement.pdf?month=2026-11").data, tmp_path)
    assert "31,200" in text and "確認済" in text


def test_an_ad_refused_keeps_what_was_typed(app, furusato, client, login_as) -> None:
    login_as("operator")
    typed = {"spent_on": "２０２６－１１－０５", "medium": "雑誌", "amount": "１０，０００円", "approved_on": ""}
    refused = client.post("/furusato/settlement/ads?month=2026-11", data=typed)
    assert refused.status_code == 422 and "市の承認日を入力してください" in refused.text
    assert 'value="雑誌"' in refused.text and db.session.query(AdSpend).count() == 0


def test_only_a_supervisor_reopens_a_closed_month(app, furusato, client, login_as, make_user) -> None:
    seeded = november()
    services.confirm(seeded["orchard"], NOVEMBER, "", by=make_user("operator", "op2"))
    db.session.commit()
    login_as("operator")
    url = f"/furusato/settlement/suppliers/{seeded['orchard'].id}/reopen?month=2026-11"
    assert client.post(url, data={"note": "訂正"}).status_code == 422
    client.post("/logout")
    login_as("supervisor")
    assert client.post(url, data={"note": "単価の訂正"}).status_code == 303
    assert db.session.query(SupplierMonth).one().state == SupplierMonthState.open


def test_the_cost_ratio_page_and_home_line_warn_from_45_percent(app, furusato, client, login_as) -> None:
    november()
    db.session.add(AdSpend(spent_on=date(2026, 11, 28), medium="雑誌広告", amount=5_000_000,
                           approved_on=date(2026, 11, 20)))
    db.session.commit()
    login_as("supervisor")
    page = client.get("/furusato/settlement/ratio?year=2026")
    assert page.status_code == 200 and "5割を超えています" in page.text and "広報に要する費用" in page.text
    assert "経費率（募集適正基準の5割）の警告" in client.get("/").text


def test_rates_are_entered_by_the_supervisor_with_their_date(app, furusato, client, login_as) -> None:
    login_as("supervisor")
    refused = client.post("/furusato/settlement/rates",
                          data={"kind": "shipping", "key": "", "effective_from": "", "value": ""})
    assert refused.status_code == 422 and "荷物のサイズ" in refused.text and "適用開始日" in refused.text
    done = client.post("/furusato/settlement/rates", data={"kind": "commission", "effective_from": "2026-10-01",
                                                  "value": "１２５０"})
    assert done.status_code == 303 and "12.50%" in client.get("/furusato/settlement/rates").text
