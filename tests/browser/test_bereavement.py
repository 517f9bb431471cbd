"""The bereavement corner and the inquiry log in the browser (issue 20 "Shows"): an operator
books a reservation by phone, sees the procedures derived from the registry and the
questionnaire, prints the guide, holds the visit, opens a counter case from it and hands two
procedures over to their departments; then records an inquiry and an incident, and the city
acknowledges the incident."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.bereavement import services
from app.core import calendar
from app.core.dates import now, today
from app.counter import catalog
from app.extensions import db
from app.registry.models import HEAD, Household, Resident

pytestmark = pytest.mark.browser


@pytest.fixture
def corner(live_app, live_user) -> str:
    """The catalog, three slots on the next office day, and the deceased in the registry."""
    city = live_user("city_staff")
    with live_app.app_context():
        from sqlalchemy import select

        from app.auth.models import User

        catalog.load()
        day = calendar.next_office_day(today())
        services.add_slots(services.SlotInput(day, "10:00 13:30", 60),
                           by=db.session.scalar(select(User).where(User.username == city)))
        household = Household(postal_code="0290000", address="岩手県山彦市本町一丁目2番3号",
                              created_on=date(1990, 4, 1))
        db.session.add(Resident(household=household, family_name="山彦", given_name="一郎", family_kana="ヤマビコ",
                                given_kana="イチロウ", birth_date=date(1945, 5, 6), sex="1", relationship=HEAD,
                                resident_since=date(1990, 4, 1), address_since=date(1990, 4, 1),
                                notified_on=date(1990, 4, 1), nhi_member=False))
        db.session.commit()
    return city


def _logout(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.get_by_label("ログイン名").wait_for()


def _book(page, shots: Path) -> None:
    page.locator("nav.side-nav").get_by_role("link", name="おくやみコーナー").click()
    page.get_by_role("link", name="予約を受け付ける（電話・窓口）").click()
    page.get_by_label("予約枠").select_option(index=1)
    page.get_by_label("亡くなった方の氏名").fill("山彦 一郎")
    page.get_by_label("亡くなった方のフリガナ").fill("やまびこ いちろう")
    page.get_by_label("亡くなった方の生年月日").fill("1945-05-06")
    page.get_by_label("亡くなった日").fill(today().isoformat())
    page.get_by_label("ご家族（来庁される方）の氏名").fill("山彦 花子")
    page.get_by_label("亡くなった方との続柄").fill("妻")
    page.get_by_label("連絡先電話番号").fill("019-123-4567")
    page.get_by_label("軽自動車・原動機付自転車を持っていた").check()
    page.get_by_role("button", name="予約を受け付ける").click()
    page.get_by_text("予約を受け付けました").wait_for()
    assert "照合済" in page.locator("#registry-match").inner_text()
    items = page.locator("#items")
    for name in ("除票の写し・除籍謄本の交付", "後期高齢者医療 葬祭費の支給申請",
                 "介護保険 資格喪失届・被保険者証の返却", "軽自動車税 名義変更・廃車の届出"):
        items.get_by_text(name).wait_for()
    assert "国民健康保険 葬祭費" not in items.inner_text()  # the registry says: not an NHI member
    page.screenshot(path=str(shots / "bereavement-derived.png"))


def _visit(page, live_server, shots: Path) -> None:
    guide_url = page.get_by_role("link", name="ご案内（PDF）を印刷").get_attribute("href")
    guide = page.request.get(f"{live_server.url}{guide_url}")
    assert guide.headers["content-type"] == "application/pdf" and guide.body().startswith(b"%PDF")

    page.get_by_role("button", name="来庁対応を始める").click()
    page.get_by_text("来庁対応を始めました").wait_for()
    page.locator("#item-late_elderly_funeral").get_by_role("button", name="窓口で受け付ける").click()
    page.get_by_text("の案件を受け付けました").wait_for()
    for rule, text, done in (("care_insurance", "被保険者証は郵送で返却できると説明", "介護保険課へ引き継ぎました"),
                             ("car", "車検証を持って税務課へ", "税務課へ引き継ぎました")):
        row = page.locator(f"#item-{rule}")
        row.get_by_label("ご家族に説明した内容").fill(text)
        row.get_by_role("button", name="へ引き継ぐ").click()
        page.get_by_text(done).wait_for()
        assert text in page.locator(f"#item-{rule}").inner_text()
    page.screenshot(path=str(shots / "bereavement-visit.png"))
    sheet_url = page.get_by_role("link", name="お持ち帰り用の一覧（PDF）").get_attribute("href")
    assert page.request.get(f"{live_server.url}{sheet_url}").body().startswith(b"%PDF")
    page.locator("#item-late_elderly_funeral").get_by_role("link", name="案件 第").click()
    page.get_by_text("後期高齢者医療 葬祭費の支給申請").first.wait_for()
    page.goto(f"{live_server.url}/bereavement/handovers?department=税務課")
    assert "車検証を持って税務課へ" in page.locator("#handovers").inner_text()


def _inquiry_and_incident(page) -> str:
    page.locator("nav.side-nav").get_by_role("link", name="問い合わせ・苦情").click()
    page.get_by_label("受付方法").first.select_option(label="電話")
    page.get_by_label("分類", exact=True).first.select_option(label="証明書")
    page.get_by_label("関係する手続").select_option(label="住民票の写しの交付")
    page.get_by_label("内容", exact=True).fill("代理人が住民票を取るには")
    page.get_by_label("回答した内容").fill("委任状と代理人の本人確認書類が必要")
    page.get_by_label("対応時間（分）").fill("5")
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("問い合わせを記録しました").wait_for()
    assert "代理人が住民票を取るには" in page.locator("#inquiries").inner_text()

    page.get_by_role("link", name="事故報告").first.click()
    page.get_by_label("種別").select_option(label="誤交付・誤送付")
    page.get_by_label("発生日時").fill(now().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("発生場所").fill("おくやみコーナー")
    page.get_by_label("件数（人数）").fill("1")
    page.get_by_label("発生状況（何が起きたか）").fill("別の家族の案内を渡しかけた")
    page.get_by_label("関わる個人情報の内容（どのデータか）").fill("おくやみ手続のご案内 1枚")
    page.get_by_label("講じた措置（被害拡大の防止・連絡など）").fill("その場で回収した")
    page.get_by_role("button", name="記録して市へ報告する").click()
    page.get_by_text("事故を記録し、市へ報告しました。").wait_for()
    return page.url


def test_a_reservation_a_visit_an_inquiry_and_an_acknowledged_incident(
        page, live_server, live_user, browser_login, corner: str, shots: Path) -> None:
    browser_login(live_user("operator"))
    _book(page, shots)
    _visit(page, live_server, shots)
    incident_url = _inquiry_and_incident(page)
    _logout(page)

    browser_login(corner)
    page.goto(incident_url)
    page.get_by_label("市からの指示").fill("手順を見直し報告すること")
    page.get_by_role("button", name="確認した（指示を伝える）").click()
    page.locator("#incident-state").get_by_text("市が確認").wait_for()
    page.screenshot(path=str(shots / "bereavement-incident-acknowledged.png"))
