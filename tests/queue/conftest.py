"""Fixtures for the queue: a fixed office clock, counters, categories and a kiosk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from app.core import services as core_services
from app.core.models import Counter
from app.devices import services as device_services
from app.devices.models import Terminal
from app.extensions import db
from app.queue import services
from app.queue.models import ServiceCategory

# Tuesday 7 April 2026, an ordinary office day (8:30-17:15, 000 §5).
OFFICE_MORNING = datetime(2026, 4, 7, 10, 0)


@dataclass
class Clock:
    at: datetime = OFFICE_MORNING

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> datetime:
        self.at += timedelta(**kwargs)
        return self.at

    def today(self) -> Any:
        return self.at.date()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The queue's notion of now, fixed, so rules about office hours are tested exactly."""
    from app.queue import services as queue_services
    from app.queue import views as queue_views

    fixed = Clock()
    monkeypatch.setattr(queue_services, "now", fixed)
    monkeypatch.setattr(queue_views, "now", fixed)
    monkeypatch.setattr(queue_views, "today", fixed.today)
    return fixed


@dataclass
class Office:
    counters: dict[int, Counter]
    a: ServiceCategory
    b: ServiceCategory
    kiosk: Terminal
    kiosk_token: str
    extra: dict[str, Any] = field(default_factory=dict)


def make_office(counter_count: int = 3) -> Office:
    counters = {n: core_services.save_counter(None, n, f"テスト窓口{n}", "citizens")
                for n in range(1, counter_count + 1)}
    a = services.save_category(None, services.CategoryInput(
        code="certificate", name="証明書", letter="A", counter_ids=(counters[1].id, counters[2].id),
        minutes_per_ticket=6, sort_order=1))
    b = services.save_category(None, services.CategoryInput(
        code="passport", name="旅券", letter="B", counter_ids=(counters[3].id,), minutes_per_ticket=20,
        closes=time(16, 30), sort_order=2))
    kiosk, token = device_services.create_terminal(device_services.NewTerminal("kiosk-1", "玄関 発券機", "kiosk"))
    device_services.save_binding(kiosk, device_services.BindingInput("printer", "printer", "sim://kiosk-1"))
    core_services.save_municipality(core_services.MunicipalityInput(
        name="山彦市", code="039993", postal_code="029-0000", address="岩手県山彦市本町一丁目1番1号",
        mayor_name="山彦 太郎", contractor_name="株式会社やまびこ窓口サービス"))
    db.session.commit()
    return Office(counters, a, b, kiosk, token)


@pytest.fixture
def office(app: Any, clock: Clock) -> Office:
    return make_office()


@pytest.fixture
def issue(office: Office, clock: Clock) -> Any:
    """Issue a ticket at the clock's time (then one minute passes)."""
    def make(category: ServiceCategory | None = None, priority: str = "") -> Any:
        ticket = services.issue_ticket(category or office.a, priority=priority, at=clock.at, check_hours=False)
        db.session.commit()
        clock.advance(minutes=1)
        return ticket
    return make
