"""No request waits on a device (issue #12 §5): with a card reader that takes 5 s per card, 40
card reads sent at once to a 4-thread server (gunicorn, gthread, 1 worker x 4 threads, in its
own process) each answer at once, and while they are outstanding (their pages polling every
second, the reader working through them one by one) the other pages of the server stay quick.

Nothing here is timed (bench/requests.py measures how quick): the POSTs have all answered while
the reader has read at most a card or two, so none waited for it; and the other pages kept
answering all the while the reads were outstanding."""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.core.services import save_counter
from app.counter import catalog
from app.counter import visits as counter
from app.devices import services as devices
from app.devices.models import DeviceJob
from app.extensions import db
from app.register.fees import seed_default_fees
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from tests.conftest import PASSWORD, SECRET
from tests.live import start_agent, wait_connected

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SLOT = "counter-load"
PIN = "1357"
READS = 40
READ_SECONDS = 5.0
WATCH_SECONDS = 12.0  # the reads stay outstanding all this while: 40 reads take 200 s


@dataclass(frozen=True)
class Office:
    url: str
    username: str
    counter_id: int
    terminal_id: int
    case_ids: list[int]
    other_case_id: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server process exited"
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def office(app, database_url: str, make_user) -> Iterator[Office]:
    catalog.load()
    seed_default_fees(date(2020, 4, 1))
    desk = save_counter(None, 5, "証明書", "citizens")
    terminal, token = devices.create_terminal(devices.NewTerminal(SLOT, "5番窓口 端末", "counter_pc", desk.id))
    devices.save_binding(terminal, devices.BindingInput("card_reader", "card_reader", f"sim://{SLOT}"))
    operator = make_user("operator", "op-load")
    cases = [counter.open_visit(f"来庁者 {n}", ["resident_record_copy"], operator).cases[0]
             for n in range(READS + 1)]
    db.session.commit()
    ids = [case.id for case in cases]
    counter_id, terminal_id, username = desk.id, terminal.id, operator.username
    db.session.rollback()  # on SQLite an open transaction holds the write lock

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "YAKUBA_DEMO": "0",
           "YAKUBA_SIMULATE_DEVICES": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", "4",
         "--graceful-timeout", "3", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    stop_agent = None
    try:
        _wait_healthy(url, server)
        _, stop_agent = start_agent(url, token)
        wait_connected(terminal_id, timeout=30)
        insert_card(SLOT, Person("山彦\u3000太郎", "岩手県山彦市本町二丁目３番４号", date(1980, 5, 6), "1",
                                 make_my_number("24681357902")), PIN, read_seconds=READ_SECONDS)
        yield Office(url, username, counter_id, terminal_id, ids[:READS], ids[READS])
    finally:
        db.session.rollback()
        remove_card(SLOT)
        if stop_agent is not None:
            stop_agent()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _signed_in(office: Office) -> tuple[requests.Session, str]:
    """A session signed in at the office's counter, and its CSRF token."""
    session = requests.Session()
    page = session.get(f"{office.url}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(f"{office.url}/login", data={"username": office.username, "password": PASSWORD,
                                                         "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    page = session.get(f"{office.url}/counter/cases/{office.other_case_id}", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    chosen = session.post(f"{office.url}/queue/counter/select", data={"counter_id": office.counter_id},
                          headers={"X-CSRFToken": token}, allow_redirects=False, timeout=10)
    assert chosen.status_code == 303
    return session, token


def _copy(session: requests.Session) -> requests.Session:
    copy = requests.Session()
    copy.cookies.update(session.cookies)
    return copy


def _reads_done_once_posted(posts: list[tuple[int, float]]) -> int:
    """How many cards the reader had read when the last of the POSTs answered."""
    deadline = time.monotonic() + 60
    while len(posts) < READS and time.monotonic() < deadline:
        time.sleep(0.1)
    done = db.session.scalar(select(func.count()).select_from(DeviceJob).where(DeviceJob.state == "done"))
    db.session.rollback()
    return done or 0


def test_forty_slow_card_reads_do_not_slow_other_pages(office: Office) -> None:
    signed_in, token = _signed_in(office)
    start = threading.Barrier(READS + 1)
    stop = threading.Event()
    lock = threading.Lock()
    posts: list[tuple[int, float]] = []
    polls: list[tuple[int, float]] = []
    others: list[tuple[str, int, float]] = []

    def read_card(case_id: int) -> None:
        session = _copy(signed_in)
        start.wait()
        began = time.monotonic()
        response = session.post(f"{office.url}/counter/cases/{case_id}/card",
                                headers={"X-CSRFToken": token}, allow_redirects=False, timeout=60)
        poll_url = office.url + response.headers.get("Location", "").split("#")[0]
        typed = session.post(f"{office.url}/devices/pad/{poll_url.rsplit('/', 1)[1]}/pin", data={"pin": PIN},
                             headers={"X-CSRFToken": token, "HX-Request": "true"}, timeout=60)
        with lock:  # the operator's POST and the visitor's PIN on the pad, both answered at once
            posts.append((response.status_code if typed.ok else typed.status_code, time.monotonic() - began))
        while not stop.wait(1.0):  # the read's page polls its fragment every second
            began = time.monotonic()
            polled = session.get(poll_url, headers={"HX-Request": "true"}, timeout=60)
            with lock:
                polls.append((polled.status_code, time.monotonic() - began))

    def browse() -> None:
        session = _copy(signed_in)
        pages = ["/", "/counter/", f"/counter/cases/{office.other_case_id}", "/counter/catalog", "/counter/reception"]
        start.wait()
        while not stop.is_set():
            for path in pages:
                began = time.monotonic()
                response = session.get(office.url + path, timeout=60)
                with lock:
                    others.append((path, response.status_code, time.monotonic() - began))
            stop.wait(0.2)

    threads = [threading.Thread(target=read_card, args=(case_id,)) for case_id in office.case_ids]
    threads.append(threading.Thread(target=browse))
    for thread in threads:
        thread.start()
    read_when_posted = _reads_done_once_posted(posts)
    time.sleep(WATCH_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)

    assert len(posts) == READS and {status for status, _ in posts} == {303}
    slowest_post = max(seconds for _, seconds in posts)
    assert read_when_posted <= 2, f"{read_when_posted} cards were read before the last POST answered"
    assert polls and {status for status, _ in polls} == {200}
    assert len(others) >= 20 and {status for _, status, _ in others} == {200}, others
    slowest = max(others, key=lambda row: row[2])

    # the reader was at work all the while, one card at a time: the reads really were outstanding
    states = dict(db.session.execute(select(DeviceJob.state, func.count()).group_by(DeviceJob.state)).all())
    db.session.rollback()
    assert 1 <= states.get("done", 0) <= WATCH_SECONDS / READ_SECONDS + 1
    assert states.get("queued", 0) + states.get("claimed", 0) >= READS - 4
    print(f"\n{READS} reads: POST median {statistics.median(s for _, s in posts):.3f} s, max {slowest_post:.3f} s; "
          f"{len(polls)} polls, max {max(s for _, s in polls):.3f} s; {len(others)} other pages, "
          f"median {statistics.median(s for *_, s in others):.3f} s, max {slowest[2]:.3f} s; states {states}")
