"""Card reader jobs the terminal agent runs for the server.

The PIN reaches ``card_read`` as its own argument, never inside ``payload``, so it is not in
the job row; the result holds only the masked number (DESIGN.md, Hardware).
Errors are raised as :class:`~hardware.card_reader.errors.CardReaderError` subclasses; the
agent returns ``exc.to_result()``.
"""

from __future__ import annotations

from hardware.card_reader.devices import open_card, parse_card_url
from hardware.card_reader.errors import NoCard, NoReader
from hardware.card_reader.reader import pin_tries_left, read_card_face, validate_pin


def card_status(device_url: str, payload: dict) -> dict:
    """Is a card there, and how many PIN tries are left (``None`` if the card does not say)?

    ``payload`` is accepted for the agent's uniform call and not used.
    """
    try:
        with open_card(device_url) as transport:
            tries = pin_tries_left(transport)
    except NoCard:
        return {"present": False, "tries_left": None}
    return {"present": True, "tries_left": tries}


def card_read(device_url: str, payload: dict, pin: str | None) -> dict:
    """Read the card face information with the 4-digit PIN; returns the public dict.

    ``payload`` is accepted for the agent's uniform call and not used.
    """
    pin = validate_pin(pin)
    with open_card(device_url) as transport:
        face = read_card_face(transport, pin)
    return face.to_public_dict()


def health(device_url: str) -> dict:
    """Is the reader there? A simulated slot always is; a PC/SC reader must be listed by pcscd.
    An empty reader is healthy: no card is the normal state between visitors."""
    scheme, name = parse_card_url(device_url)
    if scheme == "sim":
        return {"ok": True, "error": None}
    from hardware.card_reader.pcsc import list_readers

    try:
        readers = list_readers()
    except NoReader as exc:
        return {"ok": False, "error": str(exc)}
    if (name in readers) if name else readers:
        return {"ok": True, "error": None}
    return {"ok": False, "error": f"reader {name or '(any)'} is not attached"}
