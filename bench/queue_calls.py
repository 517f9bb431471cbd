"""Benchmark of the queue's live updates (issues 4, 12): N displays on Server-Sent Events and M
counters calling at the same time, against the README's production layout.

    .venv/bin/python bench/queue_calls.py --quick    # 50 displays, 40 counters, 5 calls each: under a minute
    .venv/bin/python bench/queue_calls.py            # the same with 10 calls each
    .venv/bin/python bench/queue_calls.py --database sqlite:////tmp/yakuba-bench.sqlite3
    (add --pace 2 for counters that call every 2 s on average instead of as fast as they can)

The database is PostgreSQL by default ($BENCH_POSTGRES_URL, else postgres@127.0.0.1:5432): the
run gets a scratch database on that server (tests/scratch_db.py), dropped afterwards; a SQLite file
is emptied. It is migrated and seeded with M counters, M operators and enough tickets. The
benchmark starts the servers as the README's "Production" section does (tests/queue/servers.py):
the counters call on the threaded app server (wsgi:app, gthread) and the displays listen on the
gevent stream server (wsgi_streams:app), each display with an address of its own in
X-Forwarded-For, as the proxy reports it; on SQLite, whose events stay in one process, the
stream server serves both. Or it uses `--url` (and `--stream-url`) of servers that already run
on the database named, which is then emptied and used as it is.
Each counter logs in, picks its counter and calls the next ticket `--calls` times; every
display counts the call events it gets.

Figures: latency from sending a call request to the call event arriving at each display (p50,
p95, max), calls per second, missed events (a display that did not get a call) and duplicate
calls (a ticket called twice: from the database and from the events). The last line is JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project root in place of bench/, whose requests.py would hide requests

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import requests  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from tests.queue import servers  # noqa: E402
from tests.scratch_db import scratch_database  # noqa: E402

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-" + secrets.token_hex(8)
KEY = secrets.token_hex(16)
CALL = re.compile(r'data-call-id="(\d+)" data-label="([^"]+)"')
PLACE = re.compile(r'<span class="place">(\d+)番窓口</span>')


# -- database ---------------------------------------------------------------------------------
def _config(url: str, **extra: Any) -> Config:
    return Config.from_env(SECRET_KEY=KEY, SQLALCHEMY_DATABASE_URI=url, **extra)


def prepare_database(url: str) -> None:
    """Empty and migrate the benchmark database."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        engine = sa.create_engine(_config(url).SQLALCHEMY_DATABASE_URI)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        from app.extensions import db
        db.engine.dispose()


def seed(url: str, counters: int, tickets: int) -> dict[int, int]:
    """Counters 1..M serving one category, an operator per counter, `tickets` waiting tickets.
    Returns counter number → counter id."""
    from app.auth import services as auth_services
    from app.core import services as core_services
    from app.core.dates import now
    from app.extensions import db
    from app.queue import services

    app = create_app(_config(url, **{"PASSWORD_HASH_COST": "low"}))
    with app.app_context():
        made = {n: core_services.save_counter(None, n, f"窓口{n}", "citizens") for n in range(1, counters + 1)}
        category = services.save_category(None, services.CategoryInput(
            code="bench", name="証明書", letter="A", counter_ids=tuple(c.id for c in made.values())))
        for n in made:
            auth_services.create_user(f"bench{n}", f"計測 {n}", "operator", PASSWORD)
        at = now()
        for _ in range(tickets):
            services.issue_ticket(category, at=at, check_hours=False)
        ids = {n: c.id for n, c in made.items()}
        db.session.commit()
        db.engine.dispose()
    return ids


