"""The reading logic over the virtual card: command sequence, PIN handling, errors, secrets."""

import logging
import threading
import time
from dataclasses import asdict
from datetime import date

import pytest

from hardware.card_reader import (
    CardError,
    InvalidPin,
    NoCard,
    ParseError,
    Person,
    PinBlocked,
    VirtualMyNumberCard,
    WrongPin,
    insert_card,
    make_my_number,
    pin_tries_left,
    read_card_face,
    remove_card,
    slot_state,
)
from hardware.card_reader.agent_jobs import card_read, card_status
from hardware.card_reader.devices import parse_card_url
from hardware.card_reader.errors import NoReader

NUMBER = "537686677188"
PIN = "1234"


class Recorder:
    """Wraps a card and keeps every command and answer."""

    def __init__(self, card):
        self.card = card
        self.commands: list[bytes] = []
        self.answers: list[tuple[bytes, int, int]] = []

    def transmit(self, apdu):
        self.commands.append(bytes(apdu))
        answer = self.card.transmit(apdu)
        self.answers.append(answer)
        return answer

    def hex_commands(self):
        return [c.hex().upper() for c in self.commands]


@pytest.fixture
def person():
    return Person(
        name="山田\u3000太郎",
        address="東京都千代田区霞が関二丁目１番２号",
        birth_date=date(1970, 1, 31),
        sex="1",
        my_number=NUMBER,
    )


@pytest.fixture
def card(person):
    return VirtualMyNumberCard(person, PIN)


def test_read_sends_the_documented_sequence(card):
    rec = Recorder(card)
    face = read_card_face(rec, PIN)
    assert rec.hex_commands() == [
        "00A4040C0AD3921000310001010408",
        "00A4020C020011",
        "00200080",
        "002000800431323334",
        "00A4020C020001",
        "00B0000007",
        "00B0000708",
        "00A4020C020002",
        "00B0000007",
        "00B00007" + f"{len(card._files[bytes.fromhex('0002')]) - 7:02X}",
    ]
    assert face.name == "山田\u3000太郎"
    assert face.name.split("\u3000") == ["山田", "太郎"]
    assert face.address == "東京都千代田区霞が関二丁目１番２号"
    assert face.birth_date == date(1970, 1, 31)
    assert (face.sex, face.sex_label) == ("1", "男")
    assert face.my_number_valid
    assert face.my_number.reveal() == NUMBER


def test_public_dict_masks_the_number(card):
    face = read_card_face(card, PIN)
    public = face.to_public_dict()
    assert public == {
        "name": "山田\u3000太郎",
        "address": "東京都千代田区霞が関二丁目１番２号",
        "birth_date": "1970-01-31",
        "sex": {"code": "1", "label": "男"},
        "my_number_valid": True,
        "my_number_masked": "********7188",
    }
    for text in (repr(face), str(face), str(asdict(face)), str(public)):
        assert NUMBER not in text


def test_invalid_check_digit_is_reported(person):
    wrong = Person(person.name, person.address, person.birth_date, "2", "537686677187")
    face = read_card_face(VirtualMyNumberCard(wrong, PIN), PIN)
    assert not face.my_number_valid
    assert face.to_public_dict()["sex"] == {"code": "2", "label": "女"}


def test_long_attributes_are_read_in_chunks(person):
    long_address = "北海道" + "あ" * 150  # over 256 bytes: FF20 length 82 xx xx
    card = VirtualMyNumberCard(
        Person(person.name, long_address, person.birth_date, "9", NUMBER), PIN
    )
    rec = Recorder(card)
    face = read_card_face(rec, PIN)
    assert face.address == long_address
    assert face.sex_label == "適用不能"
    reads = [c for c in rec.hex_commands()[7:] if c.startswith("00B0")]
    assert reads[0] == "00B0000007"
    assert reads[1] == "00B0000700"  # 256 bytes from offset 7
    assert len(reads) == 3


@pytest.mark.parametrize("bad_pin", [None, "", "123", "12345", "12a4", "１２３４", " 123"])
def test_pin_format_is_checked_before_sending(card, bad_pin):
    rec = Recorder(card)
    with pytest.raises(InvalidPin):
        read_card_face(rec, bad_pin)
    assert rec.commands == []


