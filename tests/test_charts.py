"""Charts drawn on the server: in a PDF (visible once rendered) and as inline SVG for a page."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from app.core import charts, pdf

DAYS = [f"{d}日" for d in range(1, 32)]


def _drawings() -> list[charts.Drawing]:
    return [
        charts.bar_chart("ポータル別の寄附額", ["楽天", "ふるさとチョイス", "さとふる"],
                         [charts.Series("今年", [1_200_000, 800_000, 300_000]),
                          charts.Series("前年", [900_000, 850_000, 0])], unit="円"),
        charts.line_chart("日別の件数", DAYS, [charts.Series("件数", [d % 7 * 10 for d in range(31)])]),
        charts.pie_chart("使い道", ["子育て", "環境", "おまかせ"], [5, 3, 2]),
    ]


def test_the_charts_of_a_report_are_drawn_into_its_pdf(tmp_path: Path) -> None:
    document = pdf.build(list(_drawings()), title="月次報告", author="テスト")
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    blue = sum(1 for px in image.get_flattened_data() if px[2] > 150 and px[0] < 60)  # the first series' bars and slice
    assert blue > 200, "no chart is visible on the page"
    assert b"BIZUDGothic" in document  # the labels' Japanese font is embedded


def test_a_chart_on_a_page_is_inline_svg_without_script_and_with_its_japanese_labels() -> None:
    markup = charts.to_svg(_drawings()[0])
    assert markup.startswith("<svg") and markup.rstrip().endswith("</svg>")
    assert "<script" not in markup and "<?xml" not in markup
    assert "ポータル別の寄附額" in markup and "ふるさとチョイス" in markup


def test_an_empty_month_still_draws_its_axes_and_an_all_zero_pie() -> None:
    for drawing in (charts.bar_chart("件数", [], []),
                    charts.line_chart("件数", DAYS, [charts.Series("件数", [0] * 31)]),
                    charts.pie_chart("使い道", ["子育て"], [0])):
        assert "<svg" in charts.to_svg(drawing)


def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value() -> None:
    assert [charts._nice_ceiling(v) for v in (0, 0.3, 1, 7, 12, 240, 1_200_000)] == [1, 0.5, 1, 10, 20, 250, 2_000_000]
