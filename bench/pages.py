"""Benchmark: the counter's busiest pages with fifty people at them (issue 22).

    .venv/bin/python bench/pages.py --quick    # 2.5 s per page alone, 6 s for each mixed window: under a minute
    .venv/bin/python bench/pages.py            # 15 s per page, 60 s mixed, the whole demo
    .venv/bin/python bench/pages.py --in-process [--sql] [--profile PAGE|all]
                                               # one request's CPU ms and statements per page

It starts the app server as the README's "Production" section does (gunicorn gthread, 4 workers
of 16 threads) on a scratch PostgreSQL database ($BENCH_POSTGRES_URL, else postgres@127.0.0.1)
loaded with the demo data (`flask demo load`; --quick leaves out what these pages do not show:
the donation programme's, the seal's, the staff register's, the bereavement corner's and the
reports' month of closed cases), adds people until there are fifty (operators at
the eight counters, two cashiers, city staff), signs each in (sign_in), and lets each click through the
pages of their work with keep-alive connections for a fixed time: each page alone first
(everyone whose role may open it), then everyone's own work mixed, each next click as soon as the
page before has come (the server saturated, as wrk drives it), and last the same work at an
office's pace, each person reading for a while between clicks (`office`):

- operators: their counter's queue page (/queue/counter), reception (/counter/reception) and a case;
- cashiers: the register (/register);
- city staff: the review list (/counter/?list=review) and a case waiting for review.

It prints per page and overall the p95 and the requests per CPU-second of the server, that is
requests divided by the CPU seconds that gunicorn's master and workers spent in the window
(/proc/<pid>/stat; the database server's own time is not counted). Figures only: on a shared
machine p95 depends on the load average, which it prints beside them. The last line is JSON.

Why two mixed windows: with fifty clients that never pause, the time of a request is fifty
divided by the throughput (Little's law), whatever the pages cost: on 2 cores shared by the
server, PostgreSQL and these clients, p95 < 100 ms saturated would need well over 500 requests/s
(about 1 ms of the server's CPU per request with the rest of the machine's share). The office
window is fifty people who each read the page for THINK_SECONDS on average (exponentially
distributed) before the next click: its p95 is what a person at a counter waits.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project root in place of bench/ (bench/requests.py would hide requests)

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from tests.queue import servers  # noqa: E402
from tests.scratch_db import scratch_database  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "bench-" + secrets.token_hex(8)
KEY = secrets.token_hex(16)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PEOPLE = 50
CASHIERS = 2
CITY_STAFF = 8
WARM_UP_SECONDS = 2.0
#: --quick loads the demo without what these pages never show: the donation programme's data
#: (most of a minute of `flask demo load`), the seal's, the staff register's, the bereavement
#: corner's and the reports' month of closed cases
QUICK_LEAVES_OUT = ("furusato", "seal", "staff", "bereavement", "reports")
#: (seconds per page alone, seconds mixed, seconds at the office's pace)
QUICK_SECONDS, FULL_SECONDS = (2.5, 6.0, 6.0), (15.0, 60.0, 60.0)
#: the mean pause between one person's clicks at the office's pace: a busy office (one click a
#: second per person is 50 requests/s; people at a counter read, type and talk for longer)
THINK_SECONDS = 1.0


def _config(url: str) -> Config:
    return Config.from_env(SECRET_KEY=KEY, SQLALCHEMY_DATABASE_URI=url, PASSWORD_HASH_COST="low",  # noqa: S106
                           TASK_QUEUE_URL="immediate")


# -- the office -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    username: str
    kind: str  # "operator", "cashier" or "city"
    counter_id: int | None
    case_id: int


def prepare(url: str, leave_out: tuple[str, ...]) -> list[Person]:
    """Migrate, load the demo city (less the domains of `leave_out`), then add people up to fifty
    with a case each (the city's cases wait for review, as the review list shows them)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import demo
    from app.auth import services as auth_services
    from app.core.models import Counter
    from app.counter import visits
    from app.counter.models import CaseState
    from app.extensions import db

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        demo.load(leave_out)
        counters = [c.id for c in db.session.scalars(select(Counter).where(Counter.active).order_by(Counter.number))]
        people: list[Person] = []
        operators = PEOPLE - CASHIERS - CITY_STAFF
        for n in range(PEOPLE):
            kind = "operator" if n < operators else "cashier" if n < operators + CASHIERS else "city"
            username = f"bench-{kind}-{n}"
            user = auth_services.create_user(username, f"計測 {n}", "city_staff" if kind == "city" else "operator",
                                             PASSWORD, scope="counter")
            opener = user if kind != "city" else db.session.scalar(
                select(type(user)).where(type(user).username == "bench-operator-0"))
            case = visits.open_visit(f"来庁者 {n}", ["resident_record_copy"], opener).cases[0]
            if kind == "city":
                case.state = CaseState.review_requested  # seeded straight into the review list
            db.session.flush()
            people.append(Person(username, kind, counters[n % len(counters)] if kind == "operator" else None,
                                 case.id))
        db.session.commit()
        db.engine.dispose()
    return people


# -- the clients ------------------------------------------------------------------------------------
@dataclass
class Client:
    """One person's browser: one keep-alive connection and the session cookie."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=sent)
                response = self.conn.getresponse()
                text = response.read().decode()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.headers.get("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, text
        raise AssertionError("unreachable")


def sign_in(base: str, person: Person, app: Any) -> Client:
    """The person's browser with a session signed in at their counter, made by this process as
    the login and the counter choice make it (Flask-Login's login_user, app.core.desk), with the
    server's secret key: fifty real logins each rehashed the password at argon2's full cost (the
    server's), most of a minute of --quick on a loaded machine."""
    from flask import session
    from flask_login import login_user

    from app.auth.models import User
    from app.core import desk
    from app.core.models import Counter
    from app.extensions import db

    host, port = base.removeprefix("http://").split(":")
    client = Client(host, int(port))
    with app.test_request_context("/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        user = db.session.query(User).filter_by(username=person.username).one()
        login_user(user)
        if person.counter_id is not None:
            desk.choose_counter(db.session.get(Counter, person.counter_id))
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
        db.session.rollback()
    for name, morsel in SimpleCookie(response.headers["Set-Cookie"]).items():
        client.cookies[name] = morsel.value
    return client


def first_page(client: Client, person: Person) -> None:
    """The person's first page: the session works (and the server's threads are warm)."""
    status, _ = client.request("GET", "/queue/counter" if person.counter_id is not None else "/")
    if status != 200:
        raise SystemExit(f"{person.username} is not signed in ({status})")


PAGES = {"queue_counter": "/queue/counter", "reception": "/counter/reception", "case": "/counter/cases/{case}",
         "register": "/register", "review_list": "/counter/?list=review"}
#: the pages of each person's work, in turn (the mixed window)
WORK = {"operator": ("queue_counter", "reception", "case"), "cashier": ("register",),
        "city": ("review_list", "case")}
#: who may open each page when it is measured alone (everyone whose role the page admits)
ALONE = {"queue_counter": ("operator",), "reception": ("operator", "cashier"), "case": ("operator", "cashier", "city"),
         "register": ("operator", "cashier"), "review_list": ("operator", "cashier", "city")}
MIXED = "mixed"
OFFICE = "office"


def pages_of(person: Person, phase: str) -> list[tuple[str, str]]:
    """(name, path) of the pages the person clicks through in the phase, in turn: their own work
    in the mixed window, else the one page measured (when their role may open it)."""
    names = WORK[person.kind] if phase in (MIXED, OFFICE) else (phase,) if person.kind in ALONE[phase] else ()
    return [(name, PAGES[name].format(case=person.case_id)) for name in names]


@dataclass
class Clicks:
    stop: threading.Event = field(default_factory=threading.Event)
    measuring: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    phase: str = MIXED
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    errors: dict[tuple[str, str], int] = field(default_factory=dict)

    def run(self, client: Client, person: Person) -> None:
        n = 0
        pauses = random.Random(person.username)
        while not self.stop.is_set():
            phase = self.phase
            pages = pages_of(person, phase)
            if not pages:
                time.sleep(0.05)
                continue
            name, path = pages[n % len(pages)]
            n += 1
            started = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
            spent = (time.perf_counter() - started) * 1000
            if self.measuring.is_set() and phase == self.phase:
                with self.lock:
                    self.times.setdefault((phase, name), []).append(spent)
                    if status != 200:
                        self.errors[(phase, name)] = self.errors.get((phase, name), 0) + 1
            if phase == OFFICE:
                self.stop.wait(pauses.expovariate(1 / THINK_SECONDS))

    def window(self, phase: str, seconds: float, master: int) -> tuple[float, float]:
        """Measure one phase: (server CPU seconds, wall seconds)."""
        self.phase = phase
        time.sleep(min(1.0, seconds / 3))  # the requests of the phase before have ended
        cpu_before, started = cpu_seconds(master), time.monotonic()
        self.measuring.set()
        time.sleep(seconds)
        self.measuring.clear()
        return cpu_seconds(master) - cpu_before, time.monotonic() - started


# -- the server's CPU -------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(master: int) -> float:
    """User and system time of gunicorn's master and its workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [master, *_children(master)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1) if ordered else 0.0


def run(postgres: str, redis: str, seconds: tuple[float, float, float],
        leave_out: tuple[str, ...]) -> dict[str, Any]:
    page_seconds, mixed_seconds, office_seconds = seconds
    with scratch_database(postgres, "yakuba_bench_pages") as url:
        print("loading the demo city and fifty people …", flush=True)
        started = time.monotonic()
        people = prepare(url, leave_out)
        print(f"loaded in {time.monotonic() - started:.1f} s", flush=True)
        work = Path(tempfile.mkdtemp(prefix="yakuba-bench-pages-"))
        separator = "&" if "?" in redis else "?"
        env = {"DATABASE_URL": url, "SECRET_KEY": KEY, "TASK_QUEUE_URL": f"{redis}{separator}queue=bench-{KEY[:8]}",
               "TASK_FILES_DIR": str(work / "files"), "YAKUBA_DEMO": "0", "YAKUBA_SIMULATE_DEVICES": "0"}
        port = servers.free_port()
        base = f"http://127.0.0.1:{port}"
        cpu: dict[str, tuple[float, float]] = {}
        with (work / "server.log").open("ab") as log:
            server = servers.app_server(port, env, workers=4, threads=16, log=log)
            try:
                servers.wait_healthy(base, server)
                signer = create_app(_config(url))
                clients = [sign_in(base, person, signer) for person in people]
                with signer.app_context():
                    db.engine.dispose()
                with ThreadPoolExecutor(len(people)) as pool:
                    list(pool.map(first_page, clients, people))
                print(f"server up and fifty people signed in at {time.monotonic() - started:.1f} s", flush=True)
                clicks = Clicks()
                threads = [threading.Thread(target=clicks.run, args=(c, p), daemon=True)
                           for c, p in zip(clients, people, strict=True)]
                for thread in threads:
                    thread.start()
                time.sleep(WARM_UP_SECONDS)
                for page in PAGES:
                    cpu[page] = clicks.window(page, page_seconds, server.pid)
                cpu[MIXED] = clicks.window(MIXED, mixed_seconds, server.pid)
                cpu[OFFICE] = clicks.window(OFFICE, office_seconds, server.pid)
                clicks.stop.set()
                for thread in threads:
                    thread.join(timeout=60)
            finally:
                servers.stop(server)
        return report(clicks, cpu)


def _figures(times: list[float], errors: int, cpu: float, wall: float) -> dict[str, Any]:
    return {"requests": len(times), "p95_ms": p95(times), "errors": errors,
            "requests_per_s": round(len(times) / wall, 1),
            "requests_per_cpu_s": round(len(times) / cpu, 1) if cpu else None}


def report(clicks: Clicks, cpu: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """Each page measured alone (every person whose role may open it clicks it), then the mixed
    window of everyone's own work, whose figures are the overall ones."""
    pages = {}
    for page in PAGES:
        times = clicks.times.get((page, page), [])
        pages[page] = _figures(times, clicks.errors.get((page, page), 0), *cpu[page])
    def _window(window: str) -> tuple[dict[str, float], dict[str, Any]]:
        by_page = {name: p95(times) for (phase, name), times in sorted(clicks.times.items()) if phase == window}
        every = [t for (phase, _), times in clicks.times.items() if phase == window for t in times]
        errors = sum(n for (phase, _), n in clicks.errors.items() if phase == window)
        return by_page, _figures(every, errors, *cpu[window])

    mixed, overall = _window(MIXED)
    office_pages, office = _window(OFFICE)
    for name, figures in pages.items():
        print(f"{name:14} alone: {figures['requests']:6} requests  p95 {figures['p95_ms']:7.1f} ms  "
              f"{figures['requests_per_cpu_s']} per CPU-s  errors {figures['errors']}", flush=True)
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"mixed: {overall['requests']} requests, p95 {overall['p95_ms']} ms, {overall['requests_per_cpu_s']} "
          f"requests per CPU-second (load average {load[0]})", flush=True)
    print(f"office ({THINK_SECONDS:g} s between one person's clicks): {office['requests']} requests, "
          f"{office['requests_per_s']}/s, p95 {office['p95_ms']} ms, errors {office['errors']}", flush=True)
    return {
        "people": PEOPLE, "pages_p95_ms": overall["p95_ms"], "requests_per_cpu_s": overall["requests_per_cpu_s"],
        "requests": overall["requests"], "requests_per_s": overall["requests_per_s"], "errors": overall["errors"],
        "server_cpu_s": round(cpu[MIXED][0], 2), "mixed_p95_ms": mixed,
        "office_p95_ms": office["p95_ms"], "office": {**office, "think_seconds": THINK_SECONDS,
                                                      "p95_ms_by_page": office_pages},
        "pages": pages, "load_average": load,
    }


# -- one request in-process -------------------------------------------------------------------------
BATCHES = 3


def in_process(postgres: str, leave_out: tuple[str, ...], repeat: int, profile: str | None = None,
               show_sql: bool = False) -> dict[str, Any]:
    """Each page's cost in one process, without the server and its fifty clients: the CPU
    milliseconds and SQL statements of one request (the Flask test client, signed in as the
    person whose work the page is), the figure the machine's load moves least: the best of
    BATCHES batches of `repeat` requests, and the Python function calls of one (which the load
    does not move at all, as cProfile counts them). With `profile` (a page, or "all") each page's requests
    are profiled too (cProfile; the profile is kept in a temporary directory, whose path it prints)."""
    import cProfile
    import pstats

    from sqlalchemy import event

    from app.extensions import db

    kept = Path(tempfile.mkdtemp(prefix="yakuba-bench-pages-profile-")) if profile else None
    with scratch_database(postgres, "yakuba_bench_pages") as url:
        people = prepare(url, leave_out)
        app = create_app(_config(url))
        with app.app_context():
            engine = db.engine
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        by_kind = {kind: next(p for p in people if p.kind == kind) for kind in ("operator", "cashier", "city")}
        clients = {kind: _test_client(app, person) for kind, person in by_kind.items()}
        figures: dict[str, Any] = {}
        for page, path in PAGES.items():
            kind = next(k for k in ("cashier", "city", "operator") if page in WORK[k])
            client, path = clients[kind], path.format(case=by_kind[kind].case_id)
            for _ in range(3):  # warm: what the process keeps is read once
                if client.get(path).status_code != 200:
                    raise SystemExit(f"{path} did not answer 200")
            statements.clear()
            client.get(path)
            sql = list(statements)
            best = min(_batch(client, path, repeat) for _ in range(BATCHES))
            profiler = cProfile.Profile()
            profiler.runcall(_batch, client, path, repeat)
            stats = pstats.Stats(profiler)
            calls = round(stats.total_calls / repeat)  # type: ignore[attr-defined]
            figures[page] = {"cpu_ms": round(best * 1000, 2), "statements": len(sql), "python_calls": calls}
            print(f"{page:14} {figures[page]['cpu_ms']:7.2f} ms CPU  {len(sql):3} statements  {calls:6} Python calls",
                  flush=True)
            if show_sql:
                print("\n".join(f"  {' '.join(q.split())[:200]}" for q in sql))
            if kept and profile in (page, "all"):
                profiler.dump_stats(kept / f"{page}.prof")
                stats.sort_stats("cumulative").print_stats(r"app/|templates/", 30)
        engine.dispose()
    if kept:
        print(f"profiles in {kept}", flush=True)
    return {"in_process": figures,
            "cpu_ms_per_request": round(sum(f["cpu_ms"] for f in figures.values()) / len(figures), 2)}


def _batch(client: Any, path: str, repeat: int) -> float:
    """CPU seconds of one request, averaged over `repeat`."""
    started = time.process_time()
    for _ in range(repeat):
        client.get(path)
    return (time.process_time() - started) / repeat


def _test_client(app: Any, person: Person) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": person.username, "password": PASSWORD,
                                           "csrf_token": CSRF.search(page).group(1)})
    assert response.status_code == 302, person.username
    if person.counter_id is not None:
        page = client.get("/").get_data(as_text=True)
        response = client.post("/queue/counter/select", data={"counter_id": person.counter_id},
                               headers={"X-CSRFToken": CSRF.search(page).group(1)})
        assert response.status_code == 303, person.username
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2.5 s per page and 6 s for each mixed window instead of 15 s and 60 s")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--in-process", action="store_true",
                        help="the CPU milliseconds and SQL statements of one request per page, in one process")
    parser.add_argument("--profile", choices=(*PAGES, "all"),
                        help="with --in-process: cProfile a page, or all")
    parser.add_argument("--sql", action="store_true", help="with --in-process: print each page's statements")
    parser.add_argument("--repeat", type=int, default=50, help="with --in-process: requests per batch")
    args = parser.parse_args()
    if args.in_process:
        print(json.dumps(in_process(args.postgres, QUICK_LEAVES_OUT, args.repeat, args.profile, args.sql)))
        return
    leave_out = QUICK_LEAVES_OUT if args.quick else ()
    print(json.dumps(run(args.postgres, args.redis, QUICK_SECONDS if args.quick else FULL_SECONDS, leave_out),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
