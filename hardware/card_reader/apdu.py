"""Command APDUs of the card face information AP (券面事項入力補助AP).

Byte values from HARDWARE.md (read in jpki/myna, myna-card, AokiApp/jsapdu; ran against an
emulator). Instruction codes and status words are ISO/IEC 7816-4 (SELECT §11.2.2, READ BINARY
§11.3.3, VERIFY §11.5.6, status words §5.6).
"""

from __future__ import annotations

AP_AID = bytes.fromhex("D3921000310001010408")
EF_PIN = bytes.fromhex("0011")
EF_MY_NUMBER = bytes.fromhex("0001")
EF_ATTRIBUTES = bytes.fromhex("0002")

PIN_REFERENCE = 0x80  # P2 of VERIFY: the PIN specific to the selected DF
PIN_LENGTH = 4
MAX_SHORT_LE = 256  # short Le 0x00 means 256 (ISO/IEC 7816-4 §5.1)

# Tags (HARDWARE.md): EF 0001 holds FF10 with the 12 digits; EF 0002 holds FF20 with the rest.
TAG_MY_NUMBER = 0xFF10
TAG_ATTRIBUTES = 0xFF20
TAG_OFFSETS = 0xDF21
TAG_NAME = 0xDF22
TAG_ADDRESS = 0xDF23
TAG_BIRTH_DATE = 0xDF24
TAG_SEX = 0xDF25

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer than Le bytes before the end of the EF
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE_FILE = 0x6981
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_PIN_BLOCKED = 0x6984
SW_NO_CURRENT_EF = 0x6986
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_OFFSET_OUTSIDE_EF = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00


def select_ap() -> bytes:
    """SELECT by DF name, no response data (P2 0C)."""
    return bytes([0x00, 0xA4, 0x04, 0x0C, len(AP_AID)]) + AP_AID


def select_ef(file_id: bytes) -> bytes:
    """SELECT an EF under the current DF by its 2-byte identifier."""
    return bytes([0x00, 0xA4, 0x02, 0x0C, len(file_id)]) + file_id


def verify_status() -> bytes:
    """VERIFY without data: the card answers ``63 Cx`` and spends no try."""
    return bytes([0x00, 0x20, 0x00, PIN_REFERENCE])


def verify(pin: str) -> bytes:
    """VERIFY with the PIN as ASCII digits; the caller has validated it."""
    data = pin.encode("ascii")
    return bytes([0x00, 0x20, 0x00, PIN_REFERENCE, len(data)]) + data


def read_binary(offset: int, length: int) -> bytes:
    """READ BINARY of the current EF: offset in P1P2 (15 bits), short Le."""
    if not 0 <= offset < 0x8000:
        raise ValueError("offset must fit in 15 bits")
    if not 1 <= length <= MAX_SHORT_LE:
        raise ValueError("short Le is 1..256")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF])


def get_response(length: int) -> bytes:
    """GET RESPONSE after ``61 xx`` (T=0 transport, ISO/IEC 7816-4 §5.3.4)."""
    return bytes([0x00, 0xC0, 0x00, 0x00, length & 0xFF])
