"""The individual number (個人番号): check digit and masking. Never stored, never logged."""

from __future__ import annotations

import re

_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first_eleven: str) -> int:
    """行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 §8 /
    総務省令第85号 §5: weights 6,5,4,3,2,7,6,5,4,3,2 from the left; r = Σ mod 11;
    the check digit is 0 when r ≤ 1, else 11 − r."""
    remainder = sum(int(d) * w for d, w in zip(first_eleven, _WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid(number: str) -> bool:
    return bool(re.fullmatch(r"\d{12}", number)) and check_digit(number[:11]) == int(number[11])


def masked(number: str) -> str:
    """Only the last four digits show, as on screens that must identify the card holder."""
    return "＊" * 8 + number[-4:] if len(number) == 12 else "＊" * 12
