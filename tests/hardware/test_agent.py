import base64
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hardware import agent as agent_module
from hardware.agent import OAEP, Agent, Backoff, infer_kind, parse_device_flags
from hardware.call_board import SimulatedCallBoard
from hardware.printer import Cut, Document, QRCode, SimulatedPrinter, Text

TOKEN = "terminal-token-1"


@dataclass
class FakeServer:
    """The server side of the agent contract, as app/devices implements it."""

    devices: list[dict[str, Any]]
    queue: list[dict[str, Any]] = field(default_factory=list)
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    polls: list[dict[str, Any]] = field(default_factory=list)
    refusal: str = ""  # a poll is answered 400 with this error (as the server refuses a bad key)
    lock: threading.Lock = field(default_factory=threading.Lock)
    result_posted: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.result_posted = threading.Condition(self.lock)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("no", status=401)(environ, start_response)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if request.method == "GET" and path == "/agent/api/config":
            return self.json({
                "terminal": {"code": "T03", "name": "3番窓口", "kind": "counter"},
                "devices": self.devices,
            })
        if request.method == "POST" and path == "/agent/api/poll":
            if self.refusal:
                return Response(json.dumps({"error": self.refusal}), status=400, mimetype="application/json")
            with self.lock:
                self.polls.append(request.get_json())
                jobs, self.queue = self.queue, []
            return self.json({"jobs": jobs})
        if request.method == "POST" and path.startswith("/agent/api/jobs/"):
            job_id = int(path.split("/")[4])
            with self.lock:
                self.results[job_id] = request.get_json()
                self.result_posted.notify_all()
            return self.json({})
        return Response("not found", status=404)

    @staticmethod
    def json(body: dict[str, Any]) -> Response:
        return Response(json.dumps(body), mimetype="application/json")

    def add_job(self, job: dict[str, Any]) -> None:
        with self.lock:
            self.queue.append(job)

    def wait_result(self, job_id: int, timeout: float = 10.0) -> dict[str, Any]:
        with self.result_posted:
            assert self.result_posted.wait_for(lambda: job_id in self.results, timeout)
            return self.results[job_id]


@pytest.fixture
def printer() -> Iterator[SimulatedPrinter]:
    sim = SimulatedPrinter("agent").start()
    yield sim
    sim.stop()


@pytest.fixture
def board() -> Iterator[SimulatedCallBoard]:
    sim = SimulatedCallBoard("agent").start()
    yield sim
    sim.stop()


@pytest.fixture
def server(printer, board) -> Iterator[tuple[FakeServer, str]]:
    fake = FakeServer(devices=[
        {"name": "printer", "kind": "printer", "url": printer.url, "options": {}},
        {"name": "board", "kind": "call_board", "url": board.url, "options": {}},
    ])
    http = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=http.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    http.server_close()
    thread.join()


@pytest.fixture
def agent(server) -> Iterator[Agent]:
    made = Agent(server[1], TOKEN, poll_wait=0)
    yield made
    made.close()


def ticket(number: str) -> dict[str, Any]:
    return Document().add(
        Text("受付番号", align="center"),
        Text(number, bold=True, width=3, height=3, align="center"),
        QRCode(f"T-{number}"),
        Cut(),
    ).to_dict()


def test_print_job_prints_and_reports(server, agent, printer):
    fake, _ = server
    fake.add_job({"id": 1, "device": "printer", "kind": "print",
                  "payload": {"document": ticket("105")}, "sealed": None})
    assert agent.run_once() == 1
    result = fake.results[1]
    assert result["ok"] is True and result["error"] is None
    (page,) = printer.wait_for_pages(1)
    assert len(printer.received) == result["result"]["bytes"]
    assert page.text_lines[:2] == ["受付番号", "105"]
    assert page.qr_codes == ["T-105"]


