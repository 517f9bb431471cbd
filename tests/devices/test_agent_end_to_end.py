"""The real agent against a real live_server: jobs flow to a protocol-true simulated printer over
TCP, survive the printer being switched off, and card reads leave no PIN or number behind."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.devices import jobs, services
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from hardware.agent import Agent
from hardware.card_reader import Person, insert_card, make_my_number, remove_card
from hardware.printer import Cut, Document, SimulatedPrinter, Text
from tests.live import LiveServer, start_agent

NUMBER = make_my_number("12345678901")
PIN = "9731"


@pytest.fixture
def printer() -> Iterator[SimulatedPrinter]:
    sim = SimulatedPrinter("e2e").start()
    yield sim
    sim.stop()


def _terminal(app: Flask, printer: SimulatedPrinter) -> tuple[int, str]:
    with app.app_context():
        terminal, token = services.create_terminal(services.NewTerminal("counter-e2e", "試験窓口端末", "counter_pc"))
        services.save_binding(terminal, services.BindingInput("printer", "printer", printer.url + "?mode=kanji"))
        services.save_binding(terminal, services.BindingInput("card_reader", "card_reader", "sim://counter-e2e"))
        db.session.commit()
        return terminal.id, token


@pytest.fixture
def agent(live_server: LiveServer, printer: SimulatedPrinter) -> Iterator[tuple[int, Agent]]:
    terminal_id, token = _terminal(live_server.app, printer)
    agent, stop_agent = start_agent(live_server.url, token)
    yield terminal_id, agent
    stop_agent()


def _print(app: Flask, terminal_id: int, text: str) -> int:
    with app.app_context():
        terminal = db.session.get_one(Terminal, terminal_id)
        doc = Document([Text(text, bold=True)]).add(Text("住民票の写し　1通　300円"), Cut())
        job = jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {"document": doc.to_dict()}, text))
        db.session.commit()
        return job.id


def _states(app: Flask) -> dict[int, DeviceJob]:
    with app.app_context():
        rows = db.session.scalars(sa.select(DeviceJob)).all()
        db.session.expunge_all()
        return {job.id: job for job in rows}


def _wait(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_print_jobs_survive_the_printer_being_switched_off(live_server, printer, agent) -> None:
    terminal_id, _ = agent
    app = live_server.app
    first = _print(app, terminal_id, "A-001")
    printer.wait_for_pages(1)
    _wait(lambda: _states(app)[first].state == "done")

    printer.stop()
    waiting = [_print(app, terminal_id, f"A-00{n}") for n in (2, 3, 4)]
    _wait(lambda: any(_states(app)[j].attempts >= 1 and _states(app)[j].error for j in waiting))
    states = _states(app)
    assert all(states[j].state in ("queued", "claimed") for j in waiting)  # nothing dropped
    assert any("A-00" in states[j].summary and states[j].error for j in waiting)

    printer.start()
    _wait(lambda: all(_states(app)[j].state == "done" for j in waiting), timeout=60)
    printed = "\n".join(line for page in printer.pages for line in page.text_lines)
    for n in (1, 2, 3, 4):
        assert f"A-00{n}" in printed
    assert "住民票の写し" in printed


def _all_text(app: Flask) -> str:
    """Every value of every row of every table, as text."""
    with app.app_context():
        chunks = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                chunks.append(" ".join(str(value) for value in row))
        return "\n".join(chunks)


def test_card_read_leaves_no_pin_or_number_in_database_or_logs(live_server, agent, database_url, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    terminal_id, _ = agent
    app = live_server.app
    _wait(lambda: _public_key_known(app, terminal_id))
    insert_card("counter-e2e", Person("山彦\u3000一郎", "岩手県山彦市本町一丁目１番１号",
                                       date(1970, 1, 2), "1", NUMBER), PIN)
    try:
        with app.app_context():
            terminal = db.session.get_one(Terminal, terminal_id)
            wrong = jobs.enqueue(terminal, jobs.JobSpec("card_reader", "card_read", {}), secret="0000")
            db.session.commit()
            wrong_id = wrong.id
        _wait(lambda: _states(app)[wrong_id].state == "failed")
        assert _states(app)[wrong_id].result["tries_left"] == 2
        with app.app_context():
            terminal = db.session.get_one(Terminal, terminal_id)
            job = jobs.enqueue(terminal, jobs.JobSpec("card_reader", "card_read", {}), secret=PIN)
            db.session.commit()
            job_id = job.id
        _wait(lambda: _states(app)[job_id].state == "done")
        result = _states(app)[job_id].result
        assert result["name"] == "山彦\u3000一郎" and result["my_number_valid"] is True
        assert result["my_number_masked"].endswith(NUMBER[-4:])
    finally:
        remove_card("counter-e2e")

    text = _all_text(app)
    assert NUMBER not in text
    assert not re.search(rf"(?<!\d){PIN}(?!\d)", text)
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert NUMBER.encode() not in raw
        assert not re.search(rb"(?<!\d)" + PIN.encode() + rb"(?!\d)", raw)
    assert NUMBER not in caplog.text and PIN not in caplog.text


def _public_key_known(app: Flask, terminal_id: int) -> bool:
    with app.app_context():
        return bool(db.session.get_one(Terminal, terminal_id).agent_public_key)
