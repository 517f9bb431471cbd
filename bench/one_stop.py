"""The January peak of one-stop applications (issue 17 "Speed"): N applications of N donors
across 1,000 home municipalities (postal codes of 1,000 municipalities from Japan Post's data),
each with one or two paid donations, reviewed by the automatic part of the review
(onestop/review.review_all) and every municipality's 申告特例通知書 file and PDF list built
(onestop/eltax.build), on a temporary SQLite database.

    python bench/one_stop.py [--quick] [--applications N]

--quick runs 2,000 applications; the full run 20,000 (goal: reviewed and built in under a
minute). The PDF lists (one document per municipality, with the embedded font) are timed
apart, for --lists of them: "pdf_list_s" is the seconds per list. The last line printed is JSON:
{"applications": N, "review_per_s": …, "eltax_rows_per_s": …, …}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the root, not bench/

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from app.furusato import services  # noqa: E402
from app.furusato.models import Donation, Donor, Portal  # noqa: E402
from app.furusato.onestop import eltax, home, review, vault  # noqa: E402
from app.furusato.onestop.models import OneStopApplication, OneStopDonation  # noqa: E402
from hardware.card_reader.my_number import make_my_number  # noqa: E402

YEAR = 2026


def municipalities(n: int) -> list[tuple[str, str]]:
    """(postal code, town) of `n` different home municipalities."""
    seen: dict[str, tuple[str, str]] = {}
    for code, (jis, pref, city) in sorted(home._table().items()):
        key = home.municipality_of(jis, pref, city)[0]
        if key not in seen:
            seen[key] = (code, pref + city)
        if len(seen) == n:
            break
    return list(seen.values())


def generate(n: int, rng: random.Random) -> None:
    services.sync_portals()
    portal = db.session.scalars(select(Portal).order_by(Portal.id)).first()
    places = municipalities(1000)
    at = datetime(YEAR, 6, 1, 10)
    db.session.execute(insert(Donor), [{"id": i, "name": f"寄附 太郎{i}", "kana": f"キフ タロウ{i}"}
                                       for i in range(1, n + 1)])
    donations, links, apps = [], [], []
    donation_id = 0
    for i in range(1, n + 1):
        postal, town = places[i % len(places)]
        apps.append({"id": i, "tax_year": YEAR, "channel": "paper", "state": "received",
                     "received_on": date(YEAR, 12, 20),
                     "donor_id": i, "match": "matched", "name": f"寄附 太郎{i}", "kana": f"キフ タロウ{i}",
                     "birth_date": date(1960 + i % 40, 1 + i % 12, 1 + i % 28), "gender": "男", "postal_code": postal,
                     "address": f"{town}1-{i % 50}-{i % 9}", "home_code": "", "home_name": "",
                     "number_cipher": None, "number_tail": "", "form_complete": True,
                     "id_documents": "card_front,card_back",
                     "declared_no_return": True, "declared_five_or_fewer": rng.random() > 0.05})
        for _ in range(1 + (i % 2)):
            donation_id += 1
            donations.append({"id": donation_id, "portal_id": portal.id, "order_id": f"B{donation_id}",
                              "donor_id": i,
                              "applied_at": at, "applied_on": at.date(), "paid_on": date(YEAR, 1 + i % 12, 1 + i % 28),
                              "amount": 10_000 * (1 + i % 5), "status": "paid", "channel": "portal", "one_stop": True})
            links.append({"application_id": i, "donation_id": donation_id})
    db.session.execute(insert(Donation), donations)
    for a in apps:  # the intake's own work for each: seal the number, find the home municipality
        a["number_cipher"], a["number_tail"] = vault.seal(make_my_number(f"{a['id']:011d}"))
        found = home.home_of(a["postal_code"], a["address"])
        a["home_code"], a["home_name"] = found.code, found.name
    db.session.execute(insert(OneStopApplication), apps)
    db.session.execute(insert(OneStopDonation), links)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--applications", type=int, default=None)
    parser.add_argument("--lists", type=int, default=50, help="PDF lists to time (of the 1,000; each is one document)")
    args = parser.parse_args()
    n = args.applications or (2_000 if args.quick else 20_000)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.sqlite3", TASK_QUEUE_URL="immediate",
                                 ONESTOP_NUMBER_KEYS=(Fernet.generate_key().decode(),), TASK_FILES_DIR=f"{tmp}/files")
        app = create_app(config)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            generate(n, random.Random(17))
            generated = time.perf_counter() - started
            started = time.perf_counter()
            accepted, left = review.review_all(YEAR, by=None)
            db.session.commit()
            reviewed = time.perf_counter() - started
            started = time.perf_counter()
            summaries = eltax.build(YEAR, Path(tmp) / "out", by=None, lists=False)
            db.session.commit()
            built = time.perf_counter() - started
            rows = sum(s.rows for s in summaries)
            started = time.perf_counter()  # the PDF lists for the city's check: one per municipality, timed apart
            listed = eltax.write_lists(YEAR, Path(tmp) / "out", limit=args.lists)
            lists_s = time.perf_counter() - started
    print(json.dumps({"applications": n, "review_per_s": round(n / reviewed, 1),
                      "eltax_rows_per_s": round(rows / built, 1), "accepted": accepted, "left_for_a_person": left,
                      "municipalities": len(summaries), "review_s": round(reviewed, 2), "eltax_s": round(built, 2),
                      "generate_s": round(generated, 2),
                      "pdf_lists": listed, "pdf_list_s": round(lists_s / max(listed, 1), 3)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
