"""The back-office ledgers' pages: each list says how many and pages, a refused form comes back
(422) with every problem on its field in Japanese and what was typed, and changes nothing; the
list pages audit the people they show; the 住居番号通知書 is a PDF."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core import services as core
from app.core.dates import today
from app.counter.backoffice import cards, forwardings, house_numbers, passports
from app.counter.backoffice.models import Forwarding, PassportApplication, ReturnedCard
from app.demo import DEMO_CITY
from app.extensions import db


@pytest.mark.parametrize("url", ["/counter/backoffice/passports", "/counter/backoffice/passports?list=uncollected",
                                 "/counter/backoffice/house-numbers", "/counter/backoffice/forwardings",
                                 "/counter/backoffice/forwardings?list=overdue", "/counter/backoffice/cards",
                                 "/counter/backoffice/cards?list=all"])
def test_each_list_page_says_how_many(client, login_as, procedures, url) -> None:
    login_as("city_staff")
    page = client.get(url)
    assert page.status_code == 200 and "0件" in page.get_data(as_text=True)


def test_a_refused_passport_form_shows_every_problem_keeps_what_was_typed_and_adds_nothing(client, login_as,
                                                                                          procedures) -> None:
    login_as("operator")
    response = client.post("/counter/backoffice/passports", data={"applicant_name": "旅川 一郎", "kind": "",
                                                                  "received_on": "２０２６－１３－０１"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "受付日は日付（例: 2026-12-01）で入力してください。" in body
    response = client.post("/counter/backoffice/passports", data={"applicant_name": "旅川 一郎", "kind": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("申請者の住所を入力してください。", "旅券の種類を一覧から選んでください。",
                    "受付日を入力してください。"):
        assert message in body
    assert 'value="旅川 一郎"' in body
    assert db.session.scalar(select(PassportApplication).limit(1)) is None


def test_a_passport_walks_its_steps_through_the_pages_and_the_list_read_is_audited(client, login_as,
                                                                                   procedures) -> None:
    user = login_as("operator")
    day = today()
    assert client.post("/counter/backoffice/passports", data={
        "applicant_name": "旅川 一郎", "applicant_address": "山彦市本町1-1", "kind": "ten_years",
        "received_on": f"{day}"}).status_code == 303
    item = db.session.scalar(select(PassportApplication))
    base = f"/counter/backoffice/passports/{item.id}"
    assert client.post(f"{base}/send", data={"day": f"{day}"}).status_code == 303
    assert client.post(f"{base}/arrive", data={"day": f"{day}", "issued_on": f"{day}"}).status_code == 303
    refused = client.post(f"{base}/hand_out", data={"day": f"{day}"})
    assert refused.status_code == 422 and "本人確認書類を入力してください。" in refused.get_data(as_text=True)
    assert client.post(f"{base}/hand_out", data={"day": f"{day}", "identity_document": "旅券申請受理票・運転免許証"}
                       ).status_code == 303
    assert "交付済" in client.get(base).get_data(as_text=True)
    assert client.post(f"{base}/nonsense", data={}).status_code == 404
    client.get("/counter/backoffice/passports")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "passport_application",
                                                      AuditEntry.object_id == "list", AuditEntry.user_id == user.id))


def test_city_staff_read_but_do_not_enter(client, login_as, procedures) -> None:
    login_as("city_staff")
    assert client.post("/counter/backoffice/cards", data={}).status_code == 403


def test_the_notice_pdf_and_the_detail_pages(client, login_as, procedures, operator) -> None:
    core.save_municipality(DEMO_CITY)
    day = today()
    notice_input = house_numbers.NoticeInput("山彦市本町一丁目3番", "12", "", "新居 正男", "占有者", day, day)
    notice = house_numbers.issue(notice_input, today=day, by=operator)
    card = cards.receive(cards.CardInput("nhi", "宛先 不明子", None, "山彦市本町9-9", day, "unknown"), today=day,
                         by=operator)
    sent = forwardings.forward(forwardings.ForwardingInput("書類", "", "other_office", "海辺町", day, day),
                               today=day, by=operator)
    db.session.commit()
    login_as("operator")
    pdf = client.get(f"/counter/backoffice/house-numbers/{notice.id}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    detail = client.get(f"/counter/backoffice/house-numbers/{notice.id}").get_data(as_text=True)
    assert "山彦市本町一丁目3番12号" in detail
    unnamed = client.post(f"/counter/backoffice/cards/{card.id}/handed", data={"day": f"{day}", "text": ""})
    assert unnamed.status_code == 422
    assert "引渡先（本人・市の担当課など）を入力してください。" in unnamed.get_data(as_text=True)
    assert client.post(f"/counter/backoffice/cards/{card.id}/destroyed",
                       data={"day": f"{day}", "text": "市の指示"}).status_code == 303
    assert db.session.get(ReturnedCard, card.id).destroyed_on == day
    answer = client.post(f"/counter/backoffice/forwardings/{sent.id}/answer",
                         data={"answered_on": f"{date(2000, 1, 1)}", "answer": ""})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "回答日は進達日" in body and "回答の内容を入力してください。" in body
    assert db.session.get(Forwarding, sent.id).answered_on is None
    assert passports.UNCOLLECTED_MONTHS == 6
