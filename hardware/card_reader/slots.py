"""Simulated card slots (``sim://NAME``): where the /devices/sim page inserts virtual cards.

A slot keeps its card, and so its PIN retry counter, until the card is removed, just as a
real card keeps its counter between reads.
"""

from __future__ import annotations

import threading
from datetime import date

from hardware.card_reader.errors import NoCard
from hardware.card_reader.model import Person
from hardware.card_reader.my_number import make_my_number
from hardware.card_reader.virtual_card import MAX_TRIES, VirtualMyNumberCard

_lock = threading.Lock()
_slots: dict[str, VirtualMyNumberCard] = {}


def insert_card(
    slot_name: str, person: Person, pin: str, tries_left: int = MAX_TRIES
) -> VirtualMyNumberCard:
    """Put a new virtual card for ``person`` into the slot (replacing any card there)."""
    card = VirtualMyNumberCard(person, pin, tries_left)
    with _lock:
        _slots[slot_name] = card
    return card


def remove_card(slot_name: str) -> None:
    """Take the card out; a missing card is not an error."""
    with _lock:
        _slots.pop(slot_name, None)


def slot_state(slot_name: str) -> dict[str, object]:
    """What the simulator page shows: ``present``, ``tries_left`` and the holder's ``name``."""
    with _lock:
        card = _slots.get(slot_name)
    if card is None:
        return {"present": False, "tries_left": None, "name": None}
    return {"present": True, "tries_left": card.tries_left, "name": card.person.name}


def card_in_slot(slot_name: str) -> VirtualMyNumberCard:
    """The card in the slot; NoCard when empty."""
    with _lock:
        card = _slots.get(slot_name)
    if card is None:
        raise NoCard()
    return card


def sample_person() -> Person:
    """A fictitious holder for demos and self-tests (the number has a valid check digit)."""
    return Person(
        name="役場\u3000花子",
        address="東京都千代田区霞が関二丁目１番２号",
        birth_date=date(1985, 4, 1),
        sex="2",
        my_number=make_my_number("12345678901"),
    )
