"""Simulated card slots (``sim://NAME``): where the /devices/sim page inserts virtual cards.

A slot keeps its card, and so its PIN retry counter, until the card is removed, just as a
real card keeps its counter between reads. A card may be inserted into a slow reader: each
read then takes ``read_seconds`` before the card answers (the reader of a busy counter, or a
test that needs reads to be outstanding for a while).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

from hardware.card_reader.errors import NoCard
from hardware.card_reader.model import Person
from hardware.card_reader.my_number import make_my_number
from hardware.card_reader.virtual_card import MAX_TRIES, VirtualMyNumberCard

#: The slowest simulated reader: a read that takes longer is a setting typed wrong.
MAX_READ_SECONDS = 60.0


@dataclass(frozen=True)
class _Slot:
    card: VirtualMyNumberCard
    read_seconds: float


_lock = threading.Lock()
_slots: dict[str, _Slot] = {}


def insert_card(
    slot_name: str, person: Person, pin: str, tries_left: int = MAX_TRIES, read_seconds: float = 0.0
) -> VirtualMyNumberCard:
    """Put a new virtual card for ``person`` into the slot (replacing any card there); each read
    of it takes ``read_seconds`` (0 to MAX_READ_SECONDS)."""
    if not 0.0 <= read_seconds <= MAX_READ_SECONDS:
        raise ValueError(f"read_seconds must be 0..{MAX_READ_SECONDS:g}")
    card = VirtualMyNumberCard(person, pin, tries_left)
    with _lock:
        _slots[slot_name] = _Slot(card, float(read_seconds))
    return card


def remove_card(slot_name: str) -> None:
    """Take the card out; a missing card is not an error."""
    with _lock:
        _slots.pop(slot_name, None)


def slot_state(slot_name: str) -> dict[str, object]:
    """What the simulator page shows: ``present``, ``tries_left``, the holder's ``name`` and the
    reader's ``read_seconds``."""
    with _lock:
        slot = _slots.get(slot_name)
    if slot is None:
        return {"present": False, "tries_left": None, "name": None, "read_seconds": 0.0}
    return {"present": True, "tries_left": slot.card.tries_left, "name": slot.card.person.name,
            "read_seconds": slot.read_seconds}


def card_in_slot(slot_name: str) -> VirtualMyNumberCard:
    """The card in the slot; NoCard when empty."""
    with _lock:
        slot = _slots.get(slot_name)
    if slot is None:
        raise NoCard()
    return slot.card


def read_card_in_slot(slot_name: str) -> VirtualMyNumberCard:
    """The card in the slot for one read, after the slot's read time; NoCard when empty, or
    when the card was taken out (or replaced) while the reader was at work."""
    with _lock:
        slot = _slots.get(slot_name)
    if slot is None:
        raise NoCard()
    if slot.read_seconds:
        time.sleep(slot.read_seconds)
        with _lock:
            if _slots.get(slot_name) is not slot:
                raise NoCard()
    return slot.card


def sample_person() -> Person:
    """A fictitious holder for demos and self-tests (the number has a valid check digit)."""
    return Person(
        name="役場\u3000花子",
        address="東京都千代田区霞が関二丁目１番２号",
        birth_date=date(1985, 4, 1),
        sex="2",
        my_number=make_my_number("12345678901"),
    )
