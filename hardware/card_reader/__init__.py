"""My Number card reader: the card face information AP (券面事項入力補助AP).

The reading logic (:mod:`.reader`) runs over any transport that moves APDUs: the virtual card
(:mod:`.virtual_card`), pyscard (:mod:`.pcsc`), or pcscd and vpcd to the virtual card
(:mod:`.vpcd`).
"""

from hardware.card_reader.errors import (
    CardError,
    CardReaderError,
    InvalidPin,
    NoCard,
    NoReader,
    ParseError,
    PinBlocked,
    WrongPin,
)
from hardware.card_reader.model import CardFace, Person, Secret
from hardware.card_reader.my_number import check_digit, is_valid_my_number, make_my_number
from hardware.card_reader.reader import Transport, pin_tries_left, read_card_face
from hardware.card_reader.slots import insert_card, remove_card, sample_person, slot_state
from hardware.card_reader.virtual_card import VirtualMyNumberCard

__all__ = [
    "CardError",
    "CardFace",
    "CardReaderError",
    "InvalidPin",
    "NoCard",
    "NoReader",
    "ParseError",
    "Person",
    "PinBlocked",
    "Secret",
    "Transport",
    "VirtualMyNumberCard",
    "WrongPin",
    "check_digit",
    "insert_card",
    "is_valid_my_number",
    "make_my_number",
    "pin_tries_left",
    "read_card_face",
    "remove_card",
    "sample_person",
    "slot_state",
]
