"""BER-TLV codec and the individual number check digit."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.card_reader import ber
from hardware.card_reader.errors import ParseError
from hardware.card_reader.my_number import (
    check_digit,
    is_valid_my_number,
    make_my_number,
    mask_my_number,
)


def test_short_length():
    tlv, end = ber.parse_one(bytes.fromhex("DF2203414243"))
    assert (tlv.tag, tlv.value, end) == (0xDF22, b"ABC", 6)


@pytest.mark.parametrize(
    ("encoded", "length"),
    [
        ("7F", 0x7F),
        ("8180", 0x80),
        ("81FF", 0xFF),
        ("820100", 0x100),
        ("83010000", 0x10000),
    ],
)
def test_long_form_lengths(encoded, length):
    data = bytes.fromhex("FF20" + encoded)
    assert ber.parse_header(data) == (0xFF20, 2 + len(encoded) // 2, length)
    assert ber.encode_length(length) == bytes.fromhex(encoded)


def test_multi_byte_length_object_with_children():
    name = "山田\u3000太郎".encode() * 30  # 450 bytes: needs 82 01 C2
    inner = ber.encode_tlv(0xDF22, name)
    assert inner[:5] == bytes.fromhex("DF228201C2")
    outer = ber.encode_tlv(0xFF20, inner + bytes.fromhex("DF250132"))
    assert outer[:5] == bytes.fromhex("FF208201CB")
    parsed, end = ber.parse_one(outer)
    assert end == len(outer)
    assert [(c.tag, c.value) for c in parsed.children()] == [(0xDF22, name), (0xDF25, b"2")]
    assert parsed.children()[1].offset == len(inner)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("", "tag missing"),
        ("DF", "tag truncated"),
        ("DF22", "length missing"),
        ("DF2280", "indefinite length"),
        ("DF2285", "length field too long"),
        ("DF2282FF", "length truncated"),
        ("DF220341", "value runs past the end"),
        ("1F8181818101", "tag too long"),
    ],
)
def test_malformed_input_raises_parse_error(data, reason):
    with pytest.raises(ParseError) as caught:
        ber.parse_one(bytes.fromhex(data))
    assert caught.value.detail == reason
    assert caught.value.code == "bad_data"


@given(st.binary(max_size=600))
def test_fuzz_parser_raises_only_parse_error(data):
    try:
        items = ber.parse_all(data)
    except ParseError:
        return
    for item in items:
        with contextlib.suppress(ParseError):
            item.children()


@given(st.binary(max_size=400))
def test_fuzz_header_raises_only_parse_error(data):
    with contextlib.suppress(ParseError):
        ber.parse_header(data)


@given(
    st.sampled_from([0x04, 0x5F20, 0xDF21, 0xDF22, 0xFF10, 0xFF20, 0x7F4E]),
    st.binary(max_size=70000),
)
def test_encode_parse_round_trip(tag, value):
    tlv, end = ber.parse_one(ber.encode_tlv(tag, value))
    assert (tlv.tag, tlv.value) == (tag, value)


def test_check_digit_of_the_example():
    assert check_digit("53768667718") == 8
    assert is_valid_my_number("537686677188")


@pytest.mark.parametrize(
    "number", ["537686677187", "53768667718", "5376866771880", "５３７６８６６７７１８８"]
)
def test_invalid_numbers(number):
    assert not is_valid_my_number(number)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_make_my_number_is_valid_and_only_one_digit_is(first_eleven):
    number = make_my_number(first_eleven)
    assert is_valid_my_number(number)
    wrong = [first_eleven + d for d in "0123456789" if d != number[-1]]
    assert not any(is_valid_my_number(n) for n in wrong)


def test_check_digit_remainder_zero_or_one_gives_zero():
    # 00000000000 → r = 0; 00000000006 → r = 12 mod 11 = 1 (last weight 2)
    assert check_digit("00000000000") == 0
    assert check_digit("00000000006") == 0


def test_mask_shows_last_four():
    assert mask_my_number("537686677188") == "********7188"
