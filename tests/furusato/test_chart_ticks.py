"""The totals chart's amount axis has round ticks (issue 15 §4: it read 617万円, 1,234万円)."""

from __future__ import annotations

import pytest

from app.furusato.search import round_ticks, tick_label


@pytest.mark.parametrize(("peak", "labels"), [
    (24_680_000, ["0円", "500万円", "1,000万円", "1,500万円", "2,000万円", "2,500万円"]),
    (61_700_000, ["0円", "2,000万円", "4,000万円", "6,000万円", "8,000万円"]),
    (145_282_000, ["0円", "5,000万円", "1億円", "1億5,000万円"]),
    (999, ["0円", "200円", "400円", "600円", "800円", "1,000円"]),
])
def test_ticks_are_round_amounts_that_cover_the_peak(peak: int, labels: list[str]) -> None:
    ticks = round_ticks(peak)
    assert [tick_label(t) for t in ticks] == labels
    assert ticks[-1] >= peak > ticks[-2] and len(ticks) <= 6
