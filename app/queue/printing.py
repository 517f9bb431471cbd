"""The printed ticket (番号札) and where it goes: a device job for the kiosk's (or the desk's)
printer, taken by the terminal's agent (DESIGN "Hardware")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.auth.models import User
from app.config import settings
from app.core.dates import wareki
from app.core.services import get_municipality
from app.devices import jobs
from app.devices.models import DeviceJob, DeviceKind, JobKind, Terminal
from app.queue import services
from app.queue.models import Ticket
from hardware.printer.document import Cut, Document, Feed, QRCode, Rule, Text


@dataclass(frozen=True)
class TicketSlip:
    """What a ticket says; no personal data (issue 4)."""

    city: str
    category: str
    label: str
    issued_at_text: str
    ahead: int
    wait_minutes: int
    status_url: str | None
    priority: str = ""


def status_url(code: str) -> str | None:
    """The ticket's public status page at PUBLIC_URL, for its QR code; never built from the
    request's Host header, which anyone can set (issue 14 §4: `Host: evil.example` printed
    `http://evil.example/t/…`). None without the setting: a QR code of the address the kiosk
    happens to use would be one a visitor's phone cannot open (issue 15)."""
    base = settings().PUBLIC_URL.rstrip("/")
    if not base:
        return None
    return base + current_app.url_map.bind("public").build("queue.ticket_status", {"code": code})


def slip_for(ticket: Ticket, city: str, ahead: int, wait_minutes: int, status_url: str | None) -> TicketSlip:
    at = ticket.issued_at
    return TicketSlip(
        city=city, category=ticket.category.name, label=ticket.label,
        issued_at_text=f"{wareki(at.date())} {at:%-H:%M}", ahead=ahead, wait_minutes=wait_minutes,
        status_url=status_url, priority=ticket.priority.label if ticket.priority else "")


def ticket_document(slip: TicketSlip) -> dict[str, Any]:
    """The ticket as a printer document (hardware/printer/document.py) in its JSON form."""
    doc = Document()
    doc.add(Text(f"{slip.city}役所", bold=True, align="center"),
            Text("市民課・国保年金課 窓口", align="center"),
            Rule("-"),
            Text(slip.category, bold=True, width=2, height=2, align="center"),
            Text("受付番号", align="center"),
            Text(slip.label, bold=True, width=4, height=4, align="center"))
    if slip.priority:
        doc.add(Text(f"優先受付（{slip.priority}）", bold=True, align="center"))
    doc.add(Rule("-"),
            Text(f"発券　{slip.issued_at_text}"),
            Text(f"お待ちの方　{slip.ahead}人"),
            Text(f"待ち時間の目安　約{slip.wait_minutes}分" if slip.ahead else "待ち時間の目安　まもなく"),
            Feed(1))
    if slip.status_url:
        doc.add(QRCode(slip.status_url, size=6, align="center"),
                Text("呼出状況はQRコードで確認できます", align="center"))
    doc.add(Text("番号が呼ばれましたら表示の窓口へお越しください", align="center"),
            Feed(2),
            Cut())
    return doc.to_dict()


def print_slip(terminal: Terminal, slip: TicketSlip, ticket_id: int, by: User | None = None) -> DeviceJob:
    """Queue the ticket for the terminal's printer; raises jobs.JobError without one."""
    return jobs.enqueue(terminal, jobs.JobSpec(DeviceKind.printer, JobKind.print, {"document": ticket_document(slip)},
                                               f"番号札 {slip.label} {slip.category}", "ticket", ticket_id), by=by)


def print_ticket(ticket: Ticket, terminal: Terminal | None, by: User | None = None) -> bool:
    """Queue the printed ticket; False when there is no terminal with a printer to take it."""
    if terminal is None:
        return False
    ahead = services.people_ahead(ticket)
    city = get_municipality()
    slip = slip_for(ticket, city.name if city else "", ahead,
                    services.estimated_wait_minutes(ticket.category, ahead), status_url(ticket.code))
    try:
        print_slip(terminal, slip, ticket.id, by)
    except jobs.JobError:
        return False
    return True
