"""Connects a virtual card to vsmartcard's ``vpcd`` reader driver inside pcscd.

pcscd with ``vsmartcard-vpcd`` shows the reader ``Virtual PCD 00 00`` and listens on TCP port
35963 for a card emulator (HARDWARE.md). Every message either way is a 2-byte big-endian length
and the payload. A 1-byte payload from vpcd is a control code: 0 power off, 1 power on,
2 reset, 4 "send the ATR" (the only one that is answered). Longer payloads are command APDUs,
answered with the response APDU (data, SW1, SW2).

vpcd listens on all interfaces; this client only ever connects to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time

from hardware.card_reader.virtual_card import VirtualMyNumberCard

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
VIRTUAL_READER_NAME = "Virtual PCD 00 00"

CTRL_OFF = 0
CTRL_ON = 1
CTRL_RESET = 2
CTRL_ATR = 4


class VpcdCardEmulator:
    """Serves one virtual card to vpcd from a background thread.

    ``card`` may be swapped while running; to remove the card, call ``stop()``.
    """

    def __init__(self, card: VirtualMyNumberCard, port: int = VPCD_PORT) -> None:
        self.card = card
        self.port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"VpcdCardEmulator(port={self.port}, running={self.running})"

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, connect_timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while pcscd starts up) and serve in a thread.

        Raises ConnectionError when vpcd does not accept within ``connect_timeout`` seconds.
        """
        if self.running:
            return
        self._stop.clear()
        self._sock = self._connect(connect_timeout)
        self._thread = threading.Thread(target=self._serve, name="vpcd-card", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the connection (vpcd sees the card removed) and wait for the thread."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> VpcdCardEmulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _connect(self, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((VPCD_HOST, self.port), timeout=2)
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise ConnectionError(f"vpcd not reachable on {VPCD_HOST}:{self.port}") from exc
                time.sleep(0.2)
                continue
            sock.settimeout(None)
            return sock

    def _serve(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            while not self._stop.is_set():
                payload = _recv_message(sock)
                if payload is None:
                    break
                answer = self._answer(payload)
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError:
            if not self._stop.is_set():
                log.warning("vpcd connection lost")

    def _answer(self, payload: bytes) -> bytes | None:
        """The reply to one vpcd message, or None for controls that expect none."""
        card = self.card
        if len(payload) == 1:
            code = payload[0]
            if code == CTRL_ATR:
                return card.atr
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                card.reset()
            return None
        data, sw1, sw2 = card.transmit(payload)
        return data + bytes([sw1, sw2])


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buf = b""
    while len(buf) < size:
        chunk = sock.recv(size - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _recv_exact(sock, length)