def database_figures(url: str) -> tuple[int, int]:
    """(calls recorded, tickets called more than once) from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(_config(url).SQLALCHEMY_DATABASE_URI)
    with engine.connect() as conn:
        calls = conn.execute(sa.text("SELECT count(*) FROM queue_calls")).scalar_one()
        twice = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT ticket_id FROM queue_calls GROUP BY ticket_id HAVING count(*) > 1) t"
        )).scalar_one()
    engine.dispose()
    return int(calls), int(twice)


# -- server -------------------------------------------------------------------------------------
def start_servers(url: str, port: int, workers: int, threads: int,
                  stream_workers: int) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    """The README's production layout: the threaded app server for the counters and the gevent
    stream server for the displays, sharing events through LISTEN/NOTIFY. SQLite's events stay
    in one process, so there the stream server serves the counters too. Returns the processes,
    the counters' URL and the displays' URL."""
    env = {"DATABASE_URL": url, "SECRET_KEY": KEY}
    stream_port = port or servers.free_port()
    streams = servers.stream_server(stream_port, env, workers=stream_workers)
    stream_url = f"http://127.0.0.1:{stream_port}"
    if url.startswith("sqlite"):
        return [streams], stream_url, stream_url
    app_port = port + 1 if port else servers.free_port()
    pool = '{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}}'
    # the counters' connections idle between calls (--pace) longer than gunicorn's 2 s keep-alive
    app = servers.app_server(app_port, env, workers=workers, threads=threads, app=f"app:create_app({pool})",
                             extra=("--keep-alive", "30"))
    return [streams, app], f"http://127.0.0.1:{app_port}", stream_url


def wait_healthy(urls: list[str], processes: list[subprocess.Popen[bytes]]) -> None:
    for url in dict.fromkeys(urls):
        try:
            if processes:
                for process in processes:
                    servers.wait_healthy(url, process, seconds=60)
                    break
            elif requests.get(f"{url}/health", timeout=5).status_code != 200:
                raise SystemExit(f"{url} is not healthy")
        except (RuntimeError, requests.RequestException) as exc:
            raise SystemExit(str(exc)) from exc


# -- displays -------------------------------------------------------------------------------------
@dataclass
class Display:
    """One display: an SSE connection; records when each counter's calls arrive."""

    base: str
    since: int
    address: str  # as the proxy reports it (X-Forwarded-For): the stream server limits streams per address
    arrivals: dict[int, list[float]] = field(default_factory=dict)  # counter number → arrival times
    labels: dict[str, set[int]] = field(default_factory=dict)  # ticket label → counters it was called to
    received: Any = None  # a shared counter of call events, for the benchmark to see progress
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    error: str = ""

    def run(self) -> None:
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request("GET", f"/displays/queue/stream?since={self.since}",
                         headers={"X-Forwarded-For": self.address})
            response = conn.getresponse()
            event, data = "", []
            while not self.stop.is_set():
                line = response.readline()
                if not line:
                    self.error = "stream closed"
                    return
                text = line.decode().rstrip("\r\n")
                if text:
                    key, _, value = text.partition(": ")
                    if key == "event":
                        event = value
                    elif key == "data":
                        data.append(value)
                    continue
                if event == "call":
                    self._call(time.monotonic(), "\n".join(data))
                elif event == "ready":
                    self.ready.set()
                event, data = "", []
        except OSError as exc:
            if not self.stop.is_set():
                self.error = str(exc)
        finally:
            conn.close()

    def _call(self, at: float, html: str) -> None:
        call, place = CALL.search(html), PLACE.search(html)
        if call is None or place is None:
            return
        counter = int(place.group(1))
        self.arrivals.setdefault(counter, []).append(at)
        if self.received is not None:
            with self.received.get_lock():
                self.received.value += 1
        self.labels.setdefault(call.group(2), set()).add(counter)


def display_group(base: str, first: int, count: int, ready: Any, stop: Any, results: Any, received: Any) -> None:
    """Run `count` displays in this (child) process: the readers do not compete with the
    counters for the benchmark's interpreter lock. time.monotonic() is system-wide on Linux, so
    arrival times compare with the counters' send times."""
    displays = [Display(base, 0, f"2001:db8::{first + n + 1:x}", received=received) for n in range(count)]
    threads = [threading.Thread(target=d.run, daemon=True) for d in displays]
    for t in threads:
        t.start()
    for d in displays:
        if not d.ready.wait(60):
            results.put({"error": f"a display did not connect: {d.error}"})
            return
    ready.set()
    stop.wait()
    for d in displays:
        d.stop.set()
    results.put({"arrivals": [d.arrivals for d in displays],
                 "labels": [{k: sorted(v) for k, v in d.labels.items()} for d in displays],
                 "errors": [d.error for d in displays if d.error]})


