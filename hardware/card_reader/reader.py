"""Reading the card face information AP, written once over a minimal transmit interface.

The same functions run against the virtual card in process, through pyscard and pcscd, or
through pcscd and vpcd to the virtual card: every transport only has to move APDUs.
Sequence and status words: HARDWARE.md, "IC card reader and the My Number card".
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from hardware.card_reader import apdu, ber
from hardware.card_reader.errors import CardError, InvalidPin, ParseError, PinBlocked, WrongPin
from hardware.card_reader.model import SEX_LABELS, CardFace, Secret

LONGEST_HEADER = 7  # 2-byte tag + 0x84 and four length bytes (ISO/IEC 7816-4 §5.2)
NUMBER_EF_SIZE = 3 + 12  # FF 10 0C and 12 ASCII digits


class Transport(Protocol):
    """Anything that can send one command APDU and return (data, SW1, SW2)."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]: ...


def validate_pin(pin: str | None) -> str:
    """The PIN of this AP is exactly four ASCII digits; refuse anything else before sending."""
    if pin is None or len(pin) != apdu.PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise InvalidPin()
    return pin


def exchange(transport: Transport, command: bytes) -> tuple[bytes, int]:
    """Send a command and return (data, SW), following the two transport-level answers.

    ``61 xx``: more data waits, fetch it with GET RESPONSE (T=0, ISO/IEC 7816-3 §10.3.5).
    ``6C xx``: wrong Le, the card says the right one; send again with it (ISO/IEC 7816-4 §5.6).
    """
    data, sw1, sw2 = transport.transmit(command)
    if sw1 == 0x6C and len(command) >= 5:
        data, sw1, sw2 = transport.transmit(command[:-1] + bytes([sw2]))
    collected = bytes(data)
    while sw1 == 0x61:
        more, sw1, sw2 = transport.transmit(apdu.get_response(sw2))
        collected += bytes(more)
    return collected, (sw1 << 8) | sw2


def _expect_ok(transport: Transport, command: bytes) -> bytes:
    data, sw = exchange(transport, command)
    if sw != apdu.SW_OK:
        raise CardError(sw)
    return data


def _tries_from_sw(sw: int) -> int | None:
    """``63 Cx`` gives x; ``69 84`` means blocked (0); anything else is not a counter."""
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw == apdu.SW_PIN_BLOCKED:
        return 0
    return None


def select_pin_ef(transport: Transport) -> None:
    """Select the AP and then its PIN EF, as VERIFY needs."""
    _expect_ok(transport, apdu.select_ap())
    _expect_ok(transport, apdu.select_ef(apdu.EF_PIN))


def pin_tries_left(transport: Transport) -> int | None:
    """The retry counter, without spending a try.

    None when the card answers ``90 00`` (already verified in this session, count not told).
    """
    select_pin_ef(transport)
    _, sw = exchange(transport, apdu.verify_status())
    if sw == apdu.SW_OK:
        return None
    tries = _tries_from_sw(sw)
    if tries is None:
        raise CardError(sw)
    return tries


def verify_pin(transport: Transport, pin: str) -> None:
    """Check the counter, then VERIFY; never send VERIFY when the counter is 0."""
    pin = validate_pin(pin)
    tries = pin_tries_left(transport)
    if tries == 0:
        raise PinBlocked()
    _, sw = exchange(transport, apdu.verify(pin))
    if sw == apdu.SW_OK:
        return
    tries = _tries_from_sw(sw)
    if tries is None:
        raise CardError(sw)
    if tries == 0:
        raise PinBlocked()
    raise WrongPin(tries)


def read_ef(transport: Transport, file_id: bytes, length: int) -> bytes:
    """Select an EF and read ``length`` bytes from offset 0, in short-Le chunks.

    ``62 82`` (end of file before Le bytes) ends the read with what came.
    """
    _expect_ok(transport, apdu.select_ef(file_id))
    return _read_range(transport, 0, length)


def _read_range(transport: Transport, offset: int, length: int) -> bytes:
    out = b""
    while len(out) < length:
        chunk = min(apdu.MAX_SHORT_LE, length - len(out))
        data, sw = exchange(transport, apdu.read_binary(offset + len(out), chunk))
        if sw not in (apdu.SW_OK, apdu.SW_END_OF_FILE):
            raise CardError(sw)
        out += data
        if sw == apdu.SW_END_OF_FILE or not data:
            break
    return out


def read_tlv_ef(transport: Transport, file_id: bytes) -> ber.Tlv:
    """Read an EF holding one BER object: the header first, then exactly the rest."""
    head = read_ef(transport, file_id, LONGEST_HEADER)
    _, header_size, length = ber.parse_header(head)
    total = header_size + length
    if total > len(head):
        head += _read_range(transport, len(head), total - len(head))
    tlv, _ = ber.parse_one(head)
    return tlv


def read_my_number(transport: Transport) -> Secret:
    """EF 0001: ``FF 10 0C`` and 12 ASCII digits (filler may follow)."""
    tlv = read_tlv_ef(transport, apdu.EF_MY_NUMBER)
    if tlv.tag != apdu.TAG_MY_NUMBER:
        raise ParseError("EF 0001 does not hold tag FF10")
    if len(tlv.value) != 12 or not tlv.value.isdigit():
        raise ParseError("individual number is not 12 digits")
    return Secret(tlv.value.decode("ascii"))


def parse_attributes(tlv: ber.Tlv) -> dict[int, bytes]:
    """The children of FF20 by tag; DF22–DF25 must all be there."""
    if tlv.tag != apdu.TAG_ATTRIBUTES:
        raise ParseError("EF 0002 does not hold tag FF20")
    items = {child.tag: child.value for child in tlv.children()}
    needed = (apdu.TAG_NAME, apdu.TAG_ADDRESS, apdu.TAG_BIRTH_DATE, apdu.TAG_SEX)
    if any(tag not in items for tag in needed):
        raise ParseError("EF 0002 lacks one of DF22-DF25")
    return items


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{what} is not UTF-8") from None


def _birth_date(value: bytes) -> date:
    """DF24 is ``YYYYMMDD`` in ASCII."""
    text = value.decode("ascii", errors="replace")
    if len(text) != 8 or not text.isdigit():
        raise ParseError("birth date is not YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ParseError("birth date is not a calendar date") from None


def _sex(value: bytes) -> str:
    """DF25 is one ISO 5218 digit."""
    code = value.decode("ascii", errors="replace")
    if code not in SEX_LABELS:
        raise ParseError("sex is not an ISO 5218 code")
    return code


def read_card_face(transport: Transport, pin: str) -> CardFace:
    """The whole read: PIN, then EF 0001 and EF 0002 (HARDWARE.md steps 1–6)."""
    verify_pin(transport, pin)
    number = read_my_number(transport)
    items = parse_attributes(read_tlv_ef(transport, apdu.EF_ATTRIBUTES))
    return CardFace(
        name=_text(items[apdu.TAG_NAME], "name"),
        address=_text(items[apdu.TAG_ADDRESS], "address"),
        birth_date=_birth_date(items[apdu.TAG_BIRTH_DATE]),
        sex=_sex(items[apdu.TAG_SEX]),
        my_number=number,
    )
