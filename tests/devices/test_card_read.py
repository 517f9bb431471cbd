"""Reading a My Number card at a counter through the real agent and a virtual card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.services import save_counter
from app.devices import card, services
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from tests.conftest import make_config
from tests.live import LiveServer, start_agent

NUMBER = make_my_number("98765432109")


@pytest.fixture
def counter_pc(database_url: str) -> Iterator[tuple]:
    app = create_app(make_config(database_url))
    live = LiveServer(app).start()
    with app.app_context():
        counter = save_counter(None, 3, "住民異動", "citizens")
        terminal, token = services.create_terminal("counter-card", "3番窓口 端末", "counter_pc", counter.id)
        services.save_binding(terminal, "card_reader", "card_reader", "sim://counter-card")
        db.session.commit()
        counter_id = counter.id
    _, stop_agent = start_agent(live.url, token)
    holder = Person("山彦\u3000次郎", "岩手県山彦市本町二丁目３番４号", date(1990, 2, 3), "1", NUMBER)
    insert_card("counter-card", holder, "2580")
    with app.app_context():
        _wait_for_key(counter_id)
        yield app, counter_id
    remove_card("counter-card")
    stop_agent()
    live.stop()
    app.extensions["yakuba_events"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _wait_for_key(counter_id: int) -> None:
    import time
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        terminal = card.counter_terminal(counter_id)
        if terminal is not None and terminal.agent_public_key:
            db.session.rollback()
            return
        db.session.rollback()
        time.sleep(0.05)
    raise AssertionError("agent never connected")


def test_card_face_is_read_and_not_kept(counter_pc) -> None:
    _, counter_id = counter_pc
    outcome = card.read_card(card.counter_terminal(counter_id), "2580", None)
    db.session.commit()
    assert outcome.ok
    assert outcome.face["name"] == "山彦\u3000次郎"
    assert outcome.face["birth_date"] == "1990-02-03" and outcome.face["sex"] == "1"
    assert outcome.face["my_number_valid"] is True
    stored = db.session.scalars(sa.select(DeviceJob.result)).all()
    assert stored == [{"read": True}]


def test_wrong_pin_shows_tries_left_and_blocked_card_says_so(counter_pc) -> None:
    _, counter_id = counter_pc
    terminal = card.counter_terminal(counter_id)
    outcome = card.read_card(terminal, "0000", None)
    db.session.commit()
    assert (outcome.ok, outcome.code, outcome.tries_left) == (False, "wrong_pin", 2)
    assert "残り2回" in outcome.message
    for _ in range(2):
        outcome = card.read_card(db.session.get_one(Terminal, terminal.id), "1111", None)
        db.session.commit()
    outcome = card.read_card(db.session.get_one(Terminal, terminal.id), "2580", None)
    db.session.commit()
    assert outcome.code == "blocked" and "暗証番号再設定" in outcome.message


def test_pin_format_is_checked_before_anything_is_sent(counter_pc) -> None:
    _, counter_id = counter_pc
    outcome = card.read_card(card.counter_terminal(counter_id), "12a4", None)
    assert outcome.code == "invalid_pin"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 0
