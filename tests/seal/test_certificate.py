"""The certificate prints the registered impression at its true size: measured from the
rendered PDF (pdftoppm at a known DPI) with the same measuring code, within 0.2 mm."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image

from app.seal import certificates, documents, imaging, services
from app.seal.certificates import CertificateInput
from app.seal.services import Confirmation, RegistrationInput
from tests.seal.conftest import clerk, reviewer, seal

TODAY = date(2026, 4, 1)
RENDER_DPI = 600


def render(pdf: bytes, tmp_path, dpi: int = RENDER_DPI) -> list[Image.Image]:  # type: ignore[no-untyped-def]
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to measure the certificate")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(tmp_path / "page")], check=True)
    pages = []
    for path in sorted(tmp_path.glob("page*.png")):
        with Image.open(path) as image:
            pages.append(image.copy())
    return pages


def seal_box(page: Image.Image, dpi: int) -> Image.Image:
    """The inside of the impression frame, 1 mm in from its lines."""
    left, top, width, height = documents.SEAL_BOX_MM
    px = dpi / 25.4
    return page.crop((round((left + 1) * px), round((top + 1) * px),
                      round((left + width - 1) * px), round((top + height - 1) * px)))


@pytest.mark.parametrize(("side_mm", "shape", "scan_dpi", "rotation"), [
    (15.0, "round", 600, 0), (24.0, "square", 600, 20), (10.5, "oval", 300, 0), (18.0, "round", 300, 0),
])
def test_certificate_impression_is_true_size(app, city, applicant, fees, tmp_path, side_mm, shape, scan_dpi,
                                             rotation) -> None:
    application = services.open_registration(RegistrationInput(applicant(), applicant_kind="self",
                                                               identity_path="photo_id", id_document="passport"),
                                             today=TODAY, by=clerk())
    services.attach_impression(application, seal(side_mm, scan_dpi, shape=shape, rotation_deg=rotation, seed=3),
                               scan_dpi, "テスト", by=clerk())
    services.confirm(application, Confirmation(True, True, True), by=clerk())
    services.request_review(application, by=clerk())
    record = services.approve(application, today=TODAY, by=reviewer())
    certificate = certificates.issue_certificate(CertificateInput(record.card_number, 2), today=TODAY, by=clerk())
    pages = render(certificates.certificate_pdf(certificate, by=clerk()), tmp_path)
    assert len(pages) == 2  # one page per copy
    printed = imaging.check_impression(seal_box(pages[0], RENDER_DPI), RENDER_DPI)
    print(f"\n{shape} {side_mm} mm scanned at {scan_dpi} dpi: registered {record.side_mm:.2f} mm, "
          f"printed {printed.side_mm:.2f} mm")
    assert printed.impressions == 1
    assert abs(printed.side_mm - record.side_mm) <= 0.2


def test_certificate_text(app, city, applicant, tmp_path) -> None:
    pdf = documents.certificate_pdf(documents.CertificateData(
        certificate_id=7, card_number="123456782", name="山田 太郎", birth_date=date(1980, 5, 6),
        address="岩手県山彦市本町二丁目3番4号", image_png=imaging.png_bytes(seal(15.0)), dpi=600,
        issued_on=TODAY, municipality="山彦市", mayor="山彦 太郎"))
    source = tmp_path / "c.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, text=True).stdout
    for expected in ("印 鑑 登 録 証 明 書", "山田 太郎", "昭和55年5月6日", "岩手県山彦市本町二丁目3番4号",
                     "登録されている印影と相違ないことを証明します", "令和8年4月1日", "山彦市長"):
        assert expected in text
