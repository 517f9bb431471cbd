"""Benchmark: no request waits on background work (issue 12 §7).

    .venv/bin/python bench/requests.py --quick    # 20,000-row import, 10 card reads, 100 streams: under a minute
    .venv/bin/python bench/requests.py            # a 200,000-row import

It starts Yakuba as the README's "Production" section does, on a scratch PostgreSQL database
($BENCH_POSTGRES_URL, else postgres@127.0.0.1:5432) with the task queue on Redis
($BENCH_REDIS_URL, else 127.0.0.1:6379, a queue name of its own): the threaded app server
(gunicorn gthread), the stream server (gunicorn gevent) and a separate task consumer
(`flask tasks worker`). It opens 100 display and counter streams on the stream server, runs one
terminal agent per counter with a simulated card reader that takes 5 s per card, and then,
while a portal import of N rows and 20 card reads run in the background, measures:

- the upload POST of the portal file (it stores the file and queues the import),
- each card-read POST (it queues the read for the counter's agent),
- ordinary counter pages (the counter's queue page, reception, a case, the case list), p95 and
  max, from four people clicking through them while the background work runs,
- the import's rate (rows over the task's own running time; with --quick, the rate so far when
  the rest has been measured, without waiting for the import to end).

Goal: both POSTs under 1,000 ms and ordinary pages p95 under 200 ms while the work runs. The
last line is JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project root in place of bench/, whose requests.py would hide requests

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any  # noqa: E402

import requests  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from tests.live import start_agent  # noqa: E402
from tests.queue import servers  # noqa: E402
from tests.scratch_db import scratch_database  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "bench-" + secrets.token_hex(8)
KEY = secrets.token_hex(16)
PIN = "1357"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGE_SECONDS_AFTER = 2.0  # keep clicking this long after the POSTs, while the work goes on


def _config(url: str, **extra: Any) -> Config:
    return Config.from_env(SECRET_KEY=KEY, SQLALCHEMY_DATABASE_URI=url, PASSWORD_HASH_COST="low",  # noqa: S106
                           **extra)


# -- the office -----------------------------------------------------------------------------------
@dataclass
class Office:
    counters: list[tuple[int, str, str, int]]  # (counter id, operator, terminal code, case id) per card read
    tokens: dict[str, str]  # terminal code → agent token
    other_case_id: int


def prepare(url: str, reads: int) -> Office:
    """Migrate, then seed: the procedure catalog and fees, one counter with a card-reader PC and
    an operator per card read, a case for each, a supervisor for the donation office."""
    from flask_migrate import upgrade

    from app.auth import services as auth_services
    from app.core.services import save_counter
    from app.counter import catalog
    from app.counter import visits as counter
    from app.devices import services as devices
    from app.extensions import db
    from app.furusato import services as furusato
    from app.register.fees import seed_default_fees

    app = create_app(_config(url, TASK_QUEUE_URL="immediate"))
    with app.app_context():
        upgrade()
        catalog.load()
        seed_default_fees(date(2020, 4, 1))
        furusato.sync_portals()
        auth_services.create_user("bench-lead", "計測 統括", "supervisor", PASSWORD, scope="furusato")
        counters, tokens, ids = [], {}, []
        for n in range(1, reads + 1):
            desk = save_counter(None, n, f"{n}番窓口", "citizens")
            code = f"bench-pc-{n}"
            terminal, tokens[code] = devices.create_terminal(devices.NewTerminal(code, f"{n}番窓口 端末", "counter_pc",
                                                                                 desk.id))
            devices.save_binding(terminal, devices.BindingInput("card_reader", "card_reader", f"sim://{code}"))
            operator = auth_services.create_user(f"bench-op-{n}", f"計測 {n}", "operator", PASSWORD)
            case = counter.open_visit(f"来庁者 {n}", ["resident_record_copy"], operator).cases[0]
            db.session.flush()
            counters.append((desk.id, operator.username, code))
            ids.append(case.id)
        other = counter.open_visit("来庁者 他", ["resident_record_copy"], operator).cases[0]
        db.session.commit()
        office = Office([(c, u, t, i) for (c, u, t), i in zip(counters, ids, strict=True)], tokens, other.id)
        db.engine.dispose()
    return office


def portal_file(rows: int, path: Path) -> None:
    from app.furusato.profiles import file_profiles
    from app.furusato.synthetic import Generator, write_portal_file

    with path.open("wb") as out:
        write_portal_file(file_profiles()["choice"], Generator(seed=12).donations(rows, bad=0), out)


def import_figures(url: str) -> tuple[str, int, float | None]:
    """(state, rows, seconds the import task ran) of the latest import task."""
    import sqlalchemy as sa

    engine = sa.create_engine(_config(url).SQLALCHEMY_DATABASE_URI)
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT state, done, started_at, progress_at, finished_at FROM tasks WHERE kind = 'furusato_import' "
            "ORDER BY id DESC LIMIT 1")).first()
    engine.dispose()
    if row is None:
        return "none", 0, None
    until = row.finished_at or row.progress_at
    seconds = (until - row.started_at).total_seconds() if until and row.started_at else None
    return row.state, int(row.done or 0), seconds


# -- the processes ----------------------------------------------------------------------------------
def start_processes(url: str, env: dict[str, str], log: Any) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    """The README's production layout: app server, stream server, a consumer of its own."""
    app_port, stream_port = servers.free_port(), servers.free_port()
    app = servers.app_server(app_port, env, workers=4, threads=16, log=log)
    streams = servers.stream_server(stream_port, env, log=log)
    consumer = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "tasks", "worker"],
                                cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    app_url, stream_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{stream_port}"
    servers.wait_healthy(app_url, app)
    servers.wait_healthy(stream_url, streams)
    return [app, streams, consumer], app_url, stream_url


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# -- the people -------------------------------------------------------------------------------------
def signed_in(base: str, username: str, counter_id: int | None = None) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login", timeout=30).text).group(1)
    response = session.post(f"{base}/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({response.status_code})")
    token = CSRF.search(session.get(f"{base}/", timeout=30).text).group(1)
    if counter_id is not None:
        chosen = session.post(f"{base}/queue/counter/select", data={"counter_id": counter_id},
                              headers={"X-CSRFToken": token}, allow_redirects=False, timeout=30)
        if chosen.status_code != 303:
            raise SystemExit(f"{username} could not choose counter {counter_id} ({chosen.status_code})")
    return session, token