def test_wrong_pin_counts_down_and_blocks_at_three(card):
    for expected in (2, 1):
        with pytest.raises(WrongPin) as caught:
            read_card_face(card, "9999")
        assert caught.value.tries_left == expected
        assert caught.value.to_result() == {
            "code": "wrong_pin",
            "message": f"暗証番号が違います。残り{expected}回",
            "tries_left": expected,
        }
    with pytest.raises(PinBlocked) as blocked:
        read_card_face(card, "9999")
    assert blocked.value.to_result() == {
        "code": "blocked",
        "message": "暗証番号がロックされています。暗証番号再設定の手続が必要です。",
        "tries_left": 0,
    }
    assert card.tries_left == 0


def test_blocked_card_never_gets_verify(person):
    rec = Recorder(VirtualMyNumberCard(person, PIN, tries_left=0))
    with pytest.raises(PinBlocked):
        read_card_face(rec, PIN)
    assert all(not c.startswith("0020008004") for c in rec.hex_commands())
    assert rec.answers[-1][1:] == (0x69, 0x84)


def test_tries_left_without_spending_one(card):
    assert pin_tries_left(card) == 3
    assert card.tries_left == 3


class NotAMyNumberCard:
    def transmit(self, apdu):
        return b"", 0x6A, 0x82


def test_other_card_gives_card_error():
    with pytest.raises(CardError) as caught:
        read_card_face(NotAMyNumberCard(), PIN)
    assert caught.value.sw == 0x6A82
    assert caught.value.to_result()["sw"] == "6A82"


class T0Card:
    """Answers READ BINARY first with 6C (wrong Le) and data in 61 xx pieces, as T=0 may."""

    def __init__(self, card):
        self.card = card
        self.pending = b""

    def transmit(self, apdu):
        if apdu[:2] == b"\x00\xc0":
            chunk, self.pending = self.pending[: apdu[4]], self.pending[apdu[4] :]
            return (chunk, 0x61, len(self.pending)) if self.pending else (chunk, 0x90, 0x00)
        data, sw1, sw2 = self.card.transmit(apdu)
        if apdu[1] == 0xB0 and (sw1, sw2) == (0x62, 0x82):
            return b"", 0x6C, len(data)
        if apdu[1] == 0xB0 and len(data) > 4:
            self.pending = data[4:]
            return data[:4], 0x61, len(self.pending)
        return data, sw1, sw2


def test_get_response_and_wrong_le_are_followed(card):
    face = read_card_face(T0Card(card), PIN)
    assert face.my_number.reveal() == NUMBER


class CorruptNumberCard:
    """Turns the digit 8 into X in what EF 0001 returns."""

    def __init__(self, card):
        self.card = card
        self.in_number_ef = False

    def transmit(self, apdu):
        if apdu[1] == 0xA4:
            self.in_number_ef = apdu.endswith(b"\x00\x01")
        data, sw1, sw2 = self.card.transmit(apdu)
        if self.in_number_ef:
            data = data.replace(b"8", b"X")
        return data, sw1, sw2


def test_corrupt_number_is_a_parse_error_without_digits(card):
    with pytest.raises(ParseError) as caught:
        read_card_face(CorruptNumberCard(card), PIN)
    assert "53768" not in str(caught.value)


def test_no_secret_in_logs_or_errors(card, caplog):
    caplog.set_level(logging.DEBUG)
    face = read_card_face(card, PIN)
    with pytest.raises(WrongPin) as caught:
        read_card_face(card, "5678")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in (logged, str(caught.value), repr(caught.value), repr(face), repr(card)):
        assert NUMBER not in text
        assert "5678" not in text


