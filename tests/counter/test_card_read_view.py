"""カード読取 on the case page: the PIN goes through the counter's real agent to a virtual card,
the requester is filled in, and wrong or blocked PINs say what to do."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from app.core.desk import SESSION_KEY
from app.core.services import save_counter
from app.devices import services as devices
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from tests.conftest import PASSWORD
from tests.live import LiveServer, start_agent

NUMBER = make_my_number("11122233344")


@pytest.fixture
def counter_with_reader(app, procedures) -> Iterator[int]:
    counter = save_counter(None, 4, "証明書", "citizens")
    terminal, token = devices.create_terminal("counter-4", "4番窓口 端末", "counter_pc", counter.id)
    devices.save_binding(terminal, "card_reader", "card_reader", "sim://counter-4")
    db.session.commit()
    live = LiveServer(app).start()
    _, stop_agent = start_agent(live.url, token)
    deadline = time.monotonic() + 20
    while not db.session.get_one(Terminal, terminal.id, populate_existing=True).agent_public_key:
        db.session.rollback()
        assert time.monotonic() < deadline, "agent never connected"
        time.sleep(0.05)
    db.session.rollback()
    holder = Person("山彦\u3000太郎", "岩手県一関市竹山町７番２号", date(1980, 5, 6), "1", NUMBER)
    insert_card("counter-4", holder, "4321")
    yield counter.id
    remove_card("counter-4")
    stop_agent()
    live.stop()


def _login(client, operator, at_counter: int | None = None) -> None:
    assert client.post("/login", data={"username": operator.username, "password": PASSWORD}).status_code == 302
    if at_counter is not None:  # as if chosen on the 窓口呼出 screen
        with client.session_transaction() as session:
            session[SESSION_KEY] = at_counter


def test_card_read_fills_the_requester(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader)
    response = client.post(f"/counter/cases/{case.id}/card", data={"pin": "4321"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "カードの券面事項を読み取り" in body
    db.session.expire_all()
    assert case.requester_name == "山彦\u3000太郎" and case.requester_birth_date == date(1980, 5, 6)
    assert NUMBER not in body and "4321" not in body


def test_wrong_pin_says_how_many_tries_are_left(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator, at_counter=counter_with_reader)
    response = client.post(f"/counter/cases/{case.id}/card", data={"pin": "0000"})
    assert response.status_code == 422
    assert "あと2回間違えるとロックされます" in response.get_data(as_text=True)
    for _ in range(2):
        client.post(f"/counter/cases/{case.id}/card", data={"pin": "0000"})
    body = client.post(f"/counter/cases/{case.id}/card", data={"pin": "4321"}).get_data(as_text=True)
    assert "暗証番号がロックされています" in body and "暗証番号再設定" in body


def test_no_counter_chosen_says_so(client, operator, open_case, counter_with_reader) -> None:
    case = open_case()
    _login(client, operator)
    response = client.post(f"/counter/cases/{case.id}/card", data={"pin": "4321"})
    assert response.status_code == 422
    assert "窓口が選ばれていません" in response.get_data(as_text=True)


def test_a_refused_read_leaves_no_card_face_in_the_job_row(client, operator, checked_case,
                                                           counter_with_reader) -> None:
    case = checked_case()  # past 確認: the page refuses the card face
    _login(client, operator, at_counter=counter_with_reader)
    response = client.post(f"/counter/cases/{case.id}/card", data={"pin": "4321"})
    assert response.status_code == 422
    assert "受付・確認の段階" in response.get_data(as_text=True)
    db.session.expire_all()
    jobs = db.session.scalars(select(DeviceJob).where(DeviceJob.kind == "card_read")).all()
    assert [(job.state, job.result) for job in jobs] == [("done", {"read": True})]
    assert case.requester_birth_date is None
