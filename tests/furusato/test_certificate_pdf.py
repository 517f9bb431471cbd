"""The certificate envelope PDF (issue 16 §2), read back as a donor would with pdftotext: every
item the receipt must show, for donors with long addresses, 髙/﨑 names and 7-digit amounts;
再発行; one-stop pages only when asked and never an individual number; the letter filled in."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from app.core.pdf_join import join
from app.furusato.certificate_pdf import SealMissing, alignment_sheet, render
from app.furusato.envelopes import CertificateLine, Envelope, Issuer, Recipient
from app.furusato.letter import CoverSheet, EnvelopeLayout, LetterRefused, LetterTemplate


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (250, 250), (200, 30, 30, 255)).save(out, "PNG")
    return out.getvalue()


ISSUER = Issuer(city_name="山彦市", mayor_title="市長", mayor_name="川村　健一", seal_png=_png(), seal_mm=21.0,
                office_name="ふるさと納税推進室", office_address="山彦県山彦市本町一丁目1番1号",
                office_phone="0191-00-0000", postal_code="0290000")
LONG_ADDRESS = ("神奈川県横浜市港北区新横浜二丁目100番地45　サンシャインマンション新横浜駅前タワーレジデンス東棟"
                "2301号室　山田様方")
TAKASAKI = Recipient(name="髙﨑　美智子", postal_code="2220033", address=LONG_ADDRESS, kana="タカサキ　ミチコ",
                     birth_date=date(1975, 6, 15))
SAITO = Recipient(name="齋藤　一", postal_code="1000013", address="東京都千代田区霞が関二丁目1番2号")


def _line(number: int, amount: int, paid: date, **kw: object) -> CertificateLine:
    return CertificateLine(fiscal_year=2026, number=number, amount=amount, paid_on=paid, applied_on=paid, **kw)


def _pdf_text(envelopes: list[Envelope], tmp_path: Path, **kw: object) -> tuple[str, int]:
    path = tmp_path / "batch.pdf"
    options = {"issuer": ISSUER, "settings": EnvelopeLayout(), "letter": LetterTemplate()} | kw
    with path.open("wb") as out:
        pages = render(envelopes, out, **options)  # type: ignore[arg-type]
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    assert not done.stderr, done.stderr  # poppler reads the joined file without complaint
    return done.stdout.decode(), pages


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_required_item_for_each_donor(tmp_path: Path) -> None:
    three = Envelope(TAKASAKI, (_line(7, 1234567, date(2026, 12, 31), use="子育て支援", gift="黒毛和牛"),
                                _line(8, 9999999, date(2027, 1, 5)), _line(9, 10000, date(2026, 11, 2))))
    one = Envelope(SAITO, (_line(10, 30000, date(2026, 12, 1)),))
    text, pages = _pdf_text([three, one], tmp_path)
    assert pages == 1 + 3 + 1 + 1
    certificates = [page for page in text.split("\f") if "寄附金受領証明書" in page and "証明します" in page]
    assert len(certificates) == 4  # one per donation
    for page, recipient, number, amount, paid in zip(certificates, [TAKASAKI] * 3 + [SAITO], (7, 8, 9, 10),
                                                     ("1,234,567", "9,999,999", "10,000", "30,000"),
                                                     ("令和8年12月31日", "令和9年1月5日", "令和8年11月2日",
                                                      "令和8年12月1日"), strict=True):
        flat = _flat(page)
        assert _flat(recipient.name) in flat and _flat(recipient.address) in flat
        assert f"〒{recipient.postal_code[:3]}-{recipient.postal_code[3:]}" in flat
        assert f"2026年度第{number}号" in flat
        assert f"金{amount}円" in flat
        assert f"受領年月日（収納日）{paid}" in flat
        assert "山彦市への寄附金（ふるさと納税）として受領したことを証明します" in flat
        assert "山彦市長川村健一" in flat
        assert "再発行" not in flat
    letter = _flat(text.split("\f")[0])
    assert "髙﨑美智子様" in letter and "11,244,566円" in letter and "子育て支援" in letter and "黒毛和牛" in letter
    assert "申告特例申請書" not in _flat(text)  # no one-stop pages when not asked


def test_reissue_is_marked(tmp_path: Path) -> None:
    text, _ = _pdf_text([Envelope(SAITO, (_line(10, 30000, date(2026, 12, 1), reissue=True),))], tmp_path)
    certificate = _flat(text.split("\f")[1])
    assert "再発行" in certificate and "2026年度第10号" in certificate and "番号は原本と同じです" in certificate


def test_one_stop_pages_only_when_asked_and_never_an_individual_number(tmp_path: Path) -> None:
    asked = Envelope(TAKASAKI, (_line(1, 50000, date(2026, 12, 30)), _line(2, 20000, date(2026, 12, 31))),
                     one_stop=True)
    text, pages = _pdf_text([asked, Envelope(SAITO, (_line(3, 10000, date(2026, 12, 1)),))], tmp_path)
    assert pages == (1 + 2 + 2 + 1) + (1 + 1)
    forms = [p for p in text.split("\f") if "寄附金税額控除に係る申告特例申請書" in p and "記載例" not in p
             and "寄附金受領証明書" not in p]
    assert len(forms) == 2  # one per donation, the donor's only
    for form, amount, day in zip(forms, ("50,000", "20,000"), ("令和8年12月30日", "令和8年12月31日"), strict=True):
        flat = _flat(form)
        assert "髙﨑美智子" in flat and "タカサキミチコ" in flat and _flat(LONG_ADDRESS) in flat
        assert "昭和50年6月15日" in flat and f"{amount}円" in flat and f"寄附年月日{day}" in flat
        assert "山彦市長殿" in flat and "様式第五十五号の五" in flat
    assert sum("寄附太郎" in _flat(p) for p in text.split("\f")) == 1  # one 記載例 for the envelope
    assert "返信用封筒" in _flat(text)
    assert not re.search(r"\d{4}\s?\d{4}\s?\d{4}", text.replace("-", ""))  # no 12-digit number anywhere


def test_postal_transfer_slip(tmp_path: Path) -> None:
    envelope = Envelope(SAITO, (_line(3, 10000, date(2026, 12, 1)),), postal_transfer=True, unpaid_amount=20000)
    text, pages = _pdf_text([envelope], tmp_path)
    slip = _flat(text.split("\f")[-2])
    assert pages == 3 and "郵便振替によるお支払いのご案内" in slip and "齋藤一様" in slip
    assert "払込取扱票" in _flat(text)


def test_cover_sheet_is_page_one(tmp_path: Path) -> None:
    cover = CoverSheet(label="12月31日 第1便", counts={"封筒": 1, "寄附金受領証明書": 1},
                       postal_ranges=(("1000013", "1000013"),))
    text, pages = _pdf_text([Envelope(SAITO, (_line(3, 10000, date(2026, 12, 1)),))], tmp_path, cover=cover)
    first = _flat(text.split("\f")[0])
    assert pages == 3 and "12月31日第1便" in first and "〒100-0013〜〒100-0013" in first


def test_letter_placeholders_and_refusal(tmp_path: Path) -> None:
    template = LetterTemplate(title="お礼", body="{氏名}様 {金額}円を{使い道}に。返礼品は{返礼品}。{{括弧}}")
    text, _ = _pdf_text([Envelope(SAITO, (_line(3, 10000, date(2026, 12, 1), use="環境保全"),))], tmp_path,
                        letter=template)
    assert "齋藤一様10,000円を環境保全に。返礼品はなし。{括弧}" in _flat(text)
    with pytest.raises(LetterRefused) as refused:
        render([], io.BytesIO(), issuer=ISSUER, settings=EnvelopeLayout(), letter="{氏名}様 {住所} {寄附額}")
    messages = [p.message for p in refused.value.problems]
    assert len(messages) == 2 and "「{住所}」" in messages[0] and "「{寄附額}」" in messages[1]
    with pytest.raises(LetterRefused, match="対応"):
        render([], io.BytesIO(), issuer=ISSUER, settings=EnvelopeLayout(), letter="{氏名")


def test_no_seal_refuses_the_batch() -> None:
    out = io.BytesIO()
    no_seal = Issuer(**{**ISSUER.__dict__, "seal_png": None})
    with pytest.raises(SealMissing, match="公印"):
        render([Envelope(SAITO, (_line(3, 10000, date(2026, 12, 1)),))], out, issuer=no_seal,
               settings=EnvelopeLayout(), letter=LetterTemplate())
    assert out.getvalue() == b""  # nothing written


def test_characters_missing_from_the_font(tmp_path: Path) -> None:
    """BIZ UD Mincho has 髙 and 﨑 but not 𠮷 (U+20BB7): it prints as 吉 rather than a blank."""
    text, _ = _pdf_text([Envelope(Recipient(name="𠮷田　髙﨑", postal_code="1000013", address="東京都"),
                                  (_line(3, 10000, date(2026, 12, 1)),))], tmp_path)
    assert "吉田髙﨑様" in _flat(text)


def test_alignment_sheet_shows_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "test.pdf"
    with path.open("wb") as out:
        alignment_sheet(out, EnvelopeLayout(address_left_mm=30, address_top_mm=22.5), ISSUER)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "位置確認用の試し刷り" in text and "左端から 30 mm、上端から 22.5 mm" in text


def test_join_keeps_every_page_in_order(tmp_path: Path) -> None:
    parts = []
    for name in ("一", "二"):
        buffer = io.BytesIO()
        render([Envelope(Recipient(name=f"試験　{name}", postal_code="1000013", address="東京都"),
                         (_line(1, 10000, date(2026, 12, 1)),))], buffer, issuer=ISSUER, settings=EnvelopeLayout(),
               letter=LetterTemplate())
        parts.append(buffer.getvalue())
    path = tmp_path / "joined.pdf"
    with path.open("wb") as out:
        assert join(parts, out) == 4
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert _flat(text).index("試験一") < _flat(text).index("試験二")
