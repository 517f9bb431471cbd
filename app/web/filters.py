"""Template filters shared by every domain's pages and documents."""

from __future__ import annotations

from datetime import date

from flask import Flask, g

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


def person(username: str | None) -> str:
    """A user kept by login id, shown by their display name (issue 15 §5: not 「operator」 as 担当);
    looked up once per request."""
    from app.auth.services import display_name_of

    known: dict[str, str] = g.setdefault("yakuba_display_names", {})
    key = username or ""
    if key not in known:
        known[key] = display_name_of(key)
    return known[key]


def init_app(app: Flask) -> None:
    app.add_template_filter(person, "person")
    app.add_template_filter(yen, "yen")
    app.add_template_filter(era_date, "wareki")
