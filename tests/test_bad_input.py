"""Bad input is refused with a 400 or a form's 422, never a 500 (issue 14 §4 "Bad input"): a NUL
character anywhere in a request (PostgreSQL refuses it in text), numbers beyond PostgreSQL's
integer, and text that width folding lengthens beyond its column. Run on PostgreSQL too
(TEST_DATABASE_URL): SQLite stores all of these without a word."""

from __future__ import annotations

import io
from typing import Any

import pytest

from app.devices import services as device_services
from app.extensions import db
from app.furusato import services as furusato

REFUSED = "使用できない文字が含まれています"
SEARCHES = {
    "/furusato/donations": ("date_from", "date_to", "portal", "gift", "prefecture", "amount_band", "status",
                            "one_stop", "text", "page"),
    "/furusato/totals": ("date_from", "portal"),
    "/furusato/suspects": ("status", "reason"),
    "/registry/": ("kana", "name", "birth_date"),
    "/audit": ("username", "object_type", "object_id", "action"),
    "/seal/": ("q",),
    "/register/payments": ("q",),
}
NUL_GETS = ["/t/%00", "/kiosk/%00", "/kiosk/kiosk-1%00", "/furusato/%00",
            *(f"{path}?{name}=%00" for path, names in SEARCHES.items() for name in names)]
INTAKE = {"channel": "phone", "applied_on": "2026-04-01", "amount": "10000", "payment_method": "postal",
          "status": "unpaid", "quantity": "1", "name": "山田 太郎", "kana": "ヤマダ タロウ", "phone": "0312345678",
          "postal_code": "1000001", "address": "東京都千代田区丸の内1-1", "prefecture": "東京都"}


@pytest.fixture
def office(app: Any) -> None:
    """The donation programme's portals and home area, and a kiosk."""
    furusato.sync_portals()
    furusato.save_settings("岩手県", "西磐井郡平泉町", "02941", "test")
    device_services.create_terminal(device_services.NewTerminal("kiosk-1", "玄関 発券機", "kiosk"))
    db.session.commit()


@pytest.mark.parametrize("url", NUL_GETS)
def test_a_nul_in_a_path_or_a_search_is_refused(client, login_as, office, url: str) -> None:
    login_as("supervisor")
    response = client.get(url)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "data"), [
    ("/counter/reception", {"visitor_name": "山田\x00太郎", "procedures": "resident_copy"}),
    ("/furusato/intake", {**INTAKE, "name": "山田\x00太郎"}),
    ("/furusato/intake", {**INTAKE, "notes": "\x00"}),
    ("/furusato/imports", {"portal": "choice", "file": (io.BytesIO(b"a,b\r\n1,2\r\n"), "portal\x00.csv")}),
    ("/furusato/imports", {"portal": "choice\x00", "file": (io.BytesIO(b"a,b\r\n1,2\r\n"), "portal.csv")}),
    ("/furusato/imports", {"portal": "choice", "encoding": "\x00", "file": (io.BytesIO(b"a\r\n1\r\n"), "a.csv")}),
])
def test_a_nul_in_a_form_or_a_file_name_is_refused(client, login_as, office, url: str, data: dict[str, Any]) -> None:
    login_as("supervisor")
    response = client.post(url, data=data)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def test_a_nul_in_the_agents_json_is_refused(client, office) -> None:
    _, token = device_services.create_terminal(device_services.NewTerminal("desk-9", "9番窓口", "counter_pc"))
    db.session.commit()
    response = client.post("/agent/api/poll", json={"health": {"printer": "ok\x00"}},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["amount", "quantity"])
@pytest.mark.parametrize("number", [str(2**31), str(-(2**31) - 1), "9" * 30])
def test_a_number_beyond_the_integer_column_is_a_form_error(client, login_as, office, field: str, number: str) -> None:
    login_as("supervisor", programme="furusato")
    assert client.post("/furusato/intake", data={**INTAKE, field: number}).status_code == 422


@pytest.mark.parametrize("field", ["name", "address", "email"])
def test_text_that_folding_lengthens_beyond_its_column_is_a_form_error(client, login_as, office, field: str) -> None:
    """"㍿" folds to "株式会社" (NFKC): 99 of them are 396 characters."""
    login_as("supervisor", programme="furusato")
    response = client.post("/furusato/intake", data={**INTAKE, field: "㍿" * 99})
    assert response.status_code == 422 and "文字" in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "status"), [
    (f"/furusato/imports/{2**31}", 404), (f"/furusato/donations/{10**20}", 404),
    (f"/furusato/donations?page={10**25}", 200), ("/calendar?year=99999", 200), (f"/calendar?year={10**30}", 200),
])
def test_an_id_or_a_page_beyond_the_integer_column_is_no_error(client, login_as, office, url: str,
                                                                status: int) -> None:
    login_as("supervisor", programme="furusato")
    assert client.get(url).status_code == status


def test_a_nul_in_the_client_address_is_refused(client) -> None:
    """The address goes to the audit log; behind the proxy a forwarded header sets it."""
    response = client.post("/login", data={"username": "nobody", "password": "x"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1\x00"})
    assert response.status_code == 400