@dataclass
class Streams:
    """Open SSE connections that stay open (displays and counter pages), each from an address of
    its own as the proxy reports it (the stream server limits streams per address)."""

    base: str
    count: int
    opened: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def run_one(self, n: int) -> None:
        host, port = self.base.removeprefix("http://").split(":")
        path = "/displays/queue/stream?since=0" if n % 2 else "/displays/cashier/stream?since=0&only=waiting"
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            conn.request("GET", path, headers={"X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"})
            response = conn.getresponse()
            if response.status != 200:
                return
            with self.lock:
                self.opened += 1
            while not self.stop.is_set() and response.readline():
                pass
        except OSError:
            return
        finally:
            conn.close()

    def start(self) -> None:
        for n in range(self.count):
            threading.Thread(target=self.run_one, args=(n,), daemon=True).start()
        deadline = time.monotonic() + 30
        while self.opened < self.count and time.monotonic() < deadline:
            time.sleep(0.1)


def timed(fn: Callable[[], requests.Response]) -> tuple[int, float]:
    began = time.perf_counter()
    response = fn()
    return response.status_code, (time.perf_counter() - began) * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# -- the run ----------------------------------------------------------------------------------------
@dataclass
class Clicks:
    """Members of staff opening ordinary pages over and over while the work runs."""

    base: str
    other_case_id: int
    pages: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, sessions: list[requests.Session]) -> None:
        self.threads = [threading.Thread(target=self._click, args=(session,), daemon=True) for session in sessions]
        for thread in self.threads:
            thread.start()

    def _click(self, session: requests.Session) -> None:
        paths = ["/queue/counter", "/counter/reception", f"/counter/cases/{self.other_case_id}", "/counter/"]
        while not self.done.is_set():
            for path in paths:
                status, ms = timed(lambda p=path: session.get(self.base + p, timeout=60))
                with self.lock:
                    self.pages.append(ms)
                    self.statuses.add(status)
            self.done.wait(0.1)

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=60)


def upload(base: str, lead: requests.Session, token: str, csv_path: Path) -> tuple[int, float]:
    with csv_path.open("rb") as file:
        return timed(lambda: lead.post(
            f"{base}/furusato/imports", data={"portal": "choice", "encoding": ""},
            files={"file": ("choice.csv", file, "text/csv")}, headers={"X-CSRFToken": token},
            allow_redirects=False, timeout=120))


def read_cards(base: str, people: list[tuple[requests.Session, str, int]]) -> list[tuple[int, float]]:
    """Every operator posts a card read at once; each POST's status and time."""
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def read(session: requests.Session, token: str, case_id: int) -> None:
        result = timed(lambda: session.post(f"{base}/counter/cases/{case_id}/card", data={"pin": PIN},
                                            headers={"X-CSRFToken": token}, allow_redirects=False, timeout=60))
        with lock:
            results.append(result)

    readers = [threading.Thread(target=read, args=person) for person in people]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    return results


def wait_for_import(url: str, quick: bool) -> tuple[str, int, float | None]:
    """The import's figures once it ended (--quick: once it has a rate)."""
    state, done, seconds = import_figures(url)
    deadline = time.monotonic() + (20 if quick else 1800)
    while (state not in ("done", "failed", "cancelled") and time.monotonic() < deadline
           and not (quick and done > 0)):
        time.sleep(0.5)
        state, done, seconds = import_figures(url)
    return state, done, seconds


@dataclass
class Outcome:
    upload: tuple[int, float]
    reads: list[tuple[int, float]]
    clicks: Clicks
    while_working: int
    import_: tuple[str, int, float | None]
    streams: int


