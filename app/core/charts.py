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
from reportlab.pdfbase.pdfmetrics import stringWidth

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
    chart.x, chart.width = 52, width - 52 - 8
    names = _fitted(categories, chart.width)
    lines = max((name.count("\n") + 1 for name in names), default=1)
    chart.y = 22 + legend_height + (lines - 1) * (LABEL_SIZE + 1)
    chart.height = height - chart.y - TITLE_SIZE - 10
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
    _category_axis(chart, names)
    _value_axis(chart, chart.data, unit)
    return drawing


BREAK_AFTER = "・/　 ）"  # where a category's name may go on to its next line


def _fitted(categories: Sequence[str], width: float) -> list[str]:
    """The categories' names, a name wider than its place under the axis on two lines (broken
    after 「・」 or a space, or where the script changes, at the last such place that fits), so
    that neighbours do not run into each other (「ふるさとチョイス」 beside 「さとふる」); a name
    longer than two lines ends in 「…」."""
    names = [str(c) for c in categories]
    if len(names) * LABEL_SIZE * 2.2 > width:  # every k-th label only (_category_axis): room enough
        return names
    room = width / max(len(names), 1) - 2

    def fits(text: str) -> bool:
        return stringWidth(text, GOTHIC, LABEL_SIZE) <= room

    out = []
    for name in names:
        if fits(name):
            out.append(name)
            continue
        breaks = [i + 1 for i in range(len(name) - 1)
                  if (name[i] in BREAK_AFTER or _script(name[i]) != _script(name[i + 1])) and fits(name[:i + 1])]
        whole = [i for i in breaks if fits(name[i:].lstrip())]  # both lines whole, if a break allows
        cut = max(whole or breaks, default=0) or max((i for i in range(1, len(name)) if fits(name[:i])), default=1)
        first, rest = name[:cut].rstrip(), name[cut:].lstrip()
        while not fits(rest) and len(rest) > 1:
            rest = rest[:-2] + "…"
        out.append(f"{first}\n{rest}")
    return out


def _script(ch: str) -> str:
    """Hiragana, katakana, kanji or other: a name may break where one gives way to another
    (ふるさと｜チョイス, 本市｜独自サイト)."""
    if "\u3041" <= ch <= "\u309f":
        return "hiragana"
    if "\u30a0" <= ch <= "\u30ff":
        return "katakana"
    if "\u4e00" <= ch <= "\u9fff":
        return "kanji"
    return "other"


def _category_axis(chart: VerticalBarChart | HorizontalLineChart, categories: Sequence[str]) -> None:
    axis = chart.categoryAxis
    axis.categoryNames = list(categories) or [""]
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
