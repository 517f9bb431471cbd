"""Device settings as URLs, the way the agent's configuration names a card reader.

``pcsc://`` the first PC/SC reader; ``pcsc://<url-quoted reader name>`` a named one;
``sim://NAME`` the simulated slot NAME (see :mod:`hardware.card_reader.slots`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from hardware.card_reader import slots
from hardware.card_reader.reader import Transport


def parse_card_url(device_url: str) -> tuple[str, str]:
    """Return (scheme, reader or slot name); the name may be empty for ``pcsc://``."""
    scheme, separator, rest = device_url.partition("://")
    if not separator or scheme not in ("pcsc", "sim"):
        raise ValueError("card reader URL must be pcsc://READER or sim://NAME")
    name = unquote(rest)
    if scheme == "sim" and not name:
        raise ValueError("sim:// needs a slot name")
    return scheme, name


@contextmanager
def open_card(device_url: str) -> Iterator[Transport]:
    """Connect to the card behind ``device_url`` for one session, then release it.

    Each session starts from reset, so the PIN is verified afresh every time.
    """
    scheme, name = parse_card_url(device_url)
    if scheme == "sim":
        card = slots.read_card_in_slot(name)
        card.reset()
        try:
            yield card
        finally:
            card.reset()
        return
    from hardware.card_reader.pcsc import PcscReader

    with PcscReader(name or None) as reader:
        yield reader
