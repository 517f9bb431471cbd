"""Pages per second and peak memory of the certificate batch PDF (issue 16 §3): N made-up
envelopes of paid donations (one to three donations each, long addresses, 髙/﨑 names, amounts
up to seven digits, a third asking for the one-stop form, a few the postal transfer slip),
rendered by app/furusato/certificate_pdf.render into a temporary file.

    python bench/certificates.py [--quick] [--envelopes N]

--quick renders 1,000 envelopes (well under a minute); the full run 25,000 (≈ 60,000 pages).
The last line printed is JSON: {"pages": …, "pages_per_s": …, "peak_rss_mb": …, …}.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the root, not bench/

from PIL import Image, ImageDraw  # noqa: E402

from app.furusato.certificate_pdf import render  # noqa: E402
from app.furusato.envelopes import CertificateLine, Envelope, Issuer, Recipient  # noqa: E402
from app.furusato.letter import CoverSheet, EnvelopeLayout, LetterTemplate  # noqa: E402

SURNAMES = ("髙橋", "山﨑", "佐藤", "鈴木", "田中", "渡邊", "齋藤", "伊藤", "中村", "小林")
GIVEN = ("太郎", "花子", "一郎", "美咲", "健太", "陽菜", "大輔", "さくら")
PLACES = ("北海道札幌市中央区北一条西二丁目1番地", "東京都千代田区霞が関三丁目2番5号",
          "神奈川県横浜市港北区新横浜二丁目100番地45", "沖縄県八重山郡竹富町字西表999番地の12",
          "大阪府大阪市北区梅田一丁目1番3号")
BUILDINGS = ("", "", "サンシャインマンション新横浜駅前タワーレジデンス東棟2301号室", "コーポ山田202", "山田方")
USES = ("子育て支援", "環境保全", "市長が必要と認める事業", "文化・スポーツの振興")
GIFTS = ("黒毛和牛すき焼き用 800g", "季節の果物定期便（3回）", "", "地元産米 10kg")


def seal_png() -> bytes:
    """A 21 mm red square seal at 400 dpi on a transparent ground."""
    side = 331
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, side - 7, side - 7), outline=(200, 30, 30, 255), width=14)
    draw.rectangle((40, 40, side - 41, side - 41), outline=(200, 30, 30, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


ISSUER = Issuer(city_name="鶴見市", mayor_title="市長", mayor_name="髙橋　一郎", seal_png=seal_png(), seal_mm=21.0,
                office_name="ふるさと納税推進室", office_address="神奈川県鶴見市中央一丁目1番1号",
                office_phone="045-000-0000", postal_code="2300001", postal_account="00120-3-456789")


def envelopes(n: int, seed: int = 1) -> Iterator[Envelope]:
    rng = random.Random(seed)
    number = 0
    for i in range(n):
        donations = rng.choices((1, 2, 3), (70, 20, 10))[0]
        lines = []
        for _ in range(donations):
            number += 1
            paid = date(2026, 12, 31) - timedelta(days=rng.randrange(60))
            lines.append(CertificateLine(fiscal_year=2026, number=number, amount=rng.choice(
                (10000, 30000, 50000, 120000, 1000000, 2500000)), paid_on=paid, applied_on=paid - timedelta(days=2),
                order_id=f"RK{i:07d}", use=rng.choice(USES), gift=rng.choice(GIFTS), reissue=rng.random() < 0.01))
        postal = f"{rng.randrange(1000000, 9999999)}"
        recipient = Recipient(name=f"{rng.choice(SURNAMES)}　{rng.choice(GIVEN)}", postal_code=postal,
                              address=f"{rng.choice(PLACES)}　{rng.choice(BUILDINGS)}".strip(), kana="ヤマダ　タロウ",
                              birth_date=date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                              phone="090-0000-0000")
        yield Envelope(recipient=recipient, certificates=tuple(lines), one_stop=rng.random() < 0.35,
                       postal_transfer=rng.random() < 0.03, unpaid_amount=0)


def run(n: int) -> dict[str, float | int]:
    cover = CoverSheet(label="ベンチマーク", counts={"封筒": n})
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        pages = render(envelopes(n), out, issuer=ISSUER, settings=EnvelopeLayout(), letter=LetterTemplate(),
                       cover=cover, issued=date(2027, 1, 4))
        seconds = time.perf_counter() - start
        size = out.tell()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"envelopes": n, "pages": pages, "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 1),
            "peak_rss_mb": round(peak, 1), "pdf_mb": round(size / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 envelopes (well under a minute)")
    parser.add_argument("--envelopes", type=int, default=0, help="envelopes to render (default 25,000)")
    args = parser.parse_args()
    n = args.envelopes or (1000 if args.quick else 25000)
    figures = run(n)
    print(f"{figures['envelopes']} envelopes, {figures['pages']} pages in {figures['seconds']} s: "
          f"{figures['pages_per_s']} pages/s, peak RSS {figures['peak_rss_mb']} MB, PDF {figures['pdf_mb']} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
