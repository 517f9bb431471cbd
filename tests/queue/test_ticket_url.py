"""The ticket's QR code links to the status page at PUBLIC_URL, never at the address the request
named (issue 14 §4: `Host: evil.example` printed `http://evil.example/t/…`); without PUBLIC_URL
the ticket has no QR code (issue 15). Checked on the ESC/POS bytes a printer receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.devices.models import DeviceJob
from app.extensions import db
from app.queue.models import Ticket
from hardware.printer import Document, Page, SimulatedPrinter, open_printer
from tests.queue.servers import csrf

EVIL = "http://evil.example"  # the Host header a visitor (or a proxy) can send


@pytest.fixture
def printer() -> Iterator[SimulatedPrinter]:
    sim = SimulatedPrinter("ticket-url").start()
    yield sim
    sim.stop()


def _printed_ticket(client, office, printer: SimulatedPrinter) -> tuple[Ticket, Page, bytes]:  # type: ignore[no-untyped-def]
    """Open the kiosk and press a button under a forged Host header, then print the ticket's job."""
    token = csrf(client.get("/kiosk/kiosk-1", base_url=EVIL).get_data(as_text=True))
    pressed = client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id, "csrf_token": token},
                          base_url=EVIL, csrf=False)
    assert pressed.status_code == 200, pressed.get_data(as_text=True)
    job = db.session.scalar(select(DeviceJob).where(DeviceJob.terminal_id == office.kiosk.id))
    open_printer(printer.url).print_document(Document.from_dict(job.payload["document"]))
    (page,) = printer.wait_for_pages(1)
    return db.session.scalar(select(Ticket)), page, bytes(printer.received)


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://madoguchi.city.example/"}])
def test_the_qr_code_links_to_the_public_url_whatever_the_host(client, office, printer) -> None:
    ticket, page, received = _printed_ticket(client, office, printer)
    assert page.qr_codes == [f"https://madoguchi.city.example/t/{ticket.code}"]
    assert "呼出状況はQRコードで確認できます" in page.text_lines
    assert b"evil.example" not in received
    assert client.get(f"/t/{ticket.code}").status_code == 200


def test_without_a_public_url_the_ticket_has_no_qr_code(client, office, printer) -> None:
    _, page, received = _printed_ticket(client, office, printer)
    assert page.qr_codes == []
    assert "A-001" in page.text_lines and "呼出状況はQRコードで確認できます" not in page.text_lines
    assert b"evil.example" not in received and b"/t/" not in received
