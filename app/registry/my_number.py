"""The individual number (個人番号) on staff screens: masking. Never stored, never logged.

The check digit has one home, `hardware/card_reader/my_number.py` (the card reader checks it
too); `app` may import `hardware`, never the other way round.
"""

from __future__ import annotations

from hardware.card_reader.my_number import check_digit, is_valid_my_number

__all__ = ["check_digit", "is_valid", "masked"]


def is_valid(number: str) -> bool:
    return is_valid_my_number(number)


def masked(number: str) -> str:
    """Only the last four digits show, as on screens that must identify the card holder."""
    return "＊" * 8 + number[-4:] if len(number) == 12 else "＊" * 12