def report(outcome: Outcome, quick: bool, log_path: Path) -> dict[str, Any]:
    """Print the figures; fail unless every request went as it should."""
    (upload_status, upload_ms), pages = outcome.upload, outcome.clicks.pages
    state, done, seconds = outcome.import_
    read_ms = [ms for _, ms in outcome.reads]
    figures = {
        "upload_post_ms": round(upload_ms, 1),
        "card_read_post_ms": round(max(read_ms), 1) if read_ms else None,
        "pages_p95_ms": round(pct(pages, 0.95), 1),
        "pages_max_ms": round(max(pages), 1) if pages else None,
        "import_rows_per_s": round(done / seconds) if seconds else None,
    }
    read_statuses = {s for s, _ in outcome.reads}
    print(f"upload POST {upload_status} in {upload_ms:.0f} ms; {len(read_ms)} card-read POSTs "
          f"{sorted(read_statuses)}: median {statistics.median(read_ms):.0f} ms, max {max(read_ms):.0f} ms")
    print(f"{len(pages)} ordinary pages ({outcome.while_working} while the reads and the import ran), statuses "
          f"{sorted(outcome.clicks.statuses)}: p50 {pct(pages, 0.5):.0f} ms, p95 {figures['pages_p95_ms']:.0f} ms, "
          f"max {figures['pages_max_ms']:.0f} ms; {outcome.streams} streams open")
    print(f"import {state}: {done:,} rows in {seconds or 0:.1f} s → {figures['import_rows_per_s']} rows/s"
          + (" (--quick: the rate while the POSTs and pages were measured; the import was not waited for)"
             if quick and state != "done" else ""))
    finished = state == "done" or (quick and state == "running" and done > 0)
    if upload_status != 303 or read_statuses != {303} or outcome.clicks.statuses != {200} or not finished:
        raise SystemExit(f"the run did not go as it should: see {log_path}")
    return figures


def run(url: str, redis: str, rows: int, reads: int, stream_count: int, read_seconds: float,
        quick: bool) -> dict[str, Any]:
    from hardware.card_reader import Person, insert_card, make_my_number, remove_card

    work = Path(tempfile.mkdtemp(prefix="yakuba-bench-requests-"))
    print(f"seeding {reads} counters and generating a {rows:,}-row portal file …", flush=True)
    office = prepare(url, reads)
    csv_path = work / "choice.csv"
    portal_file(rows, csv_path)
    separator = "&" if "?" in redis else "?"
    env = {"DATABASE_URL": url, "SECRET_KEY": KEY, "TASK_QUEUE_URL": f"{redis}{separator}queue=bench-{KEY[:8]}",
           "TASK_FILES_DIR": str(work / "files"), "YAKUBA_DEMO": "0", "YAKUBA_SIMULATE_DEVICES": "0"}
    log = (work / "servers.log").open("ab")
    processes, base, stream_base = start_processes(url, env, log)
    stops: list[Callable[[], None]] = []
    streams = Streams(stream_base, stream_count)
    try:
        for code, token in office.tokens.items():
            stops.append(start_agent(base, token)[1])
            insert_card(code, Person("山彦\u3000太郎", "岩手県山彦市本町二丁目３番４号", date(1980, 5, 6), "1",
                                     make_my_number("24681357902")), PIN, read_seconds=read_seconds)
        streams.start()
        lead, lead_token = signed_in(base, "bench-lead")
        people = [signed_in(base, username, counter_id) + (case_id,)
                  for counter_id, username, _code, case_id in office.counters]
        time.sleep(2)  # the agents have polled once and published their keys
        clicks = Clicks(base, office.other_case_id)
        clicks.start([person[0] for person in people[:4]])
        time.sleep(1.0)
        print(f"{streams.opened} streams open; uploading and reading cards …", flush=True)
        uploaded = upload(base, lead, lead_token, csv_path)
        read_results = read_cards(base, people)
        time.sleep(PAGE_SECONDS_AFTER)
        while_working = len(clicks.pages)
        imported = wait_for_import(url, quick)
        clicks.stop()
    finally:
        streams.stop.set()
        for stop in stops:
            stop()
        for code in office.tokens:
            remove_card(code)
        stop_processes(processes)
        log.close()
    return report(Outcome(uploaded, read_results, clicks, while_working, imported, streams.opened), quick,
                  work / "servers.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a 20,000-row import and 10 card reads, the import's rate taken once it has one")
    parser.add_argument("--rows", type=int, help="rows in the portal file (default 200,000; --quick 20,000)")
    parser.add_argument("--reads", type=int, help="card reads at as many counters (default 20; --quick 10)")
    parser.add_argument("--streams", type=int, default=100, help="open display and counter streams")
    parser.add_argument("--read-seconds", type=float, default=5.0, help="the simulated reader's time per card")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 200_000)
    args.reads = args.reads or (10 if args.quick else 20)
    load = os.getloadavg()[0]
    with scratch_database(args.postgres, "yakuba_bench_requests") as url:
        figures = run(url, args.redis, rows, args.reads, args.streams, args.read_seconds, args.quick)
    print(f"load average at the start: {load:.2f} (2 cores)")
    print(json.dumps({**figures, "rows": rows, "card_reads": args.reads, "streams": args.streams}))


if __name__ == "__main__":
    main()
