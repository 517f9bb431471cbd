"""カード読取 on the case page: the PIN goes through the counter's real agent to a virtual card; the
POST answers at once, the page polls the read, and when the card is read it posts once more to
fill the requester. Wrong or blocked PINs, a timeout and an agent that went away say what to do."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.core.desk import SESSION_KEY
from app.core.services import save_counter
from app.devices import card, jobs
from app.devices import services as devices
from app.devices.models import DeviceJob
from app.extensions import db
from hardware.card_reader import Person, insert_card, make_my_number, remove_card, slot_state
from tests.conftest import PASSWORD
from tests.live import polling_agent

NUMBER = make_my_number("11122233344")
HOLDER = Person("山彦\u3000太郎", "岩手県一関市竹山町７番２号", date(1980, 5, 6), "1", NUMBER)
SLOT = "counter-4"
FRAGMENT = {"HX-Request": "true"}  # the page's own poll: not boosted, so the fragment alone


@pytest.fixture
def counter_with_reader(app, procedures) -> Iterator[tuple[int, Callable[[], None]]]:
    counter = save_counter(None, 4, "証明書", "citizens")
    terminal, token = devices.create_terminal(devices.NewTerminal(SLOT, "4番窓口 端末", "counter_pc", counter.id))
    devices.save_binding(terminal, devices.BindingInput("card_reader", "card_reader", f"sim://{SLOT}"))
    db.session.commit()
    counter_id, terminal_id = counter.id, terminal.id  # read now: a later read would open a transaction
    with polling_agent(app, token, terminal_id) as stop_agent:
        insert_card(SLOT, HOLDER, "4321")
        yield counter_id, stop_agent
    remove_card(SLOT)


def _login(client, operator, at_counter: int | None = None) -> None:
    assert client.post("/login", data={"username": operator.username, "password": PASSWORD}).status_code == 302
    if at_counter is not None:  # as if chosen on the 窓口呼出 screen
        with client.session_transaction() as session:
            session[SESSION_KEY] = at_counter


def _start(client, case_id: int, pin: str) -> str:
    """Start the read (the answer is at once a redirect to the read's own page, 入力待ち), then
    the visitor types the PIN on the counter's visitor-facing pad."""
    response = client.post(f"/counter/cases/{case_id}/card")
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"].split("#")[0]
    assert re.fullmatch(rf"/counter/cases/{case_id}/card/\d+", location)
    assert 'data-phase="pin"' in client.get(location, headers=FRAGMENT).get_data(as_text=True)
    job_id = location.rsplit("/", 1)[1]
    typed = client.post(f"/devices/pad/{job_id}/pin", data={"pin": pin}, headers=FRAGMENT)
    assert typed.status_code == 200 and pin not in typed.get_data(as_text=True)
    return location


def _poll(client, url: str, timeout: float = 20.0) -> str:
    """Poll the read's fragment every 0.1 s, as the page does every second, until it has an answer."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url, headers=FRAGMENT)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "<html" not in body  # the fragment only
        if 'data-phase="waiting"' not in body:
            return body
        assert "読取中" in body and 'hx-trigger="every 1s"' in body
        assert time.monotonic() < deadline, "the read was never answered"
        time.sleep(0.1)


WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def test_card_read_fills_the_requester(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    url = _start(client, case.id, "4321")
    page = client.get(url).get_data(as_text=True)  # the page the browser lands on
    assert 'id="card-read"' in page and "<html" in page
    body = _poll(client, url)
    assert 'data-phase="ready"' in body and f'hx-post="{url}"' in body and 'hx-trigger="load"' in body
    job = db.session.scalars(select(DeviceJob)).one()
    assert job.result["name"] == HOLDER.name and job.sealed is None  # until the page takes it
    db.session.rollback()

    response = client.post(url)  # what the ready fragment posts by itself
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "カードの券面事項を読み取り" in body
    db.session.expire_all()
    assert case.requester_name == "山彦\u3000太郎" and case.requester_birth_date == date(1980, 5, 6)
    assert case.state == "checking" and "my_number_card" in case.identity_docs
    assert NUMBER not in body and "4321" not in body
    assert db.session.scalars(select(DeviceJob.result)).all() == [{"taken": True}]
    again = client.post(url)
    assert again.status_code == 422 and "すでに反映" in again.get_data(as_text=True)


def test_polling_the_read_writes_nothing(client, operator, open_case, counter_with_reader) -> None:
    """The test client's polls are spied on statement by statement: the agent, which writes
    while it works (its polls, the job's claim), runs beside them and must not be counted."""
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    insert_card(SLOT, HOLDER, "4321", read_seconds=3.0)
    url = _start(client, case.id, "4321")
    writes: list[str] = []
    polling = threading.local()

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if getattr(polling, "active", False) and WRITE.match(statement):
            writes.append(statement.strip().splitlines()[0][:100])

    def poll() -> str:
        polling.active = True
        try:
            return client.get(url, headers=FRAGMENT).get_data(as_text=True)
        finally:
            polling.active = False

    sa.event.listen(db.engine, "before_cursor_execute", spy)
    try:
        assert 'data-phase="waiting"' in poll()
        _poll(client, url)
        assert 'data-phase="ready"' in poll()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", spy)
    assert writes == []


def test_wrong_pin_says_how_many_tries_are_left(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    body = _poll(client, _start(client, case.id, "0000"))
    assert 'data-phase="failed"' in body and "あと2回間違えるとロックされます" in body
    assert 'name="pin"' not in body and "もう一度読み取る" in body  # the PIN is typed on the pad, never here
    for _ in range(2):
        _poll(client, _start(client, case.id, "0000"))
    body = _poll(client, _start(client, case.id, "4321"))
    assert "暗証番号がロックされています" in body and "暗証番号再設定" in body
    assert slot_state(SLOT)["tries_left"] == 0
    assert db.session.scalars(select(DeviceJob.sealed)).all() == [None] * 4


def test_a_timed_out_read_is_given_up_by_a_post_and_says_what_to_do(client, operator, open_case,
                                                                     counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    insert_card(SLOT, HOLDER, "4321", read_seconds=3.0)  # the reader takes its time
    url = _start(client, case.id, "4321")
    deadline = time.monotonic() + 10
    while (job := db.session.scalars(select(DeviceJob)).one()).state != "claimed":  # the reader is at work
        db.session.rollback()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    job.created_at -= card.READ_TIMEOUT  # as if the page had waited all that while
    db.session.commit()
    body = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="overdue"' in body and f'hx-post="{url}/cancel"' in body and 'hx-trigger="load"' in body
    assert db.session.get_one(DeviceJob, job.id, populate_existing=True).state == "claimed"
    db.session.rollback()

    body = client.post(f"{url}/cancel", headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="cancelled"' in body and "もう一度読み取ってください" in body
    job = db.session.get_one(DeviceJob, job.id, populate_existing=True)
    assert (job.state, job.sealed) == ("cancelled", None)
    db.session.rollback()
    time.sleep(3.5)  # the reader answers after all: the answer is dropped
    job = db.session.get_one(DeviceJob, job.id, populate_existing=True)
    assert (job.state, job.result) == ("cancelled", None)
    db.session.expire_all()
    assert case.requester_birth_date is None


def test_an_agent_that_went_away_says_to_check_the_terminal(client, operator, open_case,
                                                            counter_with_reader) -> None:
    counter_id, stop_agent = counter_with_reader
    stop_agent()
    case = open_case()
    _login(client, operator, at_counter=counter_id)
    url = _start(client, case.id, "4321")
    assert 'data-phase="waiting"' in client.get(url, headers=FRAGMENT).get_data(as_text=True)
    job = db.session.scalars(select(DeviceJob)).one()
    job.created_at -= card.READ_TIMEOUT + timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"{url}/cancel")  # without JavaScript: the button, then the read's page
    assert response.status_code == 303
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "エージェントが応答しません" in body and "端末の電源とネットワークを確認" in body
    assert db.session.scalars(select(DeviceJob.sealed)).all() == [None]


def test_an_operator_may_stop_waiting(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    insert_card(SLOT, HOLDER, "4321", read_seconds=2.0)
    url = _start(client, case.id, "4321")
    assert f'hx-post="{url}/cancel"' in client.get(url, headers=FRAGMENT).get_data(as_text=True)
    body = client.post(f"{url}/cancel", headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="cancelled"' in body
    assert db.session.scalars(select(DeviceJob.state)).all() == ["cancelled"]


def test_no_counter_chosen_says_so(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator)
    response = client.post(f"/counter/cases/{case.id}/card")
    assert response.status_code == 422
    assert "窓口が選ばれていません" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 0


def test_a_case_past_the_checks_is_refused_before_the_pin_is_sent(client, operator, checked_case,
                                                                  counter_with_reader) -> None:
    case = checked_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    response = client.post(f"/counter/cases/{case.id}/card")
    assert response.status_code == 422
    assert "受付・確認の段階" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 0


def test_a_refused_read_leaves_no_card_face_in_the_job_row(client, operator, open_case, counter_with_reader) -> None:
    from app.counter import checks
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    url = _start(client, case.id, "4321")
    assert 'data-phase="ready"' in _poll(client, url)
    db.session.expire_all()
    values = {"requester_name": "山彦 太郎", "identity_docs": ["drivers_license"], "content_checked": True,
              "documents_checked": list(case.procedure.documents)}
    checks.save_checks(case, checks.CheckInput(**values), operator)
    checks.confirm_checks(case, operator)  # meanwhile the case went on to 入力
    db.session.commit()
    response = client.post(url)
    assert response.status_code == 422
    assert "受付・確認の段階" in response.get_data(as_text=True)
    db.session.expire_all()
    jobs = db.session.scalars(select(DeviceJob).where(DeviceJob.kind == "card_read")).all()
    assert [(job.state, job.result) for job in jobs] == [("done", {"taken": True})]
    assert case.requester_birth_date is None


def test_another_operator_cannot_reach_the_read(client, operator, open_case, make_user, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    url = _start(client, case.id, "4321")
    _poll(client, url)
    other = make_user("operator", "op2")
    client.post("/logout")
    _login(client, other, at_counter=counter_with_reader[0])
    assert client.get(url, headers=FRAGMENT).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(f"/counter/cases/{case.id + 1}/card/1", headers=FRAGMENT).status_code == 404


def test_a_bad_agent_key_on_record_refuses_the_read_instead_of_a_500(client, operator, open_case) -> None:
    """A key stored before keys were checked (issue #14 §4): the page says what to do."""
    counter = save_counter(None, 5, "証明書", "citizens")
    terminal, _ = devices.create_terminal(devices.NewTerminal("counter-5", "5番窓口 端末", "counter_pc", counter.id))
    devices.save_binding(terminal, devices.BindingInput("card_reader", "card_reader", "sim://counter-5"))
    terminal.agent_public_key = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"
    case = open_case()
    db.session.commit()
    _login(client, operator, at_counter=counter.id)
    response = client.post(f"/counter/cases/{case.id}/card")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "端末「5番窓口 端末」のエージェントの鍵が不正なため、暗証番号を送れません。" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 0


def _all_text(table: str) -> str:
    """Every value of every row of a table, as text (sealed bytes included, as they are stored)."""
    rows = db.session.execute(sa.select(db.metadata.tables[table])).all()
    db.session.rollback()
    return " ".join(str(value) for row in rows for value in row)


def test_the_pin_is_typed_on_the_visitors_pad_and_kept_nowhere(client, operator, open_case, counter_with_reader,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """Issue 15 §1: the PIN belongs to the card holder. The operator starts the read and sees
    入力待ち with no PIN field; the visitor's pad (/devices/pad, the counter's second screen) asks
    for it; no agent gets the read before it; the PIN is in no row, log or answer afterwards."""
    caplog.set_level("DEBUG")
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    started = client.post(f"/counter/cases/{case.id}/card")
    url = started.headers["Location"].split("#")[0]
    waiting = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="pin"' in waiting and "入力待ち" in waiting and 'name="pin"' not in waiting
    job = db.session.scalars(select(DeviceJob)).one()
    assert (job.state, job.sealed, jobs.phase(job)) == ("queued", None, "pin")
    assert jobs.claim(job.terminal) == []  # no agent is handed a read without its PIN
    db.session.rollback()

    pad = client.get("/devices/pad").get_data(as_text=True)
    assert 'data-phase="pin"' in pad and "決定" in pad and 'type="password"' in pad
    answers = [client.post(f"/devices/pad/{job.id}/pin", data={"pin": "12ab"}, headers=FRAGMENT)]
    assert answers[0].status_code == 422 and "数字4桁" in answers[0].get_data(as_text=True)
    answers.append(client.post(f"/devices/pad/{job.id}/pin", data={"pin": "4321"}, headers=FRAGMENT))
    assert answers[1].status_code == 200
    _poll(client, url)
    answers.append(client.post(url))
    assert "カードの券面事項を読み取り" in answers[2].get_data(as_text=True)
    answers.append(client.get("/devices/pad", headers=FRAGMENT))
    assert "読み取りました" in answers[3].get_data(as_text=True)
    for table in ("device_jobs", "audit_entries"):
        assert "4321" not in _all_text(table), table
    assert "4321" not in caplog.text
    assert not any("4321" in answer.get_data(as_text=True) for answer in answers)


def test_a_read_whose_pin_never_comes_is_cancelled(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    url = client.post(f"/counter/cases/{case.id}/card").headers["Location"].split("#")[0]
    job = db.session.scalars(select(DeviceJob)).one()
    job.created_at -= jobs.PIN_WAIT + timedelta(seconds=1)
    db.session.commit()
    jobs.end_expired()  # the agent's next poll does the same
    db.session.commit()
    assert db.session.scalars(select(DeviceJob.state)).all() == ["cancelled"]
    body = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'data-phase="cancelled"' in body and "暗証番号が入力されないまま" in body
    refused = client.post(f"/devices/pad/{job.id}/pin", data={"pin": "4321"}, headers=FRAGMENT)
    assert refused.status_code == 422 and "待っていません" in refused.get_data(as_text=True)


def test_another_counters_read_is_not_on_this_pad(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    client.post(f"/counter/cases/{case.id}/card")
    job_id = db.session.scalars(select(DeviceJob.id)).one()
    other = save_counter(None, 9, "証明書", "citizens")
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = other.id
    assert 'data-phase="pin"' not in client.get("/devices/pad").get_data(as_text=True)
    assert client.post(f"/devices/pad/{job_id}/pin", data={"pin": "4321"}).status_code == 404


def test_the_simulator_offers_the_same_pad(client, operator, make_user, open_case, counter_with_reader) -> None:
    """/devices/sim shows each simulated counter PC's visitor pad; the PIN typed there reads the card."""
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader[0])
    url = client.post(f"/counter/cases/{case.id}/card").headers["Location"].split("#")[0]
    job_id = db.session.scalars(select(DeviceJob.id)).one()
    db.session.rollback()
    client.post("/logout")
    _login(client, make_user("supervisor", "sup1"))
    sim = client.get("/devices/sim").get_data(as_text=True)
    assert f'id="pin-pad-{SLOT}"' in sim and 'data-phase="pin"' in sim
    typed = client.post(f"/devices/sim/pads/{SLOT}/{job_id}/pin", data={"pin": "4321"}, headers=FRAGMENT)
    assert typed.status_code == 200 and "4321" not in typed.get_data(as_text=True)
    client.post("/logout")
    _login(client, operator, at_counter=counter_with_reader[0])
    assert 'data-phase="ready"' in _poll(client, url)
