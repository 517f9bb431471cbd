"""Simulated devices and in-process agents, so the whole system runs on one machine
(`make run`, YAKUBA_SIMULATE_DEVICES=1).

Every terminal that has devices gets protocol-true simulators: a TCP receipt printer spoken
to by python-escpos's real Network class, a serial call board over socket://, a virtual My
Number card slot and a seal-scanner slot. Its agent (hardware.agent.Agent, the same code a
real terminal runs) polls this server over HTTP with a token minted at start.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from app.config import settings
from app.devices import services
from app.devices.models import DeviceKind, Terminal, TerminalKind
from app.extensions import db
from hardware.agent import Agent
from hardware.call_board import simulated_call_board
from hardware.printer import simulated_printer

log = logging.getLogger(__name__)

#: which devices each kind of terminal has
DEVICES_BY_KIND: dict[str, tuple[DeviceKind, ...]] = {
    TerminalKind.kiosk: (DeviceKind.printer,),
    TerminalKind.register: (DeviceKind.printer,),
    TerminalKind.counter_pc: tuple(DeviceKind),
}
SCANNER_DPI = 600


@dataclass
class Simulation:
    agents: dict[str, Agent] = field(default_factory=dict)
    threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        for agent in self.agents.values():
            agent.stop()


def simulated_url(terminal: Terminal, device: str) -> str:
    """The URL of the simulator standing in for a terminal's device (starting it if needed).
    sim://CODE, not the simulator's TCP port, which changes at each start: a restart leaves
    the binding as it was (the drivers still speak ESC/POS and serial frames to the port)."""
    if device == DeviceKind.printer:
        simulated_printer(terminal.code)
        return f"sim://{terminal.code}?mode=kanji"
    if device == DeviceKind.call_board:
        simulated_call_board(terminal.code)
        return f"sim://{terminal.code}"
    if device == DeviceKind.card_reader:
        return f"sim://{terminal.code}"
    return f"sim://{terminal.code}?dpi={SCANNER_DPI}"


def simulated_token(code: str) -> str:
    """The in-process agent's token of a terminal: derived from the secret key, so that a
    restart finds it already set and writes nothing (the audit log gained 34 rows at each start,
    issue 15 §5). Only simulated terminals get one; a real terminal's token is random."""
    return hmac.new(settings().SECRET_KEY.encode(), f"simulated-agent:{code}".encode(), hashlib.sha256).hexdigest()


def bind_simulators() -> dict[str, str]:
    """Point every terminal's devices at simulators and give their agents a token; only what
    differs from the database is written (and audited).

    Returns the tokens by terminal code.
    """
    tokens = {}
    for terminal in db.session.scalars(select(Terminal).where(Terminal.active.is_(True))):
        devices = DEVICES_BY_KIND.get(terminal.kind, ())
        if not devices:
            continue
        for device in devices:
            services.save_binding(terminal, services.BindingInput(device, device, simulated_url(terminal, device)))
        token = simulated_token(terminal.code)
        if terminal.token_hash != services.hash_token(token):
            services.rotate_token(terminal, token=token)
        tokens[terminal.code] = token
    db.session.commit()
    return tokens


def start(app: Flask, server_url: str) -> Simulation:
    """Bind simulators and start one agent thread per terminal that has devices."""
    with app.app_context():
        tokens = bind_simulators()
    simulation = Simulation()
    for code, token in tokens.items():
        agent = Agent(server_url, token, poll_wait=20, min_poll_interval=0.0, max_backoff=5.0)
        thread = threading.Thread(target=_run_when_listening, args=(agent, server_url), name=f"agent-{code}",
                                  daemon=True)
        simulation.agents[code] = agent
        simulation.threads.append(thread)
        thread.start()
    log.info("simulated devices and %d agents started against %s", len(tokens), server_url)
    return simulation


def _run_when_listening(agent: Agent, server_url: str, patience: float = 60.0) -> None:
    """The agents start while the server is still starting: wait (quietly) until it accepts
    connections, then run; after `patience` seconds run anyway and let the agent report."""
    parts = urlsplit(server_url)
    address = (parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80))
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline and not agent.stopping:
        try:
            socket.create_connection(address, timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    agent.run_forever()


class QuietAgentPolls(logging.Filter):
    """Drops the development server's access-log lines for the simulated agents' long polls
    (several a second), so the console of `make run` shows what people do. Failed polls
    (4xx/5xx) are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("/agent/api/" in message and '" 200 ' in message)


def init_app(app: Flask) -> None:
    if not settings(app).SIMULATE_DEVICES:
        return
    access_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, QuietAgentPolls) for f in access_log.filters):
        access_log.addFilter(QuietAgentPolls())
    with app.app_context():
        config = settings()
    app.extensions["yakuba_simulation"] = start(app, config.AGENT_SERVER or f"http://127.0.0.1:{config.PORT}")
