"""Changing a supplier (返礼品提供事業者): every field of the create form, the same rules (週2回以上
の発注, 004 §7(6)イ), a refused change keeps what was typed and changes nothing, the change is
audited by the names of the fields, the undertakings and gifts stay with the supplier, and only
the office of the donation programme may change one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.gifts.models import Supplier
from app.furusato.models import Gift
from tests.furusato.shipping_fixtures import gift_input, supplier

FORM = {"code": "S-1", "name": "平泉ファーム", "postal_code": "０２９－４１０２", "address": "平泉町平泉字泉屋1",
        "contact": "佐藤", "phone": "0191-46-0000", "email": "farm@example.jp",
        "bank": "岩手銀行 平泉支店 普通 1234567",
        "order_weekdays": ["1", "4"], "carrier": "yamato_b2"}


@pytest.fixture
def made(furusato) -> Supplier:
    found = supplier()
    gifts.save_gift(gift_input(), None)
    db.session.commit()
    return found


def _values(s: Supplier) -> tuple:
    db.session.expire_all()
    return (s.code, s.name, s.postal_code, s.address, s.contact, s.phone, s.email, s.bank, s.order_weekdays,
            s.fewer_orders_approved, s.carrier)


def test_the_office_changes_a_supplier_keeping_its_undertakings_and_gifts(made, client, login_as) -> None:
    login_as("operator")
    page = client.get(f"/furusato/suppliers/{made.id}").get_data(as_text=True)
    assert f"/furusato/suppliers/{made.id}/edit" in page
    form = client.get(f"/furusato/suppliers/{made.id}/edit")
    assert form.status_code == 200 and f'value="{made.name}"' in form.get_data(as_text=True)
    undertakings = len(made.undertakings)

    answer = client.post(f"/furusato/suppliers/{made.id}/edit", data=FORM)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/furusato/suppliers/{made.id}")
    assert _values(made) == ("S-1", "平泉ファーム", "029-4102", "平泉町平泉字泉屋1", "佐藤", "0191-46-0000",
                             "farm@example.jp", "岩手銀行 平泉支店 普通 1234567", "1,4", False, "yamato_b2")
    assert len(made.undertakings) == undertakings and not gifts.missing_undertakings(made)
    assert db.session.scalar(select(Gift.supplier_id).where(Gift.code == "G-1")) == made.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "furusato_supplier",
                                                        AuditEntry.action == "update")).one()
    assert "事業者名" in entry.detail and "振込先" in entry.detail and "1234567" not in entry.detail
    assert "事業者コード" not in entry.detail


def test_a_refused_change_names_every_field_keeps_the_input_and_changes_nothing(made, client, login_as) -> None:
    other = supplier("S-2", undertakings=False)
    db.session.commit()
    login_as("operator")
    before = _values(made)
    audits = db.session.scalars(select(AuditEntry.id)).all()
    answer = client.post(f"/furusato/suppliers/{made.id}/edit", data={
        **FORM, "code": other.code, "name": "", "postal_code": "12345", "order_weekdays": ["2"],
        "address": "変えたい住所"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for message in ("事業者コード「S-2」は既に使われています", "事業者名を入力してください",
                    "郵便番号は7桁", "発注日は週2回以上"):
        assert message in page
    assert 'value="変えたい住所"' in page and 'value="12345"' in page
    # the order days are seven checkboxes (a list box hid 土・日 below its fold), the typed one kept
    assert page.count('type="checkbox" value="') >= 7 and 'name="order_weekdays"' in page
    assert _checked(page, "order_weekdays") == ["2"]
    assert _values(made) == before
    assert [e for e in db.session.scalars(select(AuditEntry)) if e.id not in audits
            and e.action != "read"] == []


def _checked(page: str, name: str) -> list[str]:
    checked = rf'<input checked id="{name}-\d+" name="{name}" type="checkbox" value="(\d+)"'
    return [m.group(1) for m in re.finditer(checked, page)]


def test_the_city_s_exception_lets_a_supplier_order_once_a_week(made, client, login_as) -> None:
    login_as("supervisor")
    answer = client.post(f"/furusato/suppliers/{made.id}/edit",
                         data={**FORM, "order_weekdays": ["2"], "fewer_orders_approved": "y"})
    assert answer.status_code == 303
    assert made.weekdays == (2,) and made.fewer_orders_approved


@pytest.mark.parametrize(("role", "programme", "allowed"), [
    ("operator", "furusato", True), ("supervisor", "furusato", True), ("city_staff", "furusato", False),
    ("operator", "counter", False), ("admin", "all", False)])
def test_only_the_donation_office_changes_a_supplier(made, client, login_as, role, programme, allowed) -> None:
    login_as(role, programme=programme)
    before = _values(made)
    page = client.get(f"/furusato/suppliers/{made.id}/edit")
    answer = client.post(f"/furusato/suppliers/{made.id}/edit", data={**FORM, "name": "別の名前"})
    assert (page.status_code, answer.status_code) == ((200, 303) if allowed else (403, 403))
    if not allowed:
        assert _values(made) == before
