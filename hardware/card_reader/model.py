"""What the card face information AP yields, and who a virtual card belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hardware.card_reader.my_number import is_valid_my_number, mask_my_number

# ISO/IEC 5218 codes as the card stores them in DF25 (HARDWARE.md).
SEX_LABELS = {"1": "男", "2": "女", "9": "適用不能"}


class Secret:
    """Holds a value that must never show up in a repr, a log record or a dict dump.

    ``dataclasses.asdict`` and logging call ``repr``; both see only ``Secret(****)``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Person:
    """The holder printed on a card; used to build virtual cards."""

    name: str
    address: str
    birth_date: date
    sex: str
    my_number: Secret | str = field(repr=False)

    def __post_init__(self) -> None:
        if self.sex not in SEX_LABELS:
            raise ValueError("sex must be an ISO 5218 code: '1', '2' or '9'")
        if isinstance(self.my_number, str):
            object.__setattr__(self, "my_number", Secret(self.my_number))
        number = self.number()
        if not (len(number) == 12 and number.isascii() and number.isdigit()):
            raise ValueError("my_number must be 12 ASCII digits")

    def number(self) -> str:
        """The individual number (always held as a :class:`Secret`)."""
        secret = self.my_number
        return secret.reveal() if isinstance(secret, Secret) else secret


@dataclass(frozen=True)
class CardFace:
    """The four items and the number, as read from the card face information AP."""

    name: str
    address: str
    birth_date: date
    sex: str
    my_number: Secret = field(repr=False)

    @property
    def sex_label(self) -> str:
        """Japanese label for the ISO 5218 code."""
        return SEX_LABELS[self.sex]

    @property
    def my_number_valid(self) -> bool:
        """Whether the number's check digit is right (総務省令第85号 §5)."""
        return is_valid_my_number(self.my_number.reveal())

    @property
    def my_number_masked(self) -> str:
        """Only the last four digits visible."""
        return mask_my_number(self.my_number.reveal())

    def to_public_dict(self) -> dict[str, object]:
        """JSON-ready data that may go to the server: never the full number."""
        return {
            "name": self.name,
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
            "sex": {"code": self.sex, "label": self.sex_label},
            "my_number_valid": self.my_number_valid,
            "my_number_masked": self.my_number_masked,
        }
