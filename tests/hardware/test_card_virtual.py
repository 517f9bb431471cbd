"""The virtual card answers the card face information AP's APDUs with the card's exact bytes."""

from datetime import date

import pytest

from hardware.card_reader import Person, VirtualMyNumberCard
from hardware.card_reader.my_number import make_my_number

SELECT_AP = bytes.fromhex("00A4040C0AD39210003100010104 08")
SELECT_PIN = bytes.fromhex("00A4020C020011")
SELECT_NUMBER = bytes.fromhex("00A4020C020001")
SELECT_ATTRS = bytes.fromhex("00A4020C020002")
PIN_STATUS = bytes.fromhex("00200080")
NUMBER = "537686677188"
ADDRESS = "東京都千代田区霞が関二丁目１番２号\u3000中央合同庁舎第二号館"


def verify(pin: str) -> bytes:
    return bytes.fromhex("0020008004") + pin.encode()


@pytest.fixture
def person():
    return Person(
        name="山田\u3000太郎",
        address=ADDRESS,
        birth_date=date(1970, 1, 31),
        sex="1",
        my_number=NUMBER,
    )


@pytest.fixture
def card(person):
    return VirtualMyNumberCard(person, "1234")


def sw(response):
    data, sw1, sw2 = response
    return bytes([sw1, sw2]).hex().upper()


def at_pin_ef(card):
    assert sw(card.transmit(SELECT_AP)) == "9000"
    assert sw(card.transmit(SELECT_PIN)) == "9000"


def test_select_answers(card):
    assert card.transmit(SELECT_AP) == (b"", 0x90, 0x00)
    assert card.transmit(SELECT_PIN) == (b"", 0x90, 0x00)
    assert card.transmit(bytes.fromhex("00A4020C020003")) == (b"", 0x6A, 0x82)
    assert card.transmit(bytes.fromhex("00A4020C02EEEE")) == (b"", 0x6A, 0x82)
    assert card.transmit(bytes.fromhex("00A4040C0AD392F000260100000001")) == (b"", 0x6A, 0x82)


def test_ef_select_before_the_ap_is_not_found(card):
    assert sw(card.transmit(SELECT_PIN)) == "6A82"


def test_pin_status_costs_no_try(card):
    at_pin_ef(card)
    assert sw(card.transmit(PIN_STATUS)) == "63C3"
    assert sw(card.transmit(PIN_STATUS)) == "63C3"
    assert card.tries_left == 3


def test_read_before_verify_is_refused(card):
    at_pin_ef(card)
    assert sw(card.transmit(SELECT_NUMBER)) == "9000"
    assert card.transmit(bytes.fromhex("00B0000011")) == (b"", 0x69, 0x82)
    assert sw(card.transmit(SELECT_ATTRS)) == "9000"
    assert card.transmit(bytes.fromhex("00B0000007")) == (b"", 0x69, 0x82)


def test_number_ef_bytes_after_verify(card):
    at_pin_ef(card)
    assert sw(card.transmit(verify("1234"))) == "9000"
    card.transmit(SELECT_NUMBER)
    data, sw1, sw2 = card.transmit(bytes.fromhex("00B000000F"))
    assert (sw1, sw2) == (0x90, 0x00)
    assert data == bytes.fromhex("FF100C") + NUMBER.encode()


def test_read_binary_offset_and_le(card):
    at_pin_ef(card)
    card.transmit(verify("1234"))
    card.transmit(SELECT_NUMBER)
    assert card.transmit(bytes.fromhex("00B0000305")) == (b"53768", 0x90, 0x00)
    # more asked than the EF holds: the rest and 62 82 (ISO/IEC 7816-4 §5.6)
    assert card.transmit(bytes.fromhex("00B0000B00")) == (b"7188", 0x62, 0x82)
    assert card.transmit(bytes.fromhex("00B0000F01")) == (b"", 0x6B, 0x00)


def test_attributes_ef_structure(card):
    at_pin_ef(card)
    card.transmit(verify("1234"))
    card.transmit(SELECT_ATTRS)
    name = "山田\u3000太郎".encode()
    address = ADDRESS.encode()
    items = (
        bytes([0xDF, 0x22, len(name)])
        + name
        + bytes([0xDF, 0x23, len(address)])
        + address
        + bytes.fromhex("DF2408")
        + b"19700131"
        + bytes.fromhex("DF250131")
    )
    offsets = bytes.fromhex("DF2108") + bytes(
        [0, 11, 0, 11 + 3 + len(name), 0, 11 + 6 + len(name) + len(address)]
        + [0, 11 + 6 + len(name) + len(address) + 11]
    )
    body = offsets + items
    assert len(body) > 0x7F  # so the FF20 length takes the long form 81 xx
    expected = bytes([0xFF, 0x20, 0x81, len(body)]) + body
    assert card.transmit(bytes([0x00, 0xB0, 0x00, 0x00, len(expected)])) == (expected, 0x90, 0x00)
    # Le 00 asks for 256 bytes: the whole EF comes with 62 82
    assert card.transmit(bytes.fromhex("00B0000000")) == (expected, 0x62, 0x82)


def test_wrong_pin_decrements_then_blocks(card):
    at_pin_ef(card)
    assert sw(card.transmit(verify("0000"))) == "63C2"
    assert sw(card.transmit(PIN_STATUS)) == "63C2"
    assert sw(card.transmit(verify("0000"))) == "63C1"
    assert sw(card.transmit(verify("0000"))) == "63C0"
    assert sw(card.transmit(PIN_STATUS)) == "6984"
    assert sw(card.transmit(verify("1234"))) == "6984"
    assert card.tries_left == 0


def test_right_pin_resets_the_counter(card):
    at_pin_ef(card)
    card.transmit(verify("9999"))
    assert sw(card.transmit(verify("1234"))) == "9000"
    assert card.tries_left == 3


def test_reset_loses_the_security_status(card):
    at_pin_ef(card)
    card.transmit(verify("1234"))
    card.reset()
    at_pin_ef(card)
    card.transmit(SELECT_NUMBER)
    assert sw(card.transmit(bytes.fromhex("00B000000F"))) == "6982"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("80A4040C00", "6E00"),  # class byte
        ("00CA000000", "6D00"),  # instruction not supported
        ("00A4", "6700"),  # too short
        ("00A4020C0300", "6700"),  # Lc does not match
        ("00B0000000", "6986"),  # READ BINARY with no current EF
        ("00200081", "6A86"),  # VERIFY of another reference
    ],
)
def test_malformed_commands(card, command, expected):
    assert sw(card.transmit(bytes.fromhex(command))) == expected


def test_reading_the_pin_ef_is_refused(card):
    at_pin_ef(card)
    card.transmit(verify("1234"))
    card.transmit(SELECT_PIN)
    assert sw(card.transmit(bytes.fromhex("00B0000001"))) == "6981"


def test_verify_needs_the_pin_ef(card):
    card.transmit(SELECT_AP)
    assert sw(card.transmit(PIN_STATUS)) == "6986"


def test_construction_checks(person):
    with pytest.raises(ValueError):
        VirtualMyNumberCard(person, "12345")
    with pytest.raises(ValueError):
        VirtualMyNumberCard(person, "1234", tries_left=4)
    with pytest.raises(ValueError):
        Person("a", "b", date(2000, 1, 1), "3", make_my_number("12345678901"))


def test_repr_holds_no_secret(card, person):
    assert "1234" not in repr(card)
    assert NUMBER not in repr(person)
    assert NUMBER not in str(vars(person))
