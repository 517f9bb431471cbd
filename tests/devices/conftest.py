from __future__ import annotations

from typing import Any

import pytest

from app.devices import services
from app.extensions import db


def terminal_with(code: str, name: str, kind: str, device: str) -> tuple[Any, str]:
    """A new terminal with one simulated device (named as its kind) and the terminal's token."""
    terminal, token = services.create_terminal(services.NewTerminal(code, name, kind))
    services.save_binding(terminal, services.BindingInput(device, device, f"sim://{code}"))
    db.session.commit()
    return terminal, token


@pytest.fixture
def terminal_with_printer(app) -> tuple[Any, str]:
    return terminal_with("kiosk-9", "テスト発券機", "kiosk", "printer")
