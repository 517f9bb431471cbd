"""The real stack: pyscard → pcscd → vsmartcard-vpcd → the virtual card on 127.0.0.1.

The module fixture starts a ``pcscd --foreground`` of this run's own where it may (as root,
tests/hardware/conftest.py: its own socket, vpcd on free ports, so runs sharing a machine never
meet); else it uses the machine's pcscd, starting it (as root, HARDWARE.md) unless one is
running. It stops only the process it started, by its PID. The module is one xdist group, so a
run starts one daemon. Without pcscd or vpcd the tests skip with the reason, except under
``CI=true``, where a missing stack fails.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from hardware.card_reader import NoCard, NoReader, Person, VirtualMyNumberCard, WrongPin
from hardware.card_reader.agent_jobs import card_read, card_status
from hardware.card_reader.reader import read_card_face
from hardware.card_reader.vpcd import VPCD_PORT

pytestmark = [pytest.mark.pcsc, pytest.mark.xdist_group("pcsc")]

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER = "Virtual PCD 00 00"
EMPTY_READER = "Virtual PCD 00 01"  # vpcd's second slot (its port + 1): no emulator attached
READER_URL = "pcsc://Virtual%20PCD%2000%2000"
NUMBER = "537686677188"
PIN = "2580"
STARTUP_WAIT = 20.0


def missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the PC/SC stack is missing: {reason}")
    pytest.skip(reason)


def person() -> Person:
    return Person(
        name="佐藤\u3000一郎",
        address="大阪府大阪市北区中之島一丁目３番２０号",
        birth_date=date(1990, 12, 24),
        sex="1",
        my_number=NUMBER,
    )


def wait_for(predicate, what: str, proc=None, log_path=None):
    """Poll until the predicate holds; fail with pcscd's log if it never does."""
    deadline = time.monotonic() + STARTUP_WAIT
    while not predicate():
        if proc is not None and proc.poll() is not None:
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    else:
        return
    log = Path(log_path).read_text(errors="replace")[-2000:] if log_path else ""
    pytest.fail(f"{what} did not happen\n{log}")


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory, private_pcscd):
    """vpcd's port (its first slot): the card emulators connect there, the self-test's too."""
    try:
        from hardware.card_reader.pcsc import list_readers, pcscd_reachable
    except ImportError:
        missing("pyscard is not installed")
    if shutil.which("pcscd") is None:
        missing("pcscd is not installed (Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        missing("vpcd driver is not installed (Debian package vsmartcard-vpcd)")
    if private_pcscd is not None:
        yield from _private(private_pcscd, list_readers, pcscd_reachable)
        return
    if pcscd_reachable():
        if READER not in list_readers():
            missing(f"a pcscd is running without the {READER} reader")
        yield VPCD_PORT
        return
    if os.geteuid() != 0:
        missing("pcscd is not running and starting it needs root")
    Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
    log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["pcscd", "--foreground"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(
            lambda: pcscd_reachable() and READER in list_readers(), "pcscd start", proc, log_path
        )
        yield VPCD_PORT
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _private(private_pcscd, list_readers, pcscd_reachable):
    """This run's own pcscd; every card emulator made meanwhile (the self-test's too) connects
    to its vpcd port unless told another."""
    from hardware.card_reader import vpcd

    proc = private_pcscd.start()
    port = private_pcscd.port

    class Emulator(vpcd.VpcdCardEmulator):
        def __init__(self, card, port=port):
            super().__init__(card, port)

    try:
        wait_for(lambda: pcscd_reachable() and READER in list_readers(), "pcscd start", proc,
                 private_pcscd.log)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(vpcd, "VpcdCardEmulator", Emulator)
            yield port
    finally:
        private_pcscd.stop()


def card_answers() -> bool:
    from hardware.card_reader.pcsc import PcscReader

    try:
        with PcscReader(READER):
            return True
    except NoCard:
        return False


@pytest.fixture(scope="module")
def emulator(pcscd):
    from hardware.card_reader.vpcd import VpcdCardEmulator

    emu = VpcdCardEmulator(VirtualMyNumberCard(person(), PIN), port=pcscd)
    emu.start()
    try:
        wait_for(card_answers, f"a card in {READER}")
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def card(emulator):
    """A fresh card (full retry counter) behind the virtual reader for each test."""
    emulator.card = VirtualMyNumberCard(person(), PIN)
    return emulator.card


def test_virtual_reader_is_listed(pcscd):
    from hardware.card_reader.pcsc import list_readers

    assert READER in list_readers()


def test_read_through_pcscd(card):
    from hardware.card_reader.pcsc import PcscReader

    with PcscReader(READER) as reader:
        assert reader.atr() == card.atr
        face = read_card_face(reader, PIN)
    assert face.name == "佐藤\u3000一郎"
    assert face.address == "大阪府大阪市北区中之島一丁目３番２０号"
    assert face.birth_date == date(1990, 12, 24)
    assert face.sex == "1"
    assert face.my_number.reveal() == NUMBER
    assert face.my_number_valid


def test_wrong_pin_through_pcscd(card):
    from hardware.card_reader.pcsc import PcscReader

    with PcscReader(READER) as reader, pytest.raises(WrongPin) as caught:
        read_card_face(reader, "0000")
    assert caught.value.tries_left == 2
    assert card.tries_left == 2


def test_agent_jobs_through_pcscd(card):
    assert card_status(READER_URL, {}) == {"present": True, "tries_left": 3}
    result = card_read(READER_URL, {}, PIN)
    assert result["name"] == "佐藤\u3000一郎"
    assert result["my_number_masked"] == "********7188"
    assert NUMBER not in json.dumps(result)


def test_empty_reader_reports_no_card(card):
    assert card_status("pcsc://Virtual%20PCD%2000%2001", {}) == {
        "present": False,
        "tries_left": None,
    }


def test_unknown_reader(card):
    with pytest.raises(NoReader):
        card_status("pcsc://No%20Such%20Reader", {})


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hardware.cardread", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_reads_with_pin_from_stdin(card):
    done = run_cli("--reader", READER, "--pin-stdin", stdin=PIN + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "name": "佐藤\u3000一郎",
        "address": "大阪府大阪市北区中之島一丁目３番２０号",
        "birth_date": "1990-12-24",
        "sex": {"code": "1", "label": "男"},
        "my_number_valid": True,
    }
    assert NUMBER not in done.stdout + done.stderr


def test_cli_shows_number_only_when_asked(card):
    done = run_cli("--reader", READER, "--pin-stdin", "--show-number", stdin=PIN + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["my_number"] == NUMBER


def test_cli_wrong_pin_prints_tries_left(card):
    done = run_cli("--reader", READER, "--pin-stdin", stdin="0000\n")
    assert done.returncode == 1
    error = json.loads(done.stderr)["error"]
    assert error["code"] == "wrong_pin"
    assert error["tries_left"] == 2
    assert "残り2回" in error["message"]
    assert "0000" not in done.stderr


def test_cli_blocked(emulator):
    emulator.card = VirtualMyNumberCard(person(), PIN, tries_left=0)
    done = run_cli("--reader", READER, "--pin-stdin", stdin=PIN + "\n")
    assert done.returncode == 1
    assert json.loads(done.stderr)["error"]["code"] == "blocked"
    assert "ロックされています" in done.stderr


def test_cli_lists_readers(pcscd):
    done = run_cli("--list")
    assert done.returncode == 0, done.stderr
    assert READER in done.stdout.splitlines()


def test_selftest_goes_through_pcscd(emulator):
    """The self-test needs vpcd's slot 0 for itself, so the fixture's card steps out."""
    from hardware.card_reader import selftest

    emulator.stop()
    try:
        assert "pcscd → vpcd → virtual card OK" in selftest.run()
    finally:
        emulator.start()
        wait_for(card_answers, f"a card in {READER} again")
