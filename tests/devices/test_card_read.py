"""Reading a My Number card at a counter through the real agent and a virtual card: the read is
queued and answered at once, the page follows its state, and the card face is handed over once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth import services as auth
from app.auth.models import User
from app.core.services import save_counter
from app.devices import card, jobs, services
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from tests.conftest import PASSWORD, make_config
from tests.live import LiveServer, start_agent

NUMBER = make_my_number("98765432109")
HOLDER = Person("山彦\u3000次郎", "岩手県山彦市本町二丁目３番４号", date(1990, 2, 3), "1", NUMBER)
SLOT = "counter-card"


@dataclass
class CounterPc:
    counter_id: int
    stop_agent: object

    def terminal(self) -> Terminal:
        found = card.counter_terminal(self.counter_id)
        assert found is not None
        return found


@pytest.fixture
def counter_pc(database_url: str) -> Iterator[CounterPc]:
    app = create_app(make_config(database_url))
    live = LiveServer(app).start()
    with app.app_context():
        counter = save_counter(None, 3, "住民異動", "citizens")
        terminal, token = services.create_terminal(services.NewTerminal(SLOT, "3番窓口 端末", "counter_pc", counter.id))
        services.save_binding(terminal, services.BindingInput("card_reader", "card_reader", f"sim://{SLOT}"))
        auth.create_user("op-card", "窓口 太郎", "operator", PASSWORD)
        db.session.commit()
        counter_id = counter.id
    _, stop_agent = start_agent(live.url, token)
    insert_card(SLOT, HOLDER, "2580")
    with app.app_context():
        _wait_for_key(counter_id)
        yield CounterPc(counter_id, stop_agent)
        db.session.rollback()  # on SQLite an open transaction of the test holds the write lock
    remove_card(SLOT)
    stop_agent()
    live.stop()
    app.extensions["yakuba_events"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _operator() -> User:
    return db.session.scalars(sa.select(User).where(User.username == "op-card")).one()


def _wait_for_key(counter_id: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        terminal = card.counter_terminal(counter_id)
        if terminal is not None and terminal.agent_public_key:
            db.session.rollback()
            return
        db.session.rollback()
        time.sleep(0.05)
    raise AssertionError("agent never connected")


def _start(pc: CounterPc, pin: str) -> int:
    job = card.start_read(pc.terminal(), pin, _operator(), case_id=7)
    db.session.commit()
    return job.id


def _status_when_answered(job_id: int, timeout: float = 20.0) -> card.CardReadStatus:
    """Poll the read as its page does (reading only) until it is no longer waiting."""
    deadline = time.monotonic() + timeout
    while True:
        status = card.read_status(db.session.get_one(DeviceJob, job_id, populate_existing=True))
        db.session.rollback()
        if not status.waiting:
            return status
        assert time.monotonic() < deadline, "the read was never answered"
        time.sleep(0.05)


def test_the_card_face_waits_in_the_row_only_until_the_page_takes_it(counter_pc) -> None:
    job_id = _start(counter_pc, "2580")
    assert _status_when_answered(job_id).phase == "ready"
    job = db.session.get_one(DeviceJob, job_id)
    face = card.take_face(job, _operator())
    db.session.commit()
    assert face["name"] == "山彦\u3000次郎"
    assert face["birth_date"] == "1990-02-03" and face["sex"] == "1"
    assert face["my_number_valid"] is True and NUMBER not in str(face)
    stored = db.session.execute(sa.select(DeviceJob.result, DeviceJob.sealed)).all()
    assert [tuple(row) for row in stored] == [({"taken": True}, None)]
    assert card.read_status(db.session.get_one(DeviceJob, job_id)).phase == "taken"
    with pytest.raises(jobs.JobError, match="すでに反映"):
        card.take_face(db.session.get_one(DeviceJob, job_id), _operator())


def test_wrong_pin_shows_tries_left_and_blocked_card_says_so(counter_pc) -> None:
    status = _status_when_answered(_start(counter_pc, "0000"))
    assert (status.phase, status.code, status.tries_left) == ("failed", "wrong_pin", 2)
    assert "残り2回" in status.message
    for _ in range(2):
        _status_when_answered(_start(counter_pc, "1111"))
    status = _status_when_answered(_start(counter_pc, "2580"))
    assert status.code == "blocked" and "暗証番号再設定" in status.message
    assert db.session.scalars(sa.select(DeviceJob.sealed)).all() == [None] * 4


def test_pin_format_is_checked_before_anything_is_sent(counter_pc) -> None:
    with pytest.raises(jobs.JobError, match="数字4桁"):
        card.start_read(counter_pc.terminal(), "12a4", _operator(), case_id=7)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 0


def test_a_slow_reader_does_not_hold_the_caller(counter_pc) -> None:
    insert_card(SLOT, HOLDER, "2580", read_seconds=3.0)
    started = time.monotonic()
    job_id = _start(counter_pc, "2580")
    # the caller has its job back while the reader is still reading: it waited for nothing
    assert card.read_status(db.session.get_one(DeviceJob, job_id)).phase == "waiting"
    db.session.rollback()
    assert _status_when_answered(job_id).phase == "ready"
    assert time.monotonic() - started >= 3.0


def test_an_agent_that_went_away_ends_in_a_timeout_that_says_what_to_do(counter_pc) -> None:
    counter_pc.stop_agent()  # its key stays known: the read is queued and nobody takes it
    job_id = _start(counter_pc, "2580")
    job = db.session.get_one(DeviceJob, job_id)
    assert card.read_status(job).phase == "waiting"
    job.created_at -= card.READ_TIMEOUT + timedelta(seconds=1)  # the page's wait has run out
    db.session.commit()
    assert card.read_status(db.session.get_one(DeviceJob, job_id)).phase == "overdue"
    status = card.give_up(db.session.get_one(DeviceJob, job_id), _operator())
    db.session.commit()
    assert (status.phase, status.code) == ("cancelled", "timeout")
    assert "エージェントが応答しません" in status.message and "もう一度読み取って" in status.message
    job = db.session.get_one(DeviceJob, job_id)
    assert (job.state, job.sealed, job.result) == ("cancelled", None, None)


def test_only_its_starter_reaches_a_read_and_only_for_its_case(counter_pc) -> None:
    job_id = _start(counter_pc, "2580")
    other = auth.create_user("op-other", "窓口 次郎", "operator", PASSWORD)
    db.session.commit()
    assert card.read_job(job_id, 7, _operator()) is not None
    assert card.read_job(job_id, 8, _operator()) is None
    assert card.read_job(job_id, 7, other) is None
