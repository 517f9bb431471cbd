"""The simulated agents' long polls stay out of the `make run` console; everything else stays in."""

from __future__ import annotations

import logging

import pytest

from app.devices.simulation import QuietAgentPolls


def _access_line(path: str, status: int) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s -',
                             ("127.0.0.1", "22/Nov/2026 09:00:00", f"POST {path} HTTP/1.1", status), None)


@pytest.mark.parametrize(("path", "status", "shown"), [
    ("/agent/api/poll", 200, False),
    ("/agent/api/jobs/7/result", 200, False),
    ("/agent/api/poll", 401, True),
    ("/agent/api/poll", 500, True),
    ("/register/bills/3/pay", 200, True),
    ("/counter/cases/1/card", 422, True),
])
def test_only_successful_agent_polls_are_dropped(path: str, status: int, shown: bool) -> None:
    assert QuietAgentPolls().filter(_access_line(path, status)) is shown


def test_an_agent_starts_once_its_server_listens() -> None:
    """The simulated agents start with the app, before the server listens: each waits (and so
    logs no connection errors) until the port accepts connections."""
    import socket
    import threading
    import time

    from app.devices.simulation import _run_when_listening
    from hardware.agent import Agent

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    agent = Agent(f"http://127.0.0.1:{port}", "token", poll_wait=1)
    started = threading.Event()
    agent.run_forever = started.set  # type: ignore[method-assign]  # only when it would start
    thread = threading.Thread(target=_run_when_listening, args=(agent, agent.server, 10.0), daemon=True)
    thread.start()
    time.sleep(0.6)
    assert not started.is_set()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert started.wait(5)
    thread.join(5)


def test_the_sim_page_inserts_a_card_into_a_slow_reader(client, login_as) -> None:
    from app.devices import services
    from app.extensions import db
    from hardware.card_reader import remove_card, slot_state

    services.create_terminal(services.NewTerminal("counter-sim", "9番窓口 端末", "counter_pc"))
    db.session.commit()
    login_as("supervisor")
    card = {"slot": "counter-sim", "name": "山彦　花子", "address": "岩手県山彦市本町二丁目３番４号",
            "birth_date": "1971-02-03", "sex": "2", "pin": "1234"}
    try:
        response = client.post("/devices/sim/cards", data={**card, "read_seconds": "5"})
        assert response.status_code == 303
        assert slot_state("counter-sim")["read_seconds"] == 5.0
        page = client.get("/devices/sim").get_data(as_text=True)
        assert "読み取りに5秒かかるリーダー" in page and "読み取り5秒" in page
        assert "9番窓口 端末のカードリーダーに山彦　花子さん" in page  # the terminal's name, not its code
        assert "counter-sim のカードリーダー" not in page
        client.post("/devices/sim/cards", data={**card, "read_seconds": "600"})
        assert "読み取り時間（0〜60秒）" in client.get("/devices/sim").get_data(as_text=True)
        assert slot_state("counter-sim")["read_seconds"] == 5.0  # the card in the reader stays as it was
    finally:
        remove_card("counter-sim")


@pytest.mark.parametrize(("environment", "server"), [
    ({"YAKUBA_AGENT_SERVER": "http://192.0.2.7:8000", "PORT": "5001"}, "http://192.0.2.7:8000"),
    ({"PORT": "5001"}, "http://127.0.0.1:5001"),
    ({}, "http://127.0.0.1:5000"),
])
def test_the_simulated_agents_poll_the_configured_server(monkeypatch, database_url, environment, server) -> None:
    """YAKUBA_AGENT_SERVER and PORT reach the agents through Config (app/config.py)."""
    from app import create_app
    from app.devices import simulation
    from tests.conftest import make_config

    for name in ("YAKUBA_AGENT_SERVER", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    started: list[str] = []
    monkeypatch.setattr(simulation, "start", lambda app, url: started.append(url))
    from app.extensions import db

    app = create_app(make_config(database_url, SIMULATE_DEVICES=True))
    with app.app_context():
        db.engine.dispose()
    assert started == [server]
