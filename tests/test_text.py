"""One home for Japanese text folding (app/core/text.py): the registry's match and the donation
import's donor keys fold width, kana, whitespace and dashes alike."""

from __future__ import annotations

import pytest

from app.core import text
from app.furusato import normalize
from app.registry import matching

PLAIN = "岩手県一関市竹山町7-2"


@pytest.mark.parametrize("dash", list(text.DASHES))
def test_both_folders_take_every_dash_for_a_hyphen(dash: str) -> None:
    written = PLAIN.replace("-", dash)
    assert matching.fold_address(written) == matching.fold_address(PLAIN)
    assert normalize.address_key(written) == normalize.address_key(PLAIN)


def test_a_dash_one_folder_knew_and_the_other_did_not() -> None:
    # U+02D7 (modifier letter minus): the registry took it for a dash (through jaconv), the
    # donation import did not. U+2500 (box drawing ─): the donation import's list had it, the
    # registry's own list did not (only jaconv.normalize saved it).
    assert normalize.address_key("竹山町7\u02d72") == normalize.address_key("竹山町7-2") == "竹山町7-2"
    assert matching.fold_address("竹山町7\u25002") == matching.fold_address("竹山町7-2") == "竹山町7-2"


def test_a_numeral_that_is_no_number_is_left_as_written() -> None:
    """Hypothesis found it: 十十丁目 stopped the whole import with a ValueError."""
    assert normalize.address_key("十十丁目十") == "十十-十"
    assert matching.fold_address("十十丁目十")


def test_kana_fold_is_shared() -> None:
    assert text.fold_kana("しょうへい") == text.fold_kana("ｼﾖｳﾍｲ") == text.fold_kana("ショウ ヘイ") == "シヨウヘイ"
    assert matching.fold_kana("しょうへい") == text.fold_kana("しょうへい")
    assert normalize.kana_key("しょう　へい") == text.fold_kana("しょうへい")
    assert text.katakana("くゎ") == "クワ"  # jaconv enlarges every small kana but ゎ/ヮ; the fold does
