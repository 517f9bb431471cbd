"""Background and scheduled work of the reports: making the monthly report (app/reports/monthly.py
registers its kind of task and its periodic work)."""

from __future__ import annotations

from app.reports import monthly  # noqa: F401  (its kind of background work and its periodic work)
