"""The individual number (個人番号) and its check digit.

Numbers are made under 番号法施行令 §8; the check digit is fixed by 平成26年総務省令第85号
(通知カード及び個人番号カード並びに情報提供ネットワークシステムによる特定個人情報の提供等に
関する省令) §5: with P the first 11 digits and Q the weights 6,5,4,3,2,7,6,5,4,3,2 taken from the left,
r = Σ P·Q mod 11; the check digit is 0 when r ≤ 1, else 11 − r.
"""

from __future__ import annotations

WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def check_digit(first_eleven: str) -> int:
    """Check digit for the first 11 digits."""
    if not _is_ascii_digits(first_eleven, 11):
        raise ValueError("expected 11 ASCII digits")
    remainder = sum(int(d) * w for d, w in zip(first_eleven, WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_my_number(number: str) -> bool:
    """True for 12 ASCII digits whose last digit is the check digit."""
    if not _is_ascii_digits(number, 12):
        return False
    return check_digit(number[:11]) == int(number[11])


def make_my_number(first_eleven: str) -> str:
    """Append the check digit: builds valid numbers for virtual cards and tests."""
    return first_eleven + str(check_digit(first_eleven))


def mask_my_number(number: str) -> str:
    """Show only the last four digits, as staff screens may."""
    return "*" * max(0, len(number) - 4) + number[-4:]
