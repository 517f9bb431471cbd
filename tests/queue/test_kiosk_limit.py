"""The kiosk's rate limit (issue 14 §4): a kiosk issues at most KIOSK_TICKETS_PER_MINUTE tickets a
minute to one address; a press past it says so on the kiosk's screen and issues nothing (no
ticket, no number, no print job), while presses from other addresses go on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.devices.models import DeviceJob
from app.extensions import db
from app.queue.models import Ticket

BUSY = "ただいま発券が混み合っています。少し待ってから、もう一度ボタンを押してください。"
KIOSK, ELSEWHERE = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "192.0.2.99"}


@pytest.fixture
def app_config() -> dict[str, int]:
    return {"KIOSK_TICKETS_PER_MINUTE": 3}


def _press(client, office, address: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id}, environ_base=address)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_press_past_the_limit_issues_nothing_and_says_so(client, office, clock) -> None:
    assert [_press(client, office, KIOSK).status_code for _ in range(3)] == [200, 200, 200]
    refused = _press(client, office, KIOSK)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert BUSY in page and 'class="kiosk-error"' in page and "証明書" in page  # the buttons, to press again
    assert "お待ち <strong>3</strong>人" in page  # the refused press is not counted
    assert (_count(Ticket), _count(DeviceJob)) == (3, 3)

    elsewhere = _press(client, office, ELSEWHERE)
    assert elsewhere.status_code == 200 and "A-004" in elsewhere.get_data(as_text=True)  # no number was lost
    assert db.session.scalars(select(Ticket.issued_from).order_by(Ticket.id)).all() == ["192.0.2.10"] * 3 + [
        "192.0.2.99"]

    clock.advance(minutes=1)
    again = _press(client, office, KIOSK)
    assert again.status_code == 200 and "A-005" in again.get_data(as_text=True)
    assert (_count(Ticket), _count(DeviceJob)) == (5, 5)

