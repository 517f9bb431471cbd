import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.call_board import (
    CallBoardError,
    CallBoardOffline,
    Frame,
    FrameError,
    SimulatedCallBoard,
    StxEtxProtocol,
    checksum,
    open_call_board,
    simulated_call_board,
)

protocol = StxEtxProtocol()


@pytest.fixture
def board() -> Iterator[SimulatedCallBoard]:
    sim = SimulatedCallBoard("test", address="01").start()
    yield sim
    sim.stop()


def test_exact_frame_bytes():
    frame = protocol.encode("01", "D", "3番窓口へ")
    body = b"01D" + "3番窓口へ".encode("cp932") + b"\x03"
    assert frame == b"\x02" + body + checksum(body)
    assert frame == bytes.fromhex("02 30 31 44 33 94 d4 91 8b 8c fb 82 d6 03 30 43")


def test_checksum_is_xor_as_uppercase_hex():
    assert checksum(b"01C\x03") == b"41"
    assert protocol.encode("0a", "C") == b"\x020AC\x0331"


def test_parse_frame_round_trip_and_noise():
    frame, rest = protocol.parse_frame(b"\xff\x00" + protocol.encode("01", "D", "受付") + b"\x02")
    assert frame == Frame("01", "D", "受付")
    assert rest == b"\x02"


def test_incomplete_frame_waits():
    data = protocol.encode("01", "D", "受付")
    assert protocol.parse_frame(data[:-1]) == (None, data[:-1])


def test_control_characters_cannot_break_the_frame():
    frame = protocol.encode("01", "D", "a\x03b\x02")
    assert frame.count(b"\x03") == 1 and frame.count(b"\x02") == 1


def test_bad_address_refused():
    with pytest.raises(ValueError):
        protocol.encode("1", "D", "x")


def test_board_answers_nak_on_bad_checksum(board):
    good = protocol.encode("01", "D", "受付")
    bad = good[:-2] + (b"00" if good[-2:] != b"00" else b"11")
    assert board.receive(bad) == b"\x15"
    assert board.errors == ["bad checksum"]
    assert board.text == ""
    assert board.receive(good) == b"\x06"
    assert board.text == "受付"


def test_board_nak_on_unknown_command(board):
    body = b"01X\x03"
    assert board.receive(b"\x02" + body + checksum(body)) == b"\x15"
    assert isinstance(protocol.parse_frame(b"\x02" + body + checksum(body))[0], FrameError)


def test_board_ignores_other_addresses(board):
    assert board.receive(protocol.encode("02", "D", "x")) == b""


def test_show_and_clear_over_socket(board):
    driver = open_call_board(board.url)
    driver.show("受付番号 105 番　3番窓口へ")
    assert board.text == "受付番号 105 番　3番窓口へ"
    driver.clear()
    assert board.text == ""
    assert driver.is_online()


def test_retries_after_nak(board):
    driver = open_call_board(board.url + "&retries=3")
    board.nak_next = 2
    driver.show("再送")
    assert board.text == "再送"
    board.nak_next = 3
    with pytest.raises(CallBoardError, match="NAK"):
        driver.show("届かない")
    assert board.text == "再送"


def test_no_answer_is_a_timeout_error(board):
    driver = open_call_board(f"serial+socket://127.0.0.1:{board.port}?address=02&timeout=0.2")
    with pytest.raises(CallBoardOffline, match="did not answer"):
        driver.show("x")
    assert not driver.is_online()


def test_stopped_board_is_offline(board):
    driver = open_call_board(board.url)
    board.stop()
    with pytest.raises(CallBoardOffline, match="offline"):
        driver.show("x")
    assert not driver.is_online()


def test_loop_url_without_board_times_out():
    driver = open_call_board("serial+loop://?timeout=0.2")
    with pytest.raises(CallBoardOffline):
        driver.show("x")


def test_sim_url():
    board = simulated_call_board("test-sim", address="03")
    try:
        open_call_board("sim://test-sim?address=03").show("5番")
        assert board.text == "5番"
    finally:
        board.stop()


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    socat = shutil.which("socat")
    if socat is None:
        pytest.skip("socat is not installed (Debian package socat): no virtual serial cable")
    a, b = tmp_path / "A", tmp_path / "B"
    proc = subprocess.Popen(
        [socat, "-d", "-d", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (a.exists() and b.exists()):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("socat did not create the pty pair")
            time.sleep(0.02)
        yield str(a), str(b)
    finally:
        proc.terminate()
        proc.wait()


def test_over_a_pty_pair(pty_pair):
    host_end, board_end = pty_pair
    board = SimulatedCallBoard("pty", address="01").serve_serial(board_end)
    try:
        driver = open_call_board(f"serial://{host_end}?baudrate=9600&address=01")
        driver.show("一番窓口")
        assert board.text == "一番窓口"
        driver.show("二番窓口")
        assert board.history == ["一番窓口", "二番窓口"]
    finally:
        board.stop()


def test_missing_serial_device_is_offline(tmp_path):
    driver = open_call_board(f"serial://{tmp_path}/nothing")
    with pytest.raises(CallBoardOffline):
        driver.show("x")
