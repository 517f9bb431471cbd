"""The bereavement corner's pages: the public booking page (CSRF, no personal data shown back,
limited per address like the kiosk) and the staff's reservation, visit and handover pages."""

from __future__ import annotations

from sqlalchemy import select

from app.bereavement.models import Reservation
from app.extensions import db


def _form(slot_id: int, **changes: str) -> dict[str, str]:
    values = {"slot_id": str(slot_id), "deceased_name": "山彦 一郎", "deceased_kana": "ヤマビコ イチロウ",
              "deceased_birth_date": "1945-05-06", "died_on": "2026-11-30", "family_name": "山彦 花子",
              "family_relationship": "妻", "family_phone": "０１９－１２３－４５６７", "q_car": "y"}
    values.update(changes)
    return values


def test_the_public_page_books_without_showing_personal_data_back(client, slots, deceased) -> None:
    page = client.get("/bereavement/book")
    assert page.status_code == 200 and slots[0].label in page.text
    assert client.post("/bereavement/book", data=_form(slots[0].id), csrf=False).status_code == 400
    done = client.post("/bereavement/book", data=_form(slots[0].id))
    assert done.status_code == 200
    reservation = db.session.scalar(select(Reservation))
    assert reservation is not None and reservation.deceased_resident_id == deceased.id
    assert reservation.number in done.text and reservation.family_phone == "019-123-4567"
    for personal in ("山彦", "本町一丁目", "019-123-4567", "税務課"):
        assert personal not in done.text
    assert reservation.booked_from == "127.0.0.1" and reservation.created_by_id is None


def test_a_refused_public_booking_keeps_the_input_and_saves_nothing(client, slots) -> None:
    refused = client.post("/bereavement/book", data=_form(slots[0].id, deceased_kana="", died_on="昨日"))
    assert refused.status_code == 422
    assert "亡くなった方のフリガナを入力してください" in refused.text and "亡くなった日は日付" in refused.text
    assert 'value="山彦 花子"' in refused.text
    assert db.session.scalar(select(Reservation)) is None


def test_the_public_page_is_rate_limited_per_address(client, slots, make_user, app) -> None:
    from app.bereavement import services

    more = services.add_slots(services.SlotInput(slots[0].day, "16:00", 30), by=make_user("city_staff", "city4"))
    db.session.commit()
    for slot in slots:
        assert client.post("/bereavement/book", data=_form(slot.id)).status_code == 200
    busy = client.post("/bereavement/book", data=_form(more[0].id))
    assert busy.status_code == 429 and "混み合っています" in busy.text
    assert db.session.scalar(select(Reservation).where(Reservation.slot_id == more[0].id)) is None


def test_the_staff_hold_the_visit_and_hand_over(client, login_as, slots, deceased) -> None:
    login_as("operator")
    booked = client.post("/bereavement/new", data={**_form(slots[1].id), "channel": "counter"})
    assert booked.status_code == 303
    reservation = db.session.scalar(select(Reservation))
    page = client.get(booked.headers["Location"])
    assert "後期高齢者医療 葬祭費の支給申請" in page.text and "軽自動車税 名義変更・廃車の届出" in page.text
    guide = client.get(f"/bereavement/{reservation.id}/guide.pdf")
    assert guide.mimetype == "application/pdf" and guide.headers["Cache-Control"] == "no-store"
    assert client.post(f"/bereavement/{reservation.id}/visit").status_code == 303
    items = {i.rule: i for i in reservation.items}
    funeral = items["late_elderly_funeral"].id
    assert client.post(f"/bereavement/{reservation.id}/items/{funeral}/case").status_code == 303
    unexplained = client.post(f"/bereavement/{reservation.id}/items/{items['car'].id}/handover", data={"explained": ""})
    assert unexplained.status_code == 422 and "説明した内容を入力してください" in unexplained.text
    assert client.post(f"/bereavement/{reservation.id}/items/{items['car'].id}/handover",
                       data={"explained": "税務課で名義変更"}).status_code == 303
    listed = client.get("/bereavement/handovers?department=税務課")
    assert "税務課で名義変更" in listed.text and "019-123-4567" in listed.text
    sheet = client.get(f"/bereavement/{reservation.id}/take-home.pdf")
    assert sheet.mimetype == "application/pdf"


def test_only_the_city_sets_slots(client, login_as, slots, office_day) -> None:
    login_as("operator")
    assert client.post("/bereavement/slots", data={"day": office_day.isoformat(), "times": "16:00",
                                                   "minutes": "30"}).status_code == 403
