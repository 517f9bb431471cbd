"""Template filters shared by every domain's pages and documents."""

from __future__ import annotations

from flask import Flask


def yen(amount: int | None) -> str:
    """Integer yen as people read it: 1,234円 (an amount not yet known shows as —)."""
    return "—" if amount is None else f"{amount:,}円"


def init_app(app: Flask) -> None:
    app.add_template_filter(yen, "yen")
