"""A simulated LED call board: checks framing and checksum, answers ACK/NAK, keeps the text.

It listens on 127.0.0.1 for ``socket://`` clients and can also serve a serial device path
(one end of a ``socat`` pty pair), so the driver's real pyserial code runs against it.
"""

from __future__ import annotations

import threading

import serial

from ..simserver import DeviceServer
from .protocol import ACK, NAK, Command, Frame, FrameError, StxEtxProtocol, normalise_address

SERIAL_POLL_SECONDS = 0.1


class SimulatedCallBoard:
    def __init__(self, name: str = "call_board", address: str = "01", port: int = 0) -> None:
        self.name = name
        self.address = normalise_address(address)
        self.text = ""
        self.history: list[str] = []
        self.errors: list[str] = []
        self.nak_next = 0
        self._protocol = StxEtxProtocol()
        self._buffers: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._server = DeviceServer(f"sim-board-{name}", self._on_tcp_data, port)
        self._serial_threads: list[threading.Thread] = []
        self._serial_stop = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.port

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def url(self) -> str:
        return f"serial+socket://127.0.0.1:{self.port}?address={self.address}"

    def start(self) -> SimulatedCallBoard:
        self._server.start()
        return self

    def serve_serial(self, device: str) -> SimulatedCallBoard:
        """Answer on a serial device too, e.g. one end of a pty pair made by socat."""
        port = serial.serial_for_url(device, baudrate=9600, timeout=SERIAL_POLL_SECONDS)
        self._serial_stop.clear()
        thread = threading.Thread(
            target=self._serve_serial, args=(port,), name=f"sim-board-{self.name}", daemon=True
        )
        self._serial_threads.append(thread)
        thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self._serial_stop.set()
        for thread in self._serial_threads:
            thread.join()
        self._serial_threads.clear()

    def __enter__(self) -> SimulatedCallBoard:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- frames ----------------------------------------------------------------------------
    def _serve_serial(self, port: serial.SerialBase) -> None:
        with port:
            while not self._serial_stop.is_set():
                try:
                    chunk = port.read(256)
                except serial.SerialException:
                    return
                if chunk:
                    reply = self.receive(chunk, line="serial")
                    if reply:
                        port.write(reply)

    def _on_tcp_data(self, chunk: bytes) -> bytes:
        return self.receive(chunk, line="tcp")

    def receive(self, chunk: bytes, line: str = "direct") -> bytes:
        """Feed bytes as they come off the line; returns the answers to send back."""
        with self._lock:
            buffer = self._buffers.get(line, b"") + chunk
            replies = bytearray()
            while True:
                frame, buffer = self._protocol.parse_frame(buffer)
                if frame is None:
                    break
                reply = self._answer(frame)
                if reply is not None:
                    replies.append(reply)
            self._buffers[line] = buffer
            return bytes(replies)

    def _answer(self, frame: Frame | FrameError) -> int | None:
        if frame.address != self.address:
            return None
        if isinstance(frame, FrameError):
            self.errors.append(frame.reason)
            return NAK
        if self.nak_next > 0:
            self.nak_next -= 1
            self.errors.append("line noise (injected)")
            return NAK
        if frame.command == Command.DISPLAY.value:
            self.text = frame.text
            self.history.append(frame.text)
        elif frame.command == Command.CLEAR.value:
            self.text = ""
        return ACK


_registry: dict[str, SimulatedCallBoard] = {}
_registry_lock = threading.Lock()


def simulated_call_board(name: str, address: str = "01") -> SimulatedCallBoard:
    """The process-wide simulated board ``name`` (``sim://NAME``), started when first named."""
    with _registry_lock:
        board = _registry.get(name)
        if board is None:
            board = _registry[name] = SimulatedCallBoard(name, address).start()
        return board


def simulated_call_boards() -> dict[str, SimulatedCallBoard]:
    with _registry_lock:
        return dict(_registry)
