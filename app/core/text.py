"""Japanese text folding, one home for every domain (issue 13): width, whitespace, dashes, kana.

Width is Unicode NFKC and hiragana-to-katakana is jaconv's table (STYLE rule 15); what is ours
is which characters count as a dash and that small kana fold to large (portals and people write
ショウヘイ as シヨウヘイ: old systems had no small kana). Each fold is a `str.translate` table,
built once: a million-row import calls them for every row, and one translate is several times
cheaper than a regular expression.

    fold_kana("しょうへい") == fold_kana("ｼﾖｳﾍｲ") == "シヨウヘイ"
    unify_dashes("竹山町７−２") == "竹山町７-２"
"""

from __future__ import annotations

import unicodedata

import jaconv

# Every character a domain took for a dash between address numbers (1丁目2番 is written
# 1-2 in as many ways as there are keyboards): the registry's list and jaconv.normalize's, and
# the donation import's. The katakana prolonged sound mark is among them: people type ー for -
# in addresses. Kana are never passed through this fold (ー is a vowel there).
DASHES = "-‐‑‒–—―−ーｰ－─━˗֊⁃⁻₋﹣"
DASH_FOLD: dict[int, str] = {ord(ch): "-" for ch in DASHES if ch != "-"}

# Every whitespace character (str.isspace(); none lies above U+3000, the ideographic space).
WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
DROP_WHITESPACE: dict[int, None] = dict.fromkeys(map(ord, WHITESPACE))

SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ",
                           "あいうえおつやゆよわかけアイウエオツヤユヨワカケ")
# jaconv.hira2kata is a per-character translation of hiragana (U+3040-U+309F and a few marks);
# the table is built from the function itself, so it folds exactly as jaconv does.
HIRA_TO_KATA: dict[int, str] = {c: jaconv.hira2kata(chr(c)) for c in range(0x3000, 0x3100)
                                if jaconv.hira2kata(chr(c)) != chr(c)}
# Hiragana to katakana and small kana to large, in one pass.
KANA_FOLD: dict[int, str] = {c: chr(c).translate(HIRA_TO_KATA).translate(SMALL_KANA)
                             for c in (*HIRA_TO_KATA, *SMALL_KANA)}


def width(text: str) -> str:
    """Half-width katakana to full width, full-width letters and digits to ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def drop_whitespace(text: str) -> str:
    return text.translate(DROP_WHITESPACE)


def unify_dashes(text: str) -> str:
    """Every dash of DASHES as "-"."""
    return text.translate(DASH_FOLD)


def katakana(text: str) -> str:
    """Hiragana as katakana, small kana as large (the text is already width-folded)."""
    return text.translate(KANA_FOLD)


_KANA_KEY = {**KANA_FOLD, **DROP_WHITESPACE}


def fold_kana(text: str) -> str:
    """Kana for comparison: full-width katakana, small kana large, no whitespace."""
    return width(text).translate(_KANA_KEY) if text else ""
