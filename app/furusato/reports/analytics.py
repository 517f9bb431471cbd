"""分析 (004 §7(3)エ, §7(10)イ・オ): the monthly report's charts for any period and portal.

Charts are drawn on the server (app/core/charts.py, the same Drawings as the report's PDF,
shown as an SVG image): no chart library is shipped to the browser, nothing runs there, the page
and the PDF cannot disagree, and the CSP needs no exception. The price is that a chart is not
interactive beyond the filter form (each filter change draws it again)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.graphics.shapes import Drawing

from app.core.charts import to_svg
from app.core.refusal import Problem, Refusal
from app.furusato.reports.sections import ANALYTICS, Scope, Section

MAX_DAYS = 400  # a day-by-day chart of more than a year is unreadable


class AnalyticsRefused(Refusal):
    pass


@dataclass
class AnalyticsInput:
    date_from: date | None
    date_to: date | None
    portal_id: int | None


def default_period(day: date) -> tuple[date, date]:
    """The last 30 days up to `day`."""
    return day - timedelta(days=29), day


def scope_of(data: AnalyticsInput, day: date) -> Scope:
    start, end = default_period(day)
    start, end = data.date_from or start, data.date_to or end
    problems = []
    if start > end:
        problems.append(Problem("date_to", "期間の終わりは始まりより後の日にしてください。"))
    elif (end - start).days >= MAX_DAYS:
        problems.append(Problem("date_to", f"期間は{MAX_DAYS}日以内にしてください。"))
    if problems:
        raise AnalyticsRefused.of(problems)
    return Scope(start, end + timedelta(days=1), data.portal_id)


def sections(scope: Scope) -> list[Section]:
    return [section(scope) for section in ANALYTICS]


def image_src(drawing: Drawing) -> str:
    """The chart as a data: URL for an <img>: the SVG that to_svg makes styles its shapes with
    style attributes, which the page's Content-Security-Policy (style-src 'self') refuses
    inline, while an image's own document is not under the page's policy (img-src allows data:)."""
    return "data:image/svg+xml;base64," + base64.b64encode(to_svg(drawing).encode()).decode()