def test_poll_reports_health_and_public_key(server, agent, printer):
    fake, _ = server
    agent.run_once()
    poll = fake.polls[-1]
    assert poll["health"] == {"printer": {"ok": True, "error": None},
                              "board": {"ok": True, "error": None}}
    assert poll["wait"] == 0
    key = serialization.load_pem_public_key(poll["public_key"].encode())
    assert key.key_size == 2048
    printer.stop()
    agent.run_once()
    assert fake.polls[-1]["health"]["printer"]["ok"] is False
    assert "offline" in fake.polls[-1]["health"]["printer"]["error"]


def test_offline_printer_fails_the_job_then_a_resent_job_prints(server, agent, printer):
    fake, _ = server
    job = {"id": 7, "device": "printer", "kind": "print",
           "payload": {"document": ticket("106")}, "sealed": None}
    printer.stop()
    fake.add_job(job)
    agent.run_once()
    assert fake.results[7]["ok"] is False
    assert "offline" in fake.results[7]["error"]
    assert "Connection refused" in fake.results[7]["error"]
    printer.start()
    fake.add_job(job)
    agent.run_once()
    assert fake.results[7]["ok"] is True
    assert printer.wait_for_pages(1)[0].text_lines[1] == "106"


def test_call_board_job(server, agent, board):
    fake, _ = server
    fake.add_job({"id": 2, "device": "board", "kind": "call_board",
                  "payload": {"text": "105番　3番窓口へ"}, "sealed": None})
    agent.run_once()
    assert fake.results[2] == {"ok": True, "result": {"text": "105番　3番窓口へ"}, "error": None}
    assert board.text == "105番　3番窓口へ"


def test_bad_jobs_are_reported_not_fatal(server, agent):
    fake, _ = server
    fake.add_job({"id": 3, "device": "nothing", "kind": "print", "payload": {}, "sealed": None})
    fake.add_job({"id": 4, "device": "printer", "kind": "dance", "payload": {}, "sealed": None})
    fake.add_job({"id": 5, "device": "board", "kind": "print", "payload": {}, "sealed": None})
    fake.add_job({"id": 6, "device": "printer", "kind": "print",
                  "payload": {"document": {"elements": [{"type": "x"}]}}, "sealed": None})
    assert agent.run_once() == 4
    assert "no device named" in fake.results[3]["error"]
    assert "unknown job kind" in fake.results[4]["error"]
    assert "need a printer" in fake.results[5]["error"]
    assert "unknown element type" in fake.results[6]["error"]
    assert not any(fake.results[i]["ok"] for i in (3, 4, 5, 6))


def test_card_job_without_card_reader_module_fails_cleanly(server, agent, monkeypatch):
    fake, _ = server
    fake.devices.append({"name": "reader", "kind": "card_reader", "url": "pcsc://0"})
    monkeypatch.setattr(agent_module.importlib, "import_module", _missing_module)
    fake.add_job({"id": 8, "device": "reader", "kind": "card_status", "payload": {},
                  "sealed": None})
    agent.run_once()
    assert fake.results[8]["ok"] is False
    assert "not available" in fake.results[8]["error"]
    assert fake.polls[-1]["health"]["reader"]["ok"] is False


def _missing_module(name: str):
    raise ModuleNotFoundError(f"No module named {name!r}")


def test_sealed_pin_reaches_the_handler_and_is_never_logged(server, agent, monkeypatch, caplog):
    fake, _ = server
    fake.devices.append({"name": "reader", "kind": "card_reader", "url": "pcsc://0"})
    seen: dict[str, Any] = {}

    def card_read(agent_, binding, payload, pin):
        seen.update(pin=pin, url=binding.url)
        return {"name": "番号　花子", "my_number": "537686677188"}

    monkeypatch.setitem(agent_module.HANDLERS, "card_read", ("card_reader", card_read))
    agent.run_once()
    key = serialization.load_pem_public_key(fake.polls[-1]["public_key"].encode())
    sealed = base64.b64encode(key.encrypt(b"4831", OAEP)).decode()
    fake.add_job({"id": 9, "device": "reader", "kind": "card_read", "payload": {},
                  "sealed": sealed})
    with caplog.at_level(logging.DEBUG):
        agent.run_once()
    assert seen == {"pin": "4831", "url": "pcsc://0"}
    assert fake.results[9]["ok"] is True
    assert "4831" not in caplog.text
    assert "537686677188" not in caplog.text
    assert "花子" not in caplog.text


