"""The serial frame Yakuba's LED call boards speak, behind an adapter for vendor protocols.

Frame (host → board), all on one 8N1 line, 9600 baud by default::

    STX  A1 A2  CMD  TEXT…  ETX  C1 C2
    02   '0''1' 'D'  cp932  03   'hex'

- ``A1 A2``: the board address as two ASCII hex digits (``01``…``FE``); a board ignores frames
  for other addresses, so several boards can share an RS-485 line.
- ``CMD``: one ASCII byte: ``D`` display TEXT, ``C`` clear the display (no text), ``S`` status
  (no text; the board only answers).
- ``TEXT``: cp932 (Shift_JIS). No byte of cp932 text can be STX or ETX: trail bytes are 0x40
  or above, and control characters are replaced before encoding.
- ``C1 C2``: XOR of every byte from ``A1`` through ``ETX`` inclusive, as two uppercase ASCII
  hex digits.

Reply (board → host): one byte, ``ACK`` (0x06) when the frame was good and carried out, ``NAK``
(0x15) for a bad checksum, malformed frame or unknown command; the host may send it again.
Real boards (Alpha Sign, AM03127-type) each have their own framing: add a ``CallBoardProtocol``
for one rather than changing this one.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15


class Command(StrEnum):
    DISPLAY = "D"
    CLEAR = "C"
    STATUS = "S"


@dataclass(frozen=True)
class Frame:
    address: str
    command: str
    text: str = ""


@dataclass(frozen=True)
class FrameError:
    reason: str
    address: str | None = None


class CallBoardProtocol(ABC):
    name: str

    @abstractmethod
    def encode(self, address: str, command: Command, text: str = "") -> bytes:
        """The bytes that ask board ``address`` to carry out ``command``."""

    @abstractmethod
    def parse_reply(self, data: bytes) -> bool | None:
        """True for an acknowledgement, False for a refusal, None while incomplete."""


def checksum(body: bytes) -> bytes:
    value = 0
    for byte in body:
        value ^= byte
    return f"{value:02X}".encode("ascii")


def normalise_address(address: str) -> str:
    address = address.upper()
    if len(address) != 2 or any(ch not in "0123456789ABCDEF" for ch in address):
        raise ValueError(f"a board address is two hex digits, not {address!r}")
    return address


def _clean(text: str) -> str:
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


class StxEtxProtocol(CallBoardProtocol):
    name = "stx-etx"

    def encode(self, address: str, command: Command, text: str = "") -> bytes:
        body = (
            normalise_address(address).encode("ascii")
            + Command(command).value.encode("ascii")
            + _clean(text).encode("cp932", errors="replace")
            + bytes([ETX])
        )
        return bytes([STX]) + body + checksum(body)

    def parse_reply(self, data: bytes) -> bool | None:
        for byte in data:
            if byte == ACK:
                return True
            if byte == NAK:
                return False
        return None

    def parse_frame(self, buffer: bytes) -> tuple[Frame | FrameError | None, bytes]:
        """Board side: take one frame off ``buffer``; bytes before an STX are line noise."""
        start = buffer.find(bytes([STX]))
        if start < 0:
            return None, b""
        end = buffer.find(bytes([ETX]), start)
        if end < 0 or len(buffer) < end + 3:
            return None, buffer[start:]
        body, rest = buffer[start + 1 : end + 1], buffer[end + 3 :]
        return self._check(body, buffer[end + 1 : end + 3]), rest

    def _check(self, body: bytes, received_sum: bytes) -> Frame | FrameError:
        address = body[:2].decode("ascii", errors="replace").upper()
        if checksum(body) != received_sum.upper():
            return FrameError("bad checksum", address)
        if len(body) < 4:
            return FrameError("frame too short", address)
        try:
            normalise_address(address)
            command = Command(chr(body[2]))
            text = body[3:-1].decode("cp932")
        except ValueError as exc:
            return FrameError(str(exc), address)
        return Frame(address, command.value, text)


PROTOCOLS: dict[str, type[CallBoardProtocol]] = {StxEtxProtocol.name: StxEtxProtocol}
