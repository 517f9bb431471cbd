"""The real agent against a live live_server: a cash payment's receipt reaches a protocol-true
simulated printer over TCP, decodes to the Japanese lines, and opens the drawer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.auth.services import create_user
from app.core import services as core_services
from app.demo import DEMO_CITY
from app.devices import services as device_services
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from app.register import receipts, services
from app.register.fees import Item, seed_default_fees
from hardware.printer import SimulatedPrinter
from tests.live import LiveServer, start_agent
from tests.register.conftest import SCHEDULE_START, new_key


@pytest.fixture
def printer() -> Iterator[SimulatedPrinter]:
    sim = SimulatedPrinter("register-e2e").start()
    yield sim
    sim.stop()


@pytest.fixture
def register_agent(live_server: LiveServer, printer: SimulatedPrinter) -> Iterator[int]:
    with live_server.app.app_context():
        core_services.save_municipality(DEMO_CITY)
        seed_default_fees(SCHEDULE_START)
        terminal, token = device_services.create_terminal(device_services.NewTerminal("register-e2e", "会計 レジ",
                                                                                      "register"))
        device_services.save_binding(terminal, device_services.BindingInput("printer", "printer",
                                                                            printer.url + "?mode=kanji"))
        db.session.commit()
        terminal_id = terminal.id
    _, stop_agent = start_agent(live_server.url, token)
    yield terminal_id
    stop_agent()


def _job_state(live_server: LiveServer, job_id: int) -> str:
    with live_server.app.app_context():
        state = db.session.get_one(DeviceJob, job_id).state
        db.session.remove()
        return state


def test_cash_receipt_prints_through_the_agent(live_server, printer, register_agent) -> None:
    with live_server.app.app_context():
        cashier = create_user("cashier-e2e", "会計 花子", "operator", "correct-horse-battery")
        bill = services.open_bill("test", 1, "山彦 一郎",
                                  [Item("resident_record_copy", 2), Item("seal_certificate", 1)])
        terminal = db.session.get_one(Terminal, register_agent)
        payment = services.take_payment(bill.id, terminal, services.PaymentInput("cash", 1000, new_key()),
                                        cashier).payment
        job = receipts.print_receipt(payment, terminal, cashier)
        db.session.commit()
        job_id, number = job.id, payment.receipt_no

    page = printer.wait_for_pages(1, timeout=30)[0]
    lines = page.text_lines
    assert "領　収　書" in lines and f"領収番号 {number}" in lines
    assert receipts.columns("  300円 × 2通", "600円") in lines
    assert receipts.columns("合計", "900円") in lines and receipts.columns("お釣り", "100円") in lines
    assert page.drawer_kicks == [2] and page.cut
    assert b"\x1c&" in printer.received  # Kanji mode, not GB18030 text
    deadline = time.monotonic() + 30
    while _job_state(live_server, job_id) != "done":
        assert time.monotonic() < deadline, "the receipt job was not marked done"
        time.sleep(0.05)