def test_sealed_to_another_key_fails(server, agent, monkeypatch):
    fake, _ = server
    fake.devices.append({"name": "reader", "kind": "card_reader", "url": "pcsc://0"})
    other = Agent("http://127.0.0.1:9", TOKEN)
    key = serialization.load_pem_public_key(other.public_key_pem.encode())
    other.close()
    sealed = base64.b64encode(key.encrypt(b"1234", OAEP)).decode()
    fake.add_job({"id": 10, "device": "reader", "kind": "card_read", "payload": {},
                  "sealed": sealed})
    agent.run_once()
    assert "could not be opened" in fake.results[10]["error"]


def test_device_flag_overrides_config(server, printer):
    fake, url = server
    other = SimulatedPrinter("override").start()
    made = Agent(url, TOKEN, {"printer": other.url, "printer2": printer.url}, poll_wait=0)
    try:
        made.load_config()
        assert made.bindings["printer"].url == other.url
        assert made.bindings["printer2"].kind == "printer"
        fake.add_job({"id": 11, "device": "printer", "kind": "print",
                      "payload": {"document": ticket("107")}, "sealed": None})
        made.run_once()
        assert other.wait_for_pages(1)[0].text_lines[1] == "107"
    finally:
        made.close()
        other.stop()


def test_wrong_token_is_an_error(server):
    made = Agent(server[1], "wrong", poll_wait=0)
    try:
        with pytest.raises(agent_module.AgentError, match="token"):
            made.run_once()
    finally:
        made.close()


def test_a_refused_poll_says_the_servers_reason(server, agent):
    fake, _ = server
    fake.refusal = "エージェントの公開鍵が不正です。"
    with pytest.raises(agent_module.AgentError, match="answered 400: エージェントの公開鍵が不正です。"):
        agent.run_once()


def test_run_forever_in_a_thread(server, printer):
    fake, url = server
    made = Agent(url, TOKEN, poll_wait=0, min_poll_interval=0.05)
    thread = threading.Thread(target=made.run_forever)
    thread.start()
    try:
        fake.add_job({"id": 12, "device": "printer", "kind": "print",
                      "payload": {"document": ticket("108")}, "sealed": None})
        assert fake.wait_result(12)["ok"] is True
    finally:
        made.stop()
        thread.join()
    assert printer.wait_for_pages(1)[0].text_lines[1] == "108"


def test_run_forever_survives_an_unreachable_server(printer):
    down = SimulatedPrinter("not-http").start()
    port = down.port
    down.stop()
    made = Agent(f"http://127.0.0.1:{port}", TOKEN, poll_wait=0, max_backoff=0.01)
    attempts: list[float] = []
    original = made.backoff.next

    def counting_next() -> float:
        attempts.append(original())
        if len(attempts) == 3:
            made.stop()
        return attempts[-1]

    made.backoff.next = counting_next  # type: ignore[method-assign]
    made.run_forever()
    assert len(attempts) == 3


def test_backoff_doubles_and_caps():
    backoff = Backoff(initial=1, cap=10)
    assert [backoff.next() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    backoff.reset()
    assert backoff.next() == 1


def test_device_flags_and_kinds():
    assert parse_device_flags(["printer=sim://a", "board=serial+socket://h:1"]) == {
        "printer": "sim://a", "board": "serial+socket://h:1"}
    with pytest.raises(ValueError):
        parse_device_flags(["printer"])
    assert infer_kind("x", "escpos+tcp://h:9100") == "printer"
    assert infer_kind("x", "serial:///dev/ttyUSB0") == "call_board"
    assert infer_kind("scanner", "sim://s") == "scanner"
    with pytest.raises(ValueError):
        infer_kind("x", "sim://x")
