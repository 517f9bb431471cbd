"""The 日計表 PDF: Japanese text with an embedded font, the figures of the close."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.core import services as core_services
from app.demo import DEMO_CITY
from app.extensions import db
from app.register import services
from app.register.pdf import close_pdf
from tests.register.conftest import new_key
from tests.register.test_voids_and_close import count_for


@pytest.fixture
def closed_day(make_bill, register, cashier, staff):
    core_services.save_municipality(DEMO_CITY)
    day = services.day_for_business(register)
    services.set_opening_float(day, 30000)
    baskets = [(("resident_record_copy", 2),), (("family_register_copy", 1), ("seal_certificate", 1)),
               (("removed_family_register_copy", 1),), (("tax_certificate", 2, True),),
               (("temporary_vehicle_permit", 1),)]
    payments = []
    for n, basket in enumerate(baskets):
        bill = make_bill(*basket)
        method = "credit_card" if n == 2 else "cash"
        payments.append(services.take_payment(bill.id, register, services.PaymentInput(method, 5000, new_key()),
                                              cashier).payment)
    request = services.request_void(payments[-1], register, cashier, "臨時運行の申請取下げ <A&B> 返金")
    services.approve_void(request, staff("supervisor", display_name="統括 一郎"))
    db.session.commit()
    expected = services.day_totals(day).expected_cash
    close = services.close_day(day, services.DrawerCount(count_for(expected - 10), 30000,
                                                         "10円硬貨の釣銭渡し過ぎ <br 確認済"),
                               cashier)
    db.session.commit()
    return close


def test_close_pdf_has_the_figures_in_japanese(closed_day, tmp_path: Path) -> None:
    data = close_pdf(closed_day)
    assert data.startswith(b"%PDF") and b"BIZUDGothic" in data
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "close.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    for expected in ("山彦市", "日計表", "手数料別集計", "支払方法別集計", "住民票の写し", "公用（無料）",
                     "クレジットカード", "現金予定有高", f"{closed_day.expected_cash:,}円",
                     f"{closed_day.counted_cash:,}円", "-10円", "10円硬貨の釣銭渡し過ぎ <br 確認済",
                     "臨時運行の申請取下げ <A&B> 返金",
                     "翌日釣銭準備金", "30,000円"):
        assert expected in text, expected


def test_close_pdf_renders_to_an_a4_page(closed_day, tmp_path: Path, shots: Path) -> None:
    """pdftoppm renders the 日計表 to a PNG (kept in $YAKUBA_SCREENSHOTS to be looked at)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    pdf = tmp_path / "close.pdf"
    pdf.write_bytes(close_pdf(closed_day))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(shots / "nikkeihyo")], check=True)
    with Image.open(shots / "nikkeihyo.png") as page:
        assert page.size == (827, 1170)  # A4 at 100 dpi
        assert page.convert("L").getextrema()[0] < 64  # there is dark text on the page
