"""The counter's ledgers in Chromium (issue 21): a temporary plate from its permit to its return,
with the 臨時運行許可証 PDF; and a postal request from receipt through city review and payment
by 定額小為替 to the mailed certificate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import services as core
from app.counter import catalog
from app.counter.ledgers.models import PostalRequest, TemporaryPermit
from app.demo import DEMO_CITY
from app.devices import services as devices
from app.extensions import db
from app.register.fees import seed_default_fees
from app.register.models import Bill, Payment
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger_office(live_app: Flask) -> None:
    with live_app.app_context():
        core.save_municipality(DEMO_CITY)
        catalog.load()
        seed_default_fees(date(2020, 4, 1))
        terminal, _ = devices.create_terminal(devices.NewTerminal("register-ledgers", "会計 レジ", "register"))
        devices.save_binding(terminal, devices.BindingInput("printer", "printer", "sim://register-ledgers"))
        db.session.commit()


def _logout(page: Any) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login**")


def test_a_temporary_plate_from_the_permit_to_its_return(page, live_app, live_server: LiveServer, live_user,
                                                          browser_login, ledger_office, shots) -> None:
    browser_login(live_user("operator", "plates"))
    page.locator("nav.side-nav").get_by_role("link", name="臨時運行許可").click()
    page.get_by_label("番号標の番号").fill("山彦 臨 ３０１")
    page.get_by_role("button", name="番号標を登録").click()
    page.get_by_text("番号標「山彦 臨 301」を登録しました").wait_for()

    form = page.locator("#permit-form")
    form.get_by_label("貸与する番号標").select_option(label="山彦 臨 301")
    form.get_by_label("申請者の氏名・名称").fill("山彦モータース")
    form.get_by_label("申請者の住所").fill("山彦市本町3-3")
    form.get_by_label("車名").fill("ホンダ")
    form.get_by_label("車台番号").fill("ＪＦ３－１２３４５６７")
    form.get_by_label("運行の目的").fill("新規検査のための回送")
    form.get_by_label("運行の経路").fill("山彦市本町〜山彦自動車検査登録事務所")
    form.get_by_role("button", name="許可して番号標を貸与（手数料は会計へ）").click()
    page.get_by_text("臨時運行を許可しました").wait_for()
    assert page.locator("#permit-plate").inner_text() == "山彦 臨 301"
    assert page.locator("#permit-state").inner_text() == "貸出中"
    assert "未収" in page.locator("#permit-bill").inner_text()
    pdf = page.request.get(live_server.url + page.locator("#permit-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (shots / "temporary-permit.pdf").write_bytes(pdf.body())
    page.screenshot(path=str(shots / "ledgers-1-permit.png"), full_page=True)

    # the same plate is not offered again while it is out
    page.get_by_role("link", name="発行管理簿へ戻る").click()
    page.wait_for_url(f"{live_server.url}/counter/ledgers/plates")
    options = page.locator("#permit-form select option").all_inner_texts()
    assert options == ["選んでください"]
    assert "貸出中" in page.locator("#plate-rows").inner_text()

    page.locator("#ledger-rows").get_by_role("link").first.click()
    page.get_by_label("返納した方の氏名").fill("山彦 三郎")
    page.get_by_role("button", name="許可証と番号標の返納を受ける").click()
    page.get_by_text("返納を受けました").wait_for()
    assert page.locator("#permit-state").inner_text().startswith("返納済")
    page.get_by_role("link", name="発行管理簿へ戻る").click()
    page.wait_for_url(f"{live_server.url}/counter/ledgers/plates")
    assert "山彦 臨 301" in page.locator("#permit-form select option").all_inner_texts()

    with live_app.app_context():
        permit = db.session.scalar(select(TemporaryPermit))
        assert (permit.chassis_number, permit.returned_by_name) == ("JF3-1234567", "山彦 三郎")
        bill = db.session.scalar(select(Bill).where(Bill.source_type == "temporary_permit"))
        assert bill is not None and bill.source_id == str(permit.id)


def test_a_postal_request_from_receipt_through_review_to_the_mailed_certificate(
        page, live_app, live_server: LiveServer, live_user, browser_login, ledger_office, shots) -> None:
    operator, city = live_user("operator", "postal"), live_user("city_staff", "city")
    browser_login(operator)
    request_url = _receive_the_letter(page)
    case_url = _check_and_send_to_review(page)
    _logout(page)
    _city_staff_approve(page, browser_login, city, case_url)
    browser_login(operator)
    _issue_and_pay_by_money_order(page, live_server, case_url)
    _mail_it_with_the_change_in_stamps(page, request_url, shots)

    page.goto(f"{live_server.url}/register/close")
    assert page.locator("#money-orders").inner_text() == "450円"
    assert page.locator("#expected-cash").inner_text() == "0円"
    with live_app.app_context():
        request = db.session.scalar(select(PostalRequest))
        assert request.mailed_on is not None and request.change_form == "stamps"
        payment = db.session.scalar(select(Payment))
        assert (payment.method, payment.received, payment.change) == ("postal_money_order", 500, 50)


def _receive_the_letter(page: Any) -> str:
    """The letter arrives: the request is entered, and its case opened; returns its page."""
    page.locator("nav.side-nav").get_by_role("link", name="郵便請求").click()
    form = page.locator("#postal-form")
    form.get_by_label("請求者の氏名").fill("郵便 花子")
    form.get_by_label("請求者の住所（返送先）").fill("山彦市本町2-2")
    form.get_by_label("請求された証明書").select_option(label="戸籍謄本・抄本（全部・個人事項証明）の交付")
    form.get_by_label("同封の定額小為替（額面の合計・円）").fill("500")
    form.get_by_label("定額小為替の枚数").fill("1")
    form.get_by_label("定額小為替の記号番号").fill("12-345678")
    form.get_by_role("button", name="郵便請求を受け付ける").click()
    page.get_by_text("郵便請求を受け付けました").wait_for()
    assert "受付" in page.locator("#postal-case").inner_text()
    return page.url


def _check_and_send_to_review(page: Any) -> str:
    """The usual case: checks (the copy of the licence enclosed), input, 審査依頼."""
    page.locator("#postal-case-link").click()
    page.get_by_label("請求者の区分").select_option(label="郵便請求")
    page.get_by_label("運転免許証・運転経歴証明書").check()
    page.get_by_label("請求書・届書の記載内容を点検した").check()
    page.get_by_label("交付請求書").check()
    page.get_by_role("button", name="確認完了（入力へ）").click()
    page.get_by_text("確認が済みました").wait_for()
    case_url = page.url.split("#")[0]
    page.locator("#f-kind").select_option("full")
    page.locator("#f-domicile").fill("山彦市本町2番地")
    page.locator("#f-domicile_head").fill("郵便 太郎")
    page.locator("#f-purpose").fill("年金の手続")
    page.get_by_role("button", name="保存して審査依頼").click()
    page.get_by_text("審査を依頼しました").wait_for()
    return case_url


def _city_staff_approve(page: Any, browser_login: Any, city: str, case_url: str) -> None:
    browser_login(city)
    page.goto(case_url)
    page.get_by_role("button", name="審査開始").click()
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("承認しました").wait_for()
    _logout(page)


def _issue_and_pay_by_money_order(page: Any, live_server: LiveServer, case_url: str) -> None:
    page.goto(case_url)
    page.get_by_role("button", name="交付して会計へ").click()
    page.locator("#case-state", has_text="会計").wait_for()
    page.goto(f"{live_server.url}/register")
    page.get_by_role("link", name="郵便 花子の会計").click()
    page.get_by_label("支払方法").select_option(label="定額小為替")
    page.get_by_label("お預かり金額（円）").fill("500")
    page.get_by_label("承認番号・取引番号（キャッシュレス）").fill("12-345678")
    page.get_by_role("button", name="収納してレシートを印刷").click()
    page.get_by_role("heading", name="収納しました").wait_for()


def _mail_it_with_the_change_in_stamps(page: Any, request_url: str, shots: Any) -> None:
    page.goto(request_url)
    assert "定額小為替 450円、おつり 50円" in page.locator("#postal-payment").inner_text()
    page.get_by_label("おつりの返し方").select_option(label="切手")
    page.get_by_role("button", name="発送を記録する").click()
    page.get_by_text("発送を記録しました").wait_for()
    assert "おつり 50円を切手で返送" in page.locator("#postal-mailed").inner_text()
    page.screenshot(path=str(shots / "ledgers-2-postal-mailed.png"), full_page=True)
