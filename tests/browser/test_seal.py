"""印鑑登録 in the real browser: the applicant picked from a registry search, a seal read from
the counter's simulated scanner through the real agent, a too-small one refused with its
reason, city review, and a certificate whose impression measures its registered size on paper
and whose fee waits at the register."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from app.core import services as core_services
from app.devices import services as device_services
from app.extensions import db
from app.register.fees import seed_default_fees
from app.seal import documents, imaging
from hardware.agent import Agent
from hardware.scanner.simulator import clear_slot, place_seal
from tests.live import start_agent
from tests.registry.factories import make_household

pytestmark = pytest.mark.browser
SLOT = "counter-seal"


@pytest.fixture
def scanner_agent(live_app: Flask, live_server: Any) -> Iterator[Agent]:
    """A counter PC whose scanner is the simulator, and the real agent polling the live server."""
    with live_app.app_context():
        core_services.save_municipality(core_services.MunicipalityInput(
            name="山彦市", code="039993", postal_code="029-0000", address="岩手県山彦市本町一丁目1番1号",
            mayor_name="山彦 太郎", contractor_name="株式会社やまびこ窓口サービス"))
        seed_default_fees(date(2020, 4, 1))
        make_household([
            {"family_name": "山田", "given_name": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ",
             "birth_date": date(1980, 5, 6)},
            {"family_name": "山田", "given_name": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ",
             "birth_date": date(1982, 8, 1), "relationship": "妻"},
        ], address="岩手県山彦市本町二丁目3番4号", postal_code="0290000")
        terminal, token = device_services.create_terminal(device_services.NewTerminal(SLOT, "4番窓口 端末",
                                                                                      "counter_pc"))
        device_services.save_binding(terminal, device_services.BindingInput("scanner", "scanner",
                                                                            f"sim://{SLOT}?dpi=600"))
        db.session.commit()
    agent, stop_agent = start_agent(live_server.url, token)
    yield agent
    stop_agent()
    clear_slot(SLOT)


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("ログイン名").fill(username)
    page.get_by_label("パスワード").fill("correct-horse-battery")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{url}/")


def _logout(page: Any) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login**")


def _receive_an_application(page: Any) -> None:
    """The operator picks the applicant from a registry search and receives the application."""
    page.locator("nav.side-nav").get_by_role("link", name="印鑑登録", exact=True).click()
    page.get_by_role("link", name="印鑑登録申請を受け付ける").click()
    page.get_by_label("氏名（カナ・ひらがな、前方一致）").fill("やまだ")
    page.get_by_label("生年月日").fill("1980-05-06")
    page.get_by_role("button", name="住民記録を検索").click()
    page.get_by_role("link", name="山田\u3000太郎さんを申請者にする").click()
    assert page.locator("#applicant-name").inner_text() == "山田\u3000太郎（ヤマダ\u3000タロウ）"
    page.get_by_label("本人確認書類").select_option("driver_license")
    page.get_by_role("button", name="受け付ける").click()
    page.get_by_text("印鑑登録申請を受け付けました").wait_for()


def _scan_refuse_then_accept(page: Any, tmp_path: Path) -> None:
    """A seal too small is refused with its reason; a good one is read at its size."""
    place_seal(SLOT, side_mm=7.0, shape="round", text="山田")  # too small: fits inside 8 mm
    page.get_by_role("button", name="スキャナで読み取る").click()
    page.get_by_text("この印影は登録できません").wait_for()
    reasons = page.locator("#check-reasons").inner_text()
    assert "印影が小さすぎます（7.0mm）" in reasons and "8mmの正方形に収まる" in reasons
    page.screenshot(path=str(tmp_path / "seal-refused.png"), full_page=True)

    place_seal(SLOT, side_mm=15.0, shape="round", rotation_deg=20, text="山田")
    page.get_by_role("button", name="スキャナで読み取る").click()
    page.get_by_text("登録できる印影です", exact=True).wait_for()
    assert "15.0mm" in page.locator("#impression").inner_text()


def _confirm_and_ask_for_review(page: Any) -> None:
    for label in ("登録者の氏名", "ゴム印など", "職業・資格など"):
        page.get_by_label(label).check()
    page.get_by_role("button", name="確認を保存").click()
    page.get_by_text("目視確認を保存しました").wait_for()
    page.get_by_role("button", name="審査を依頼する").click()
    page.get_by_text("市職員へ審査を依頼しました").wait_for()
    assert page.locator("#state").inner_text() == "審査待ち"


def _approve(page: Any) -> str:
    """City staff approve the application; returns the new card's number."""
    page.locator("nav.side-nav").get_by_role("link", name="印鑑登録 審査", exact=True).click()
    page.get_by_role("link", name="1", exact=True).click()
    page.get_by_role("button", name="承認する").click()
    notice = page.get_by_text("承認しました。印鑑登録番号")
    notice.wait_for()
    card_number = notice.inner_text().rsplit("）", 1)[-1].strip()
    assert len(card_number) == 9
    return card_number


def _issue_certificate(page: Any, url: str, card_number: str, tmp_path: Path) -> bytes:
    """The operator issues a certificate on the card; its fee waits at the register. Returns
    the certificate's PDF."""
    page.locator("nav.side-nav").get_by_role("link", name="印鑑登録証明書", exact=True).click()
    page.get_by_label("印鑑登録証の番号").fill(card_number)
    page.get_by_label("通数").fill("1")
    page.get_by_role("button", name="証明書を作成する").click()
    page.get_by_text("手数料300円は会計へ").wait_for()
    assert "300円（印鑑登録証明書、未収納）" in page.locator("#fee").inner_text()
    assert "未収" in page.locator("#bill").inner_text()
    pdf = page.request.get(url + page.locator("#certificate-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "seal-certificate.png"), full_page=True)

    page.locator("nav.side-nav").get_by_role("link", name="レジ（会計）", exact=True).click()
    page.get_by_role("link", name="山田\u3000太郎の会計").click()
    page.locator("#bill-total").filter(has_text="300円").wait_for()
    assert "印鑑登録証明書" in page.locator("#open-bills").inner_text()
    return pdf.body()


def _printed_side_mm(pdf: bytes, tmp_path: Path) -> float | None:
    """The impression's size on the certificate as printed at 600 dpi."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to measure the certificate")
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "600", "-gray", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "c")], check=True)
    with Image.open(tmp_path / "c.png") as rendered:
        left, top, width, height = documents.SEAL_BOX_MM
        px = 600 / 25.4
        box = rendered.crop((round((left + 1) * px), round((top + 1) * px),
                             round((left + width - 1) * px), round((top + height - 1) * px)))
        return imaging.check_impression(box, 600).side_mm


def test_register_from_the_scanner_refuse_a_small_seal_and_issue_a_certificate(
        page, live_server, live_user, scanner_agent, tmp_path: Path) -> None:
    url = live_server.url
    operator, city = live_user("operator"), live_user("city_staff")
    _login(page, url, operator)
    _receive_an_application(page)
    _scan_refuse_then_accept(page, tmp_path)
    _confirm_and_ask_for_review(page)
    _logout(page)

    _login(page, url, city)
    card_number = _approve(page)
    _logout(page)

    _login(page, url, operator)
    pdf = _issue_certificate(page, url, card_number, tmp_path)
    printed = _printed_side_mm(pdf, tmp_path)
    assert printed is not None and abs(printed - 15.0) <= 0.2
