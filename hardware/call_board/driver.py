"""Driving a call board over pyserial: a serial port, a pty, or ``socket://`` to a simulator.

URLs: ``serial:///dev/ttyUSB0?baudrate=9600&address=01``,
``serial+socket://127.0.0.1:PORT?address=01`` (any pyserial URL after ``serial+``) and
``sim://NAME``. Options: ``address``, ``baudrate``, ``timeout`` (seconds to wait for the
answer), ``retries`` (sends of one frame while the board answers NAK), ``protocol``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import serial

from .protocol import PROTOCOLS, CallBoardProtocol, Command, StxEtxProtocol, normalise_address
from .simulator import simulated_call_board


class CallBoardError(Exception):
    pass


class CallBoardOffline(CallBoardError):
    pass


class CallBoard(Protocol):
    def show(self, text: str) -> None: ...

    def clear(self) -> None: ...

    def is_online(self) -> bool: ...

    def check(self) -> None: ...

    def close(self) -> None: ...


class SerialCallBoard:
    def __init__(
        self,
        port_url: str,
        *,
        address: str = "01",
        protocol: CallBoardProtocol | None = None,
        baudrate: int = 9600,
        timeout: float = 1.0,
        retries: int = 3,
    ) -> None:
        self.port_url = port_url
        self.address = normalise_address(address)
        self.protocol = protocol or StxEtxProtocol()
        self.baudrate = baudrate
        self.timeout = timeout
        self.retries = max(1, retries)

    def show(self, text: str) -> None:
        self._send(Command.DISPLAY, text)

    def clear(self) -> None:
        self._send(Command.CLEAR)

    def is_online(self) -> bool:
        try:
            self.check()
        except CallBoardError:
            return False
        return True

    def check(self) -> None:
        """Ask the board for its status; raise ``CallBoardError`` with the reason if it fails."""
        self._send(Command.STATUS)

    def close(self) -> None:
        """The port is opened per command, so a replugged board needs nothing special."""

    def _send(self, command: Command, text: str = "") -> None:
        frame = self.protocol.encode(self.address, command, text)
        port = self._open()
        try:
            for _ in range(self.retries):
                port.reset_input_buffer()
                port.write(frame)
                port.flush()
                answer = self._read_answer(port)
                if answer is None:
                    raise CallBoardOffline(
                        f"call board {self.address} on {self.port_url} did not answer "
                        f"within {self.timeout:g} s"
                    )
                if answer:
                    return
            raise CallBoardError(
                f"call board {self.address} refused the frame {self.retries} times (NAK)"
            )
        except serial.SerialException as exc:
            raise CallBoardOffline(f"call board on {self.port_url}: {exc}") from exc
        finally:
            port.close()

    def _open(self) -> serial.SerialBase:
        try:
            return serial.serial_for_url(
                self.port_url, baudrate=self.baudrate, timeout=self.timeout
            )
        except (serial.SerialException, ValueError) as exc:
            raise CallBoardOffline(f"call board on {self.port_url} is offline: {exc}") from exc

    def _read_answer(self, port: serial.SerialBase) -> bool | None:
        received = b""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            chunk = port.read(1)
            if not chunk:
                return None
            received += chunk
            answer = self.protocol.parse_reply(received)
            if answer is not None:
                return answer
        return None


def open_call_board(url: str, options: Mapping[str, Any] | None = None) -> SerialCallBoard:
    parts = urlsplit(url)
    query: dict[str, Any] = {**(options or {}), **dict(parse_qsl(parts.query))}
    protocol_name = query.get("protocol", StxEtxProtocol.name)
    if protocol_name not in PROTOCOLS:
        raise ValueError(f"unknown call board protocol {protocol_name!r}")
    settings: dict[str, Any] = {
        "address": str(query.get("address", "01")),
        "protocol": PROTOCOLS[protocol_name](),
        "baudrate": int(query.get("baudrate", 9600)),
        "timeout": float(query.get("timeout", 1.0)),
        "retries": int(query.get("retries", 3)),
    }
    if parts.scheme == "serial":
        return SerialCallBoard(parts.path, **settings)
    if parts.scheme.startswith("serial+"):
        return SerialCallBoard(url.removeprefix("serial+").split("?", 1)[0], **settings)
    if parts.scheme == "sim":
        board = simulated_call_board(parts.netloc, settings["address"])
        return SerialCallBoard(f"socket://127.0.0.1:{board.port}", **settings)
    raise ValueError(f"unsupported call board URL {url!r}")