def test_sim_slot_and_agent_jobs(person):
    assert card_status("sim://counter-3", {}) == {"present": False, "tries_left": None}
    with pytest.raises(NoCard) as caught:
        card_read("sim://counter-3", {}, PIN)
    assert caught.value.to_result()["code"] == "no_card"
    insert_card("counter-3", person, PIN, tries_left=2)
    try:
        assert slot_state("counter-3") == {
            "present": True,
            "tries_left": 2,
            "name": "山田\u3000太郎",
            "read_seconds": 0.0,
        }
        assert card_status("sim://counter-3", {}) == {"present": True, "tries_left": 2}
        with pytest.raises(WrongPin):
            card_read("sim://counter-3", {}, "0000")
        assert slot_state("counter-3")["tries_left"] == 1
        result = card_read("sim://counter-3", {}, PIN)
        assert result["birth_date"] == "1970-01-31"
        assert result["my_number_masked"] == "********7188"
        assert NUMBER not in str(result)
        assert slot_state("counter-3")["tries_left"] == 3
        # each job starts from reset: the PIN is needed again
        with pytest.raises(InvalidPin):
            card_read("sim://counter-3", {}, None)
    finally:
        remove_card("counter-3")
    assert slot_state("counter-3")["present"] is False


def test_a_slow_sim_reader_takes_its_time_for_each_read(person):
    insert_card("slow", person, PIN, read_seconds=0.4)
    try:
        assert slot_state("slow")["read_seconds"] == 0.4
        for _ in range(2):
            started = time.monotonic()
            assert card_read("sim://slow", {}, PIN)["birth_date"] == "1970-01-31"
            assert time.monotonic() - started >= 0.4
    finally:
        remove_card("slow")


def test_a_card_taken_out_while_the_slow_reader_works_is_no_card(person):
    insert_card("slow", person, PIN, read_seconds=0.5)
    remover = threading.Timer(0.1, remove_card, args=("slow",))
    remover.start()
    try:
        with pytest.raises(NoCard):
            card_read("sim://slow", {}, PIN)
    finally:
        remover.join()
        remove_card("slow")


@pytest.mark.parametrize("seconds", [-1.0, 61.0, float("nan")])
def test_a_sim_reader_is_slow_within_reason(person, seconds):
    with pytest.raises(ValueError, match="read_seconds"):
        insert_card("slow", person, PIN, read_seconds=seconds)
    assert slot_state("slow")["present"] is False


def test_blocked_sim_card_status(person):
    insert_card("blocked", person, PIN, tries_left=0)
    try:
        assert card_status("sim://blocked", {}) == {"present": True, "tries_left": 0}
        with pytest.raises(PinBlocked):
            card_read("sim://blocked", {}, PIN)
    finally:
        remove_card("blocked")


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("pcsc://", ("pcsc", "")),
        ("pcsc://SONY%20FeliCa%20RC-S300%2FP", ("pcsc", "SONY FeliCa RC-S300/P")),
        ("pcsc://Virtual%20PCD%2000%2000", ("pcsc", "Virtual PCD 00 00")),
        ("sim://counter-1", ("sim", "counter-1")),
    ],
)
def test_device_urls(url, parsed):
    assert parse_card_url(url) == parsed


@pytest.mark.parametrize("url", ["usb://x", "pcsc:/x", "sim://", "Virtual PCD 00 00"])
def test_bad_device_urls(url):
    with pytest.raises(ValueError):
        parse_card_url(url)


def test_error_results_are_japanese():
    assert NoCard().to_result()["message"].startswith("カードが置かれていません")
    assert NoReader("pcscd に接続できません").to_result() == {
        "code": "no_reader",
        "message": "カードリーダーが見つかりません。（pcscd に接続できません）",
    }
    assert InvalidPin().to_result()["code"] == "invalid_pin"


def test_make_my_number_helper():
    assert make_my_number("53768667718") == NUMBER


def test_pcscd_down_is_no_reader(monkeypatch):
    """pyscard raises EstablishContextException 0x8010001D without pcscd (HARDWARE.md)."""
    smartcard_system = pytest.importorskip("smartcard.System")
    from smartcard.pcsc.PCSCExceptions import EstablishContextException

    from hardware.card_reader.pcsc import PcscReader, list_readers, pcscd_reachable

    def no_service(*args, **kwargs):
        raise EstablishContextException(0x8010001D)

    monkeypatch.setattr(smartcard_system, "readers", no_service)
    with pytest.raises(NoReader) as caught:
        list_readers()
    assert caught.value.to_result()["code"] == "no_reader"
    assert not pcscd_reachable()
    with pytest.raises(NoReader):
        PcscReader("Virtual PCD 00 00").connect()
    with pytest.raises(NoReader):
        card_status("pcsc://", {})
