"""A small BER-TLV codec (ISO/IEC 7816-4 §5.2, X.690 §8.1) for the card's data objects.

Tags may span several bytes (low five bits ``11111`` in the first byte, then bytes with the high
bit set continue). Lengths are short form (``0x00``–``0x7F``) or long form (``0x81``–``0x84``
followed by that many big-endian bytes). The indefinite form ``0x80`` is not allowed in
ISO 7816 data objects. Any malformed input raises :class:`ParseError`, never another exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.card_reader.errors import ParseError

MAX_TAG_BYTES = 4
MAX_LENGTH_BYTES = 4


@dataclass(frozen=True)
class Tlv:
    """One data object: ``offset`` is where its tag starts in the parsed buffer."""

    tag: int
    value: bytes
    offset: int = 0

    @property
    def constructed(self) -> bool:
        """Bit 6 of the first tag byte (X.690 §8.1.2.5)."""
        return bool(_first_tag_byte(self.tag) & 0x20)

    def children(self) -> list[Tlv]:
        """Parse the value as a sequence of data objects."""
        return parse_all(self.value)


def _first_tag_byte(tag: int) -> int:
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")[0]


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    """Return (tag, position after the tag)."""
    if pos >= len(data):
        raise ParseError("tag missing")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F != 0x1F:
        return tag, pos
    for count in range(1, MAX_TAG_BYTES):
        if pos >= len(data):
            raise ParseError("tag truncated")
        byte = data[pos]
        tag = (tag << 8) | byte
        pos += 1
        if not byte & 0x80:
            return tag, pos
        if count == MAX_TAG_BYTES - 1:
            break
    raise ParseError("tag too long")


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """Return (length, position after the length field)."""
    if pos >= len(data):
        raise ParseError("length missing")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0:
        raise ParseError("indefinite length")
    if count > MAX_LENGTH_BYTES:
        raise ParseError("length field too long")
    if pos + count > len(data):
        raise ParseError("length truncated")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def parse_header(data: bytes) -> tuple[int, int, int]:
    """Return (tag, header size, value length) of the object at the start of ``data``.

    Used to learn how much of an EF to read after reading only its first bytes.
    """
    tag, pos = read_tag(data, 0)
    length, pos = read_length(data, pos)
    return tag, pos, length


def parse_one(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """Parse the object starting at ``pos``; return it and the position after it."""
    start = pos
    tag, pos = read_tag(data, pos)
    length, pos = read_length(data, pos)
    end = pos + length
    if end > len(data):
        raise ParseError("value runs past the end")
    return Tlv(tag=tag, value=bytes(data[pos:end]), offset=start), end


def parse_all(data: bytes) -> list[Tlv]:
    """Parse consecutive objects filling ``data`` exactly."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        item, pos = parse_one(data, pos)
        items.append(item)
    return items


def encode_tag(tag: int) -> bytes:
    """The tag's bytes, as many as its value needs."""
    if tag < 0:
        raise ValueError("tag must not be negative")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(length: int) -> bytes:
    """Shortest BER length: one byte below 128, else ``0x8n`` and n big-endian bytes."""
    if length < 0:
        raise ValueError("length must not be negative")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(body) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes([0x80 | len(body)]) + body


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Tag, length and value."""
    return encode_tag(tag) + encode_length(len(value)) + value
