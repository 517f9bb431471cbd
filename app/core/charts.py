"""Charts drawn on the server (reportlab graphics), so that a monthly report's PDF carries them
and a page can show the same chart as inline SVG without a script (the Content-Security-Policy
allows no inline script, and nothing comes from a CDN).

A chart is a reportlab `Drawing`: a platypus Flowable that goes straight into the story of
`app.core.pdf.build`, and `to_svg` turns it into markup for a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from app.core.pdf import GOTHIC, register_fonts

# Colours that stay apart in print, on a projector and for the common colour-vision deficiencies
# (Okabe and Ito's palette).
PALETTE = tuple(colors.HexColor(c) for c in (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"))
TITLE_SIZE = 10
LABEL_SIZE = 7


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, width: float = 160 * mm,
              height: float = 70 * mm, unit: str = "") -> Drawing:
    """Vertical bars, one group per category and one bar per series."""
    chart = VerticalBarChart()
    drawing = _series_chart(chart, title, categories, series, width, height, unit)
    chart.groupSpacing = 4
    chart.barSpacing = 1
    for i in range(len(chart.data)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    return drawing


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, width: float = 160 * mm,
               height: float = 70 * mm, unit: str = "") -> Drawing:
    """One line per series over the categories (days, months)."""
    chart = HorizontalLineChart()
    drawing = _series_chart(chart, title, categories, series, width, height, unit)
    chart.joinedLines = 1
    for i in range(len(chart.data)):
        chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeWidth = 1.5
    return drawing


def pie_chart(title: str, labels: Sequence[str], values: Sequence[float], *, width: float = 160 * mm,
              height: float = 70 * mm) -> Drawing:
    """Shares of a whole, largest first as given; a legend names each slice with its share."""
    register_fonts()
    drawing = Drawing(width, height)
    drawing.add(String(0, height - TITLE_SIZE, title, fontName=GOTHIC, fontSize=TITLE_SIZE))
    total = sum(values)
    pie = Pie()
    size = min(height - 2 * TITLE_SIZE - 4, width / 2)
    pie.x, pie.y, pie.width, pie.height = 4, (height - TITLE_SIZE - size) / 2, size, size
    pie.data = [float(v) for v in values] if total > 0 else [1.0]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i in range(len(pie.data)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)] if total > 0 else colors.lightgrey
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = size + 16, height - 2 * TITLE_SIZE - 4
    legend.fontName, legend.fontSize = GOTHIC, LABEL_SIZE
    legend.alignment = "right"
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{label}  {value / total:.1%}" if total > 0 else f"{label}  0")
        for i, (label, value) in enumerate(zip(labels, values, strict=True))]
    drawing.add(legend)
    return drawing


def to_svg(drawing: Drawing) -> str:
    """The chart as an <svg> element for a page (no XML declaration, no DOCTYPE, no script)."""
    markup = renderSVG.drawToString(drawing)
    return markup[markup.index("<svg"):]


def _series_chart(chart: VerticalBarChart | HorizontalLineChart, title: str, categories: Sequence[str],
                  series: Sequence[Series], width: float, height: float, unit: str) -> Drawing:
    """The drawing with its title, the chart placed in it with its data and axes, and a legend
    when there is more than one series."""
    register_fonts()
    drawing = Drawing(width, height)
    drawing.add(String(0, height - TITLE_SIZE, title, fontName=GOTHIC, fontSize=TITLE_SIZE))
    legend_height = LABEL_SIZE + 6 if len(series) > 1 else 0
    chart.x, chart.y = 52, 22 + legend_height
    chart.width, chart.height = width - chart.x - 8, height - chart.y - TITLE_SIZE - 10
    drawing.add(chart)
    if legend_height:
        legend = Legend()
        legend.x, legend.y = chart.x, LABEL_SIZE + 2
        legend.fontName, legend.fontSize = GOTHIC, LABEL_SIZE
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = max(48, width / max(len(series), 1) / 2)
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s.name) for i, s in enumerate(series)]
        drawing.add(legend)
    chart.data = [tuple(float(v) for v in s.values) for s in series] or [(0.0,)]
    _category_axis(chart, categories)
    _value_axis(chart, chart.data, unit)
    return drawing


def _category_axis(chart: VerticalBarChart | HorizontalLineChart, categories: Sequence[str]) -> None:
    axis = chart.categoryAxis
    axis.categoryNames = [str(c) for c in categories] or [""]
    axis.labels.fontName, axis.labels.fontSize = GOTHIC, LABEL_SIZE
    axis.labels.boxAnchor = "n"
    # Every label where they fit; otherwise every k-th, so that 31 days stay legible.
    step = max(1, math.ceil(len(axis.categoryNames) * LABEL_SIZE * 2.2 / max(chart.width, 1)))
    if step > 1:
        axis.categoryNames = [name if i % step == 0 else "" for i, name in enumerate(axis.categoryNames)]


def _value_axis(chart: VerticalBarChart | HorizontalLineChart, data: list[tuple[float, ...]], unit: str) -> None:
    axis = chart.valueAxis
    top = max((v for row in data for v in row), default=0.0)
    axis.valueMin = 0
    axis.valueMax = _nice_ceiling(top)
    axis.valueStep = axis.valueMax / 4
    axis.labels.fontName, axis.labels.fontSize = GOTHIC, LABEL_SIZE
    axis.labelTextFormat = (lambda v: f"{v:,.0f}{unit}")
    axis.visibleGrid = 1
    axis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * power:
            return float(factor * power)
    return float(10 * power)