# -- counters -------------------------------------------------------------------------------------
@dataclass
class CounterClient:
    base: str
    number: int
    counter_id: int
    calls: int
    pace: float = 0.0
    sent: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    error: str = ""

    def login(self) -> None:
        self.session = requests.Session()
        token = self._token(self.session.get(f"{self.base}/login", timeout=30).text)
        response = self.session.post(f"{self.base}/login", data={
            "username": f"bench{self.number}", "password": PASSWORD, "csrf_token": token},
            allow_redirects=False, timeout=30)
        if response.status_code != 302:
            raise SystemExit(f"operator {self.number} could not log in ({response.status_code})")
        self.token = self._token(self.session.get(f"{self.base}/queue/counter", timeout=30).text)
        self._post("/queue/counter/select", {"counter_id": self.counter_id})

    @staticmethod
    def _token(page: str) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if found is None:
            raise SystemExit("no CSRF token on the page")
        return found.group(1)

    def _post(self, path: str, data: dict[str, Any]) -> requests.Response:
        return self.session.post(f"{self.base}{path}", data=data, headers={"X-CSRFToken": self.token},
                                 allow_redirects=False, timeout=60)

    def run(self, start: threading.Barrier) -> None:
        start.wait()
        jitter = random.Random(self.number)
        if self.pace:
            time.sleep(jitter.uniform(0, self.pace))  # counters do not all start on the same beat
        for i in range(self.calls):
            sent = time.monotonic()
            response = self._post("/queue/counter/call-next", {"finish_current": "1"} if i else {})
            if response.status_code != 303:
                self.error = f"call {i}: HTTP {response.status_code}"
                return
            self.sent.append(sent)
            self.answered.append(time.monotonic())
            if self.pace and i + 1 < self.calls:
                time.sleep(jitter.uniform(0.5, 1.5) * self.pace)


# -- the run --------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.database.startswith("postgres") and args.url is None:
        with scratch_database(args.database, "yakuba_bench") as url:
            return measure(args, url)
    return measure(args, args.database)


@dataclass
class Displays:
    """The display processes: each holds a group of streams and reports what it received."""

    groups: list[tuple[Any, Any]]
    stop: Any
    results: Any
    received: Any


def start_displays(args: argparse.Namespace, stream_base: str) -> Displays:
    context = multiprocessing.get_context("fork")
    displays = Displays([], context.Event(), context.Queue(), context.Value("l", 0))
    first = 0
    for index in range(args.display_processes):
        count = args.displays // args.display_processes + (index < args.displays % args.display_processes)
        ready = context.Event()
        process_ = context.Process(target=display_group, daemon=True, args=(
            stream_base, first, count, ready, displays.stop, displays.results, displays.received))
        first += count
        process_.start()
        displays.groups.append((process_, ready))
    for _, ready in displays.groups:
        if not ready.wait(90):
            raise SystemExit("the displays did not connect")
    return displays


def call_from_counters(counters: list[CounterClient]) -> tuple[float, float]:
    """Every counter calls at once (after a barrier); the start and the last answer."""
    barrier = threading.Barrier(len(counters) + 1)
    counter_threads = [threading.Thread(target=c.run, args=(barrier,)) for c in counters]
    for t in counter_threads:
        t.start()
    barrier.wait()
    began = time.monotonic()
    for t in counter_threads:
        t.join()
    return began, max((c.answered[-1] for c in counters if c.answered), default=began)


def collect(displays: Displays, expected: int, settle: float) -> list[dict[str, Any]]:
    """What each display group received; late events count until `settle` seconds have passed."""
    deadline = time.monotonic() + settle
    while displays.received.value < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    displays.stop.set()
    collected = [displays.results.get(timeout=60) for _ in displays.groups]
    for process_, _ in displays.groups:
        process_.join(timeout=10)
    return collected


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    missed: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def tally(collected: list[dict[str, Any]], counters: list[CounterClient]) -> Tally:
    """Each call's latency to each display, the calls a display missed, and numbers shown twice."""
    found = Tally()
    for group in collected:
        if "error" in group:
            raise SystemExit(group["error"])
        found.errors.extend(group["errors"])
        for arrivals, labels in zip(group["arrivals"], group["labels"], strict=True):
            for c in counters:
                arrived = arrivals.get(c.number, [])
                found.missed += max(0, len(c.sent) - len(arrived))
                found.latencies.extend((a - s) * 1000 for s, a in zip(c.sent, arrived, strict=False))
            found.duplicates = max(found.duplicates, sum(1 for places in labels.values() if len(places) > 1))
    return found


