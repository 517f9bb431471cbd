"""In Chromium (issue 19 Shows): close a supplier's month — a dispute recorded, resolved, the
supplier's confirmation closing it — then issue the month's invoice, and see the cost ratio on
the donation office's home page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_furusato import furusato_live  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def november_live(live_app: Any, furusato_live: None) -> dict[str, int]:  # noqa: F811
    from app.core import services as core_services
    from app.demo import DEMO_CITY
    from app.extensions import db
    from tests.furusato.settlement_data import november

    with live_app.app_context():
        if core_services.get_municipality() is None:
            core_services.save_municipality(DEMO_CITY)
        seeded = november()
        ids = {"orchard": seeded["orchard"].id, "ranch": seeded["ranch"].id}  # type: ignore[attr-defined]
        db.session.commit()
        return ids


def test_close_a_supplier_month_and_issue_the_invoice(page, live_server, live_user, browser_login,
                                                      november_live: dict[str, int]) -> None:
    base = live_server.url
    browser_login(live_user("operator", scope="furusato"))
    page.locator(".work-line", has_text="経費率（募集適正基準の5割）の警告").wait_for()
    page.goto(f"{base}/furusato/settlement?month=2026-11")
    page.locator("#invoice-total", has_text="66,520").wait_for()
    page.get_by_role("link", name="山彦果樹園").click()
    page.locator("#statement-lines", has_text="黒毛和牛 500g").wait_for()
    page.get_by_role("button", name="相違の申出を記録する").click()
    page.get_by_text("相違の内容を入力してください。").first.wait_for()  # refused: the note is needed
    page.get_by_label("内容（相違の内容・解消の内容・解除の理由）").fill("11/20 のりんごは2箱との申出")
    page.get_by_role("button", name="相違の申出を記録する").click()
    page.locator("#month-state", has_text="相違の申出あり").wait_for()
    page.get_by_label("内容（相違の内容・解消の内容・解除の理由）").fill("出荷記録で1箱と確認、事業者と合意")
    page.get_by_role("button", name="相違の解消を記録する").click()
    page.locator("#month-state", has_text="確認待ち").wait_for()
    page.get_by_role("button", name="事業者の確認を記録して締める").click()
    page.locator("#month-state", has_text="確認済（締め）").wait_for()
    assert page.locator("#month-notes li").count() == 3
    assert page.get_by_role("button", name="締めを解除する（理由を入力）").count() == 0  # an operator cannot
    page.goto(f"{base}/furusato/settlement/suppliers/{november_live['ranch']}?month=2026-11")
    page.get_by_role("button", name="事業者の確認を記録して締める").click()
    page.locator("#month-state", has_text="確認済（締め）").wait_for()
    page.goto(f"{base}/furusato/settlement?month=2026-11")
    page.get_by_role("button", name="請求書を発行する").click()
    page.locator("#invoice-state", has_text="請求済（市の受理待ち）").wait_for()
    assert "提出期限 2026-12-10" in page.locator("#invoice-state").inner_text()
