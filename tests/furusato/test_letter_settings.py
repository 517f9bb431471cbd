"""The office's settings for the certificate envelopes (issue 16 §2): the seal upload (PNG only),
the letter template per fiscal year with its live preview, the address position and its test
sheet; every change audited, every refusal in Japanese with nothing saved."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core.services import get_municipality
from app.extensions import db
from app.furusato import letter_settings
from app.furusato.letter_models import EnvelopeSettings, LetterTemplateRow

CITY = {"name": "山彦市", "code": "032093", "postal_code": "029-0000", "address": "山彦県山彦市本町1-1",
        "mayor_name": "川村　健一", "contractor_name": "株式会社テスト"}


def _png(fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


def test_seal_upload_refuses_what_is_not_png_and_takes_a_png(client, login_as) -> None:
    login_as("admin")
    assert client.post("/admin/municipality", data=CITY).status_code == 303
    jpeg = {"seal_file": (io.BytesIO(_png("JPEG")), "seal.png"), "seal_mm": "21"}
    response = client.post("/admin/municipality/seal", data=jpeg, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "PNG 形式" in body
    db.session.expire_all()
    assert get_municipality().seal_png is None  # nothing saved
    both = {"seal_file": (io.BytesIO(b"%PDF-1.4 not an image"), "seal.pdf"), "seal_mm": "２００"}
    body = client.post("/admin/municipality/seal", data=both,
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "PNG 形式" in body and "5〜60 mm" in body  # every problem at once
    good = {"seal_file": (io.BytesIO(_png()), "seal.png"), "seal_mm": "２２．５"}
    assert client.post("/admin/municipality/seal", data=good, content_type="multipart/form-data").status_code == 303
    db.session.expire_all()
    city = get_municipality()
    assert city.seal_png == _png() and city.seal_mm == 22.5
    assert client.get("/admin/municipality/seal.png").data == _png()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.detail.like("公印の画像%")))
    issuer = letter_settings.issuer()
    assert issuer.seal_png == _png() and issuer.seal_mm == 22.5 and issuer.city_name == "山彦市"


def test_letter_template_is_saved_per_year_and_refused_with_an_unknown_placeholder(client, login_as) -> None:
    login_as("supervisor")
    page = client.get("/furusato/settings/letter?year=2026").get_data(as_text=True)
    assert "{氏名}" in page and "お礼状の文面" in page
    refused = client.post("/furusato/settings/letter", data={"fiscal_year": "2026", "title": "お礼",
                                                             "body": "{氏名}様 {住所}へ"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "「{住所}」はありません" in body and "{住所}へ" in body  # input kept
    assert db.session.scalar(select(LetterTemplateRow)) is None
    saved = client.post("/furusato/settings/letter", data={"fiscal_year": "2026", "title": "お礼",
                                                           "body": "{氏名}様 {金額}円ありがとうございます"})
    assert saved.status_code == 303
    assert letter_settings.template_for(2027).body == "{氏名}様 {金額}円ありがとうございます"  # later years use it
    assert letter_settings.template_for(2025).body != "{氏名}様 {金額}円ありがとうございます"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "furusato_letter_template"))


def test_live_preview_of_the_letter(client, login_as, tmp_path: Path) -> None:
    login_as("supervisor")
    typed = {"title": "お礼", "body": "{氏名}様 {返礼品}"}
    assert "preview.pdf" in client.get("/furusato/settings/letter/preview", query_string=typed).get_data(as_text=True)
    pdf = client.get("/furusato/settings/letter/preview.pdf", query_string=typed)
    assert pdf.mimetype == "application/pdf" and "花子様 季節の果物詰め合わせ" in _text(pdf.data, tmp_path)
    bad = client.get("/furusato/settings/letter/preview", query_string={"body": "{なまえ}様"}).get_data(as_text=True)
    assert "「{なまえ}」はありません" in bad and "preview.pdf" not in bad


def test_address_position_and_test_sheet(client, login_as, tmp_path: Path) -> None:
    login_as("supervisor")
    refused = client.post("/furusato/settings/envelope", data={"address_left_mm": "500", "address_top_mm": "",
                                                               "office_name": "", "office_phone": ""})
    assert refused.status_code == 422 and "左端から" in refused.get_data(as_text=True)
    assert db.session.scalar(select(EnvelopeSettings)) is None
    assert client.post("/furusato/settings/envelope", data={"address_left_mm": "２７", "address_top_mm": "20.5",
                                                            "office_name": "ふるさと納税推進室",
                                                            "office_phone": "0191-00-0000"}).status_code == 303
    assert letter_settings.layout().address_left_mm == 27 and letter_settings.layout().address_top_mm == 20.5
    sheet = client.get("/furusato/settings/envelope/test-sheet.pdf")
    assert "左端から 27 mm、上端から 20.5 mm" in _text(sheet.data, tmp_path)
    typed = client.get("/furusato/settings/envelope/test-sheet.pdf?address_left_mm=30&address_top_mm=15")
    assert "左端から 30 mm、上端から 15 mm" in _text(typed.data, tmp_path)
    assert letter_settings.layout().address_left_mm == 27  # a GET changes nothing


def test_operators_cannot_change_the_settings(client, login_as) -> None:
    login_as("operator")
    assert client.get("/furusato/settings/letter").status_code == 403
    assert client.get("/furusato/settings/envelope/test-sheet.pdf").status_code == 403
