"""Round trip of a print job: created on the server → claimed by the agent over HTTP → ESC/POS
bytes to the simulated network printer (python-escpos's real Network class over TCP) → result
posted back and the job marked done. p50/p95 over many jobs, with one agent and with four.

    python bench/device_jobs.py [--quick] [--jobs N] [--postgres URL]

The server (werkzeug, threaded), the agents and the printers all run in this process on
127.0.0.1. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import queue
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the root, not bench/ (bench/requests.py)

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.core import events  # noqa: E402
from app.devices import jobs, services  # noqa: E402
from app.devices.models import DeviceJob, Terminal  # noqa: E402
from app.extensions import db  # noqa: E402
from hardware.agent import Agent  # noqa: E402
from hardware.printer import Cut, Document, SimulatedPrinter, Text  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.scratch_db import scratch_database  # noqa: E402

TICKET = Document([Text("山彦市役所", align="center"), Text("A-042", bold=True, width=2, height=2),
                   Text("住民票の写し　1通　300円"), Cut()]).to_dict()


def _app(url: str):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    app = create_app(Config.from_env(SECRET_KEY="bench-only", SQLALCHEMY_DATABASE_URI=url))  # noqa: S106
    with app.app_context():
        upgrade()
    return app


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _wait_ended(job_id: int, timeout: float) -> tuple[str, str]:
    """The job's state and error once it has ended (or at the timeout), woken by its event."""
    deadline = time.monotonic() + timeout
    with events.subscribe([jobs.job_channel(job_id)]) as inbox:
        while True:
            job = db.session.get_one(DeviceJob, job_id, populate_existing=True)
            state, error = job.state, job.error
            db.session.rollback()
            remaining = deadline - time.monotonic()
            if state in {"done", "failed", "cancelled"} or remaining <= 0:
                return state, error
            with suppress(queue.Empty):
                inbox.get(timeout=min(1.0, remaining))


def run(app, server: LiveServer, agents: int, total: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    printers, threads, running = [], [], []
    terminal_ids = []
    with app.app_context():
        for n in range(agents):
            printer = SimulatedPrinter(f"bench-{agents}-{n}").start()
            printers.append(printer)
            terminal, token = services.create_terminal(services.NewTerminal(f"bench-{agents}-{n}", f"計測端末{n}",
                                                                            "kiosk"))
            services.save_binding(terminal, services.BindingInput("printer", "printer", printer.url + "?mode=kanji"))
            db.session.commit()
            terminal_ids.append(terminal.id)
            agent = Agent(server.url, token, poll_wait=20, min_poll_interval=0.0, max_backoff=0.5)
            running.append(agent)
            threads.append(threading.Thread(target=agent.run_forever, daemon=True))
    for thread in threads:
        thread.start()

    latencies: list[float] = []
    lock = threading.Lock()

    def producer(terminal_id: int, count: int) -> None:
        with app.app_context():
            for _ in range(count):
                started = time.perf_counter()
                terminal = db.session.get_one(Terminal, terminal_id)
                job = jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {"document": TICKET}, "bench"))
                db.session.commit()
                state, error = _wait_ended(job.id, timeout=30)
                if state != "done":
                    raise RuntimeError(f"job {job.id} ended {state}: {error}")
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
            db.session.remove()

    wall = time.perf_counter()
    producers = [threading.Thread(target=producer, args=(tid, total // agents)) for tid in terminal_ids]
    for p in producers:
        p.start()
    for p in producers:
        p.join()
    wall = time.perf_counter() - wall
    for agent in running:
        agent.stop()
    for printer in printers:
        printer.stop()
    return {
        "agents": agents, "jobs": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "jobs_per_s": round(len(latencies) / wall, 1),
    }


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 jobs per run (under a minute)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="run on a scratch database on this PostgreSQL server instead of SQLite")
    args = parser.parse_args()
    total = args.jobs or (500 if args.quick else 2000)
    with ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_database(args.postgres, "yakuba_bench"))
        else:
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.sqlite3"
        app = _app(url)
        server = LiveServer(app).start()
        try:
            results = {}
            for agents in (1, 4):
                results[f"agents_{agents}"] = figures = run(app, server, agents, total)
                print(f"{agents} agent(s): {figures['jobs']} jobs, p50 {figures['p50_ms']} ms, "
                      f"p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms, "
                      f"{figures['jobs_per_s']} jobs/s", flush=True)
        finally:
            server.stop()
            app.extensions["yakuba_events"].close()
            with app.app_context():
                db.engine.dispose()
    results["database"] = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
