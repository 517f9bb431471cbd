"""A virtual My Number card: the card face information AP, answering APDUs byte for byte.

Behaviour follows HARDWARE.md (select answers, ``63 Cx`` counter, ``69 84`` when blocked,
``69 82`` before VERIFY, FF10/FF20 structures) and ISO/IEC 7816-4 where HARDWARE.md is silent:
READ BINARY past the end gives the remaining bytes with ``62 82``; an offset outside the EF
gives ``6B 00``. The virtual card holds no EF 0003 (digests and signature): selecting it
answers ``6A 82`` like any unknown file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hardware.card_reader import apdu, ber
from hardware.card_reader.model import Person

# T=0 and T=1 offered, no historical bytes: TD1=80 (T=0, TD2 follows), TD2=01 (T=1), TCK.
DEFAULT_ATR = bytes.fromhex("3B80800101")
MAX_TRIES = 3

Response = tuple[bytes, int, int]


def _sw(sw: int, data: bytes = b"") -> Response:
    return data, sw >> 8, sw & 0xFF


def build_number_ef(number: str) -> bytes:
    """EF 0001: ``FF 10 0C`` and the 12 ASCII digits."""
    return ber.encode_tlv(apdu.TAG_MY_NUMBER, number.encode("ascii"))


def build_attributes_ef(person: Person) -> bytes:
    """EF 0002: FF20 holding DF21 (offsets) and DF22–DF25.

    DF21 holds four 2-byte big-endian offsets, one per item DF22–DF25, counted from the start
    of the FF20 value to the item's tag. (The reader finds the items by tag and does not rely
    on these offsets.)
    """
    items = [
        ber.encode_tlv(apdu.TAG_NAME, person.name.encode("utf-8")),
        ber.encode_tlv(apdu.TAG_ADDRESS, person.address.encode("utf-8")),
        ber.encode_tlv(apdu.TAG_BIRTH_DATE, person.birth_date.strftime("%Y%m%d").encode()),
        ber.encode_tlv(apdu.TAG_SEX, person.sex.encode("ascii")),
    ]
    offsets_size = len(ber.encode_tlv(apdu.TAG_OFFSETS, bytes(8)))
    offsets = b""
    position = offsets_size
    for item in items:
        offsets += position.to_bytes(2, "big")
        position += len(item)
    body = ber.encode_tlv(apdu.TAG_OFFSETS, offsets) + b"".join(items)
    return ber.encode_tlv(apdu.TAG_ATTRIBUTES, body)


class VirtualMyNumberCard:
    """The card face information AP of one person's card, with its PIN retry counter.

    Thread-safe: the vpcd emulator answers from its own thread while a test or the simulator
    page may look at the counter.
    """

    def __init__(
        self, person: Person, pin: str, tries_left: int = MAX_TRIES, atr: bytes = DEFAULT_ATR
    ) -> None:
        if len(pin) != apdu.PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
            raise ValueError("the PIN of this AP is 4 ASCII digits")
        if not 0 <= tries_left <= MAX_TRIES:
            raise ValueError("tries_left must be 0..3")
        self.person = person
        self.atr = atr
        self._pin = pin.encode("ascii")
        self._tries = tries_left
        self._files = {
            apdu.EF_MY_NUMBER: build_number_ef(person.number()),
            apdu.EF_ATTRIBUTES: build_attributes_ef(person),
        }
        self._lock = threading.Lock()
        self._ap_selected = False
        self._current_ef: bytes | None = None
        self._verified = False
        self._handlers: dict[int, Callable[[bytes], Response]] = {
            0xA4: self._select,
            0x20: self._verify,
            0xB0: self._read_binary,
        }

    def __repr__(self) -> str:
        return f"VirtualMyNumberCard(tries_left={self._tries})"

    @property
    def tries_left(self) -> int:
        """The PIN retry counter (0 = blocked)."""
        return self._tries

    def reset(self) -> None:
        """Power off/on or reset: the security status and selections are lost."""
        with self._lock:
            self._ap_selected = False
            self._current_ef = None
            self._verified = False

    def transmit(self, command: bytes) -> Response:
        """Answer one command APDU."""
        command = bytes(command)
        if len(command) < 4:
            return _sw(apdu.SW_WRONG_LENGTH)
        if command[0] != 0x00:
            return _sw(apdu.SW_CLA_NOT_SUPPORTED)
        handler = self._handlers.get(command[1])
        if handler is None:
            return _sw(apdu.SW_INS_NOT_SUPPORTED)
        with self._lock:
            return handler(command)

    def _select(self, command: bytes) -> Response:
        p1, p2 = command[2], command[3]
        data = _command_data(command)
        if data is None:
            return _sw(apdu.SW_WRONG_LENGTH)
        if p2 != 0x0C:
            return _sw(apdu.SW_WRONG_P1P2)
        if p1 == 0x04:
            return self._select_ap(data)
        if p1 == 0x02:
            return self._select_ef(data)
        return _sw(apdu.SW_WRONG_P1P2)

    def _select_ap(self, aid: bytes) -> Response:
        if aid != apdu.AP_AID:
            return _sw(apdu.SW_FILE_NOT_FOUND)
        self._ap_selected = True
        self._current_ef = None
        self._verified = False
        return _sw(apdu.SW_OK)

    def _select_ef(self, file_id: bytes) -> Response:
        known = file_id == apdu.EF_PIN or file_id in self._files
        if not (self._ap_selected and known):
            return _sw(apdu.SW_FILE_NOT_FOUND)
        self._current_ef = file_id
        return _sw(apdu.SW_OK)

    def _verify(self, command: bytes) -> Response:
        if command[2] != 0x00 or command[3] != apdu.PIN_REFERENCE:
            return _sw(apdu.SW_WRONG_P1P2)
        if self._current_ef != apdu.EF_PIN:
            return _sw(apdu.SW_NO_CURRENT_EF)
        if len(command) == 4:
            return self._pin_status()
        data = _command_data(command)
        if data is None or len(data) != apdu.PIN_LENGTH:
            return _sw(apdu.SW_WRONG_LENGTH)
        if self._tries == 0:
            return _sw(apdu.SW_PIN_BLOCKED)
        if data == self._pin:
            self._tries = MAX_TRIES
            self._verified = True
            return _sw(apdu.SW_OK)
        self._tries -= 1
        self._verified = False
        return _sw(0x63C0 | self._tries)

    def _pin_status(self) -> Response:
        if self._tries == 0:
            return _sw(apdu.SW_PIN_BLOCKED)
        if self._verified:
            return _sw(apdu.SW_OK)
        return _sw(0x63C0 | self._tries)

    def _read_binary(self, command: bytes) -> Response:
        if len(command) != 5:
            return _sw(apdu.SW_WRONG_LENGTH)
        if command[2] & 0x80:
            return _sw(apdu.SW_WRONG_P1P2)
        if self._current_ef is None:
            return _sw(apdu.SW_NO_CURRENT_EF)
        content = self._files.get(self._current_ef)
        if content is None:
            return _sw(apdu.SW_INCOMPATIBLE_FILE)
        if not self._verified:
            return _sw(apdu.SW_SECURITY_NOT_SATISFIED)
        offset = (command[2] << 8) | command[3]
        le = command[4] or apdu.MAX_SHORT_LE
        if offset >= len(content):
            return _sw(apdu.SW_OFFSET_OUTSIDE_EF)
        data = content[offset : offset + le]
        return _sw(apdu.SW_OK if len(data) == le else apdu.SW_END_OF_FILE, data)


def _command_data(command: bytes) -> bytes | None:
    """The data field of a case 3 APDU (header, Lc, data); None if Lc does not match."""
    if len(command) < 5 or len(command) != 5 + command[4]:
        return None
    return command[5:]