def measure(args: argparse.Namespace, database: str) -> dict[str, Any]:
    total_calls = args.counters * args.calls
    print(f"preparing {database} …", flush=True)
    prepare_database(database)
    counter_ids = seed(database, args.counters, total_calls + args.counters)
    processes: list[subprocess.Popen[bytes]] = []
    base, stream_base = args.url, args.stream_url or args.url
    if base is None:
        processes, base, stream_base = start_servers(database, args.port, args.workers, args.threads,
                                                     args.stream_workers)
    try:
        wait_healthy([stream_base, base], processes)
        counters = [CounterClient(base, n, counter_ids[n], args.calls, args.pace) for n in sorted(counter_ids)]
        with ThreadPoolExecutor(8) as pool:  # logging in is not what is measured
            list(pool.map(CounterClient.login, counters))
        displays = start_displays(args, stream_base)
        began, ended = call_from_counters(counters)
        made = sum(len(c.sent) for c in counters)
        collected = collect(displays, made * args.displays, args.settle)
    finally:
        servers.stop(*processes)
    found = tally(collected, counters)
    errors = [f"counter {c.number}: {c.error}" for c in counters if c.error] + found.errors
    recorded, twice = database_figures(database)
    if recorded != made:
        errors.append(f"{made} calls answered but {recorded} recorded")
    latencies = found.latencies
    return {
        "database": "postgresql" if database.startswith("postgres") else "sqlite",
        "workers": args.workers, "threads": args.threads, "stream_workers": args.stream_workers,
        "displays": args.displays, "counters": args.counters, "calls": made,
        "pace_s": args.pace,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "calls_per_s": round(made / (ended - began), 1) if ended > began else None,
        "missed": found.missed, "duplicates": max(twice, found.duplicates), "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_DATABASE),
                        help="database URL: a PostgreSQL server gets a scratch database; a SQLite file is "
                             "emptied and migrated")
    parser.add_argument("--quick", action="store_true", help="5 calls per counter and a shorter settle "
                        "(under a minute)")
    parser.add_argument("--url", help="an app server already running on that database (else the README's two "
                        "servers are started)")
    parser.add_argument("--stream-url", help="the stream server beside --url (default: --url)")
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--counters", type=int, default=40)
    parser.add_argument("--calls", type=int, default=None, help="calls per counter (10; 5 with --quick)")
    parser.add_argument("--workers", type=int, default=2, help="gthread workers of the app server")
    parser.add_argument("--threads", type=int, default=16, help="threads per app server worker")
    parser.add_argument("--stream-workers", type=int, default=1, help="gevent workers of the stream server")
    parser.add_argument("--port", type=int, default=0,
                        help="the stream server's port, the app server's is the next (default: free ports)")
    parser.add_argument("--settle", type=float, default=None,
                        help="seconds to wait for late events (30; 10 with --quick)")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="mean seconds each counter waits between calls, jittered ±50%% "
                             "(0: all counters call as fast as they can, starting together)")
    parser.add_argument("--display-processes", type=int, default=5)
    args = parser.parse_args()
    if args.calls is None:
        args.calls = 5 if args.quick else 10
    if args.settle is None:
        args.settle = 10.0 if args.quick else 30.0
    figures = run(args)
    print(f"{figures['database']}, {figures['workers']} worker(s): {figures['displays']} displays, "
          f"{figures['counters']} counters, {figures['calls']} calls")
    print(f"  latency call request → event at every display: p50 {figures['p50_ms']} ms, "
          f"p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms")
    print(f"  calls per second: {figures['calls_per_s']}")
    print(f"  missed events: {figures['missed']}, duplicate calls: {figures['duplicates']}")
    for error in figures["errors"]:
        print(f"  error: {error}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
