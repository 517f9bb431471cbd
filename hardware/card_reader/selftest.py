"""Card reader self-test for the agent's health page: the whole read on a virtual card.

Always through the reading logic in process; when pcscd is reachable and shows vpcd's reader,
also through pyscard → pcscd → vpcd → the virtual card.
"""

from __future__ import annotations

import time

from hardware.card_reader.errors import CardReaderError, NoCard
from hardware.card_reader.model import CardFace
from hardware.card_reader.reader import Transport, read_card_face
from hardware.card_reader.slots import sample_person
from hardware.card_reader.virtual_card import VirtualMyNumberCard

SELFTEST_PIN = "4321"


def _check(transport: Transport, card: VirtualMyNumberCard) -> CardFace:
    face = read_card_face(transport, SELFTEST_PIN)
    expected = card.person
    if (face.name, face.address, face.birth_date, face.sex) != (
        expected.name,
        expected.address,
        expected.birth_date,
        expected.sex,
    ):
        raise RuntimeError("card reader self-test read different data")
    if face.my_number.reveal() != expected.number() or not face.my_number_valid:
        raise RuntimeError("card reader self-test read a different number")
    return face


def _through_pcscd(card: VirtualMyNumberCard, timeout: float = 10.0) -> None:
    from hardware.card_reader.pcsc import PcscReader
    from hardware.card_reader.vpcd import VIRTUAL_READER_NAME, VpcdCardEmulator

    with VpcdCardEmulator(card):
        deadline = time.monotonic() + timeout
        while True:
            try:
                with PcscReader(VIRTUAL_READER_NAME) as reader:
                    _check(reader, card)
                return
            except NoCard:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)


def _vpcd_reader_present() -> bool:
    from hardware.card_reader.pcsc import list_readers
    from hardware.card_reader.vpcd import VIRTUAL_READER_NAME

    try:
        return VIRTUAL_READER_NAME in list_readers()
    except CardReaderError:
        return False


def run() -> str:
    """Run the self-test; returns a one-line summary, raises on failure."""
    card = VirtualMyNumberCard(sample_person(), SELFTEST_PIN)
    _check(card, card)
    if not _vpcd_reader_present():
        return "virtual card OK; pcscd/vpcd not reachable, PC/SC path not tested"
    _through_pcscd(card)
    return "virtual card OK; pyscard → pcscd → vpcd → virtual card OK"
