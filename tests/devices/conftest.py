from __future__ import annotations

from typing import Any

import pytest

from app.devices import services
from app.extensions import db


@pytest.fixture
def terminal_with_printer(app) -> tuple[Any, str]:
    terminal, token = services.create_terminal(services.NewTerminal("kiosk-9", "テスト発券機", "kiosk"))
    services.save_binding(terminal, services.BindingInput("printer", "printer", "sim://kiosk-9"))
    db.session.commit()
    return terminal, token
