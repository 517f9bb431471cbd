"""Template filters shared by every domain's pages and documents."""

from __future__ import annotations

from datetime import date

from flask import Flask

from app.core.dates import wareki


def yen(amount: int | None) -> str:
    """Integer yen as people read it: 1,234円 (an amount not yet known shows as —)."""
    return "—" if amount is None else f"{amount:,}円"


def era_date(day: date | str | None) -> str:
    """A date as a 役所 document writes it, in the era: 昭和46年2月3日 (issue 15 §5). Takes the
    ISO text a case's form data keeps (text that is no date is shown as it is); no date is empty."""
    if not day:
        return ""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return day
    return wareki(day)


def init_app(app: Flask) -> None:
    app.add_template_filter(yen, "yen")
    app.add_template_filter(era_date, "wareki")
