"""A small Server-Sent Events client over a plain socket, for tests against real servers on
127.0.0.1: it opens many streams cheaply (no thread per stream), reads until a named event,
and can be cut off from another thread, as a display that loses its network. It speaks
HTTP/1.0, so the servers send the stream as it is, without chunked encoding."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Message:
    event: str
    id: str
    data: str


@dataclass
class SseStream:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    source: str | None = None  # the client address (any of 127.0.0.0/8 reaches a server on 127.0.0.1)
    status: int = 0
    messages: list[Message] = field(default_factory=list)
    last_event_id: str = ""
    _sock: socket.socket | None = None
    _buffer: bytes = b""

    def open(self) -> SseStream:
        parts = urlsplit(self.url)
        self._sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=self.timeout,
                                              source_address=(self.source, 0) if self.source else None)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {target} HTTP/1.0", f"Host: {parts.netloc}", "Accept: text/event-stream",
                 "Cache-Control: no-cache", *(f"{k}: {v}" for k, v in self.headers.items()), "", ""]
        self._sock.sendall("\r\n".join(lines).encode())
        head = self._read_until(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1])
        return self

    def ends(self) -> bool:
        """Whether the server ends the stream (reading what it still sends)."""
        try:
            while True:
                self._read_until(b"\n\n")
        except ConnectionError:
            return True

    def _read_until(self, marker: bytes) -> bytes:
        assert self._sock is not None
        while marker not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"stream closed before {marker!r}; got {self._buffer[-500:]!r}")
            self._buffer += chunk
        found, self._buffer = self._buffer.split(marker, 1)
        return found

    def read_until(self, event: str) -> list[Message]:
        """Messages up to and including the first `event` (comments and chunk sizes skipped)."""
        got: list[Message] = []
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = self._next()
            if message is None:
                continue
            got.append(message)
            self.messages.append(message)
            if message.id:
                self.last_event_id = message.id
            if message.event == event:
                return got
        raise TimeoutError(f"no {event!r} within {self.timeout} s: {got}")

    def _next(self) -> Message | None:
        block = self._read_until(b"\n\n").decode()
        fields: dict[str, list[str]] = {"event": [], "id": [], "data": []}
        for line in block.splitlines():
            key, sep, value = line.partition(": ")
            if sep and key in fields:
                fields[key].append(value)
        if not fields["event"]:
            return None
        return Message(fields["event"][-1], (fields["id"] or [""])[-1], "\n".join(fields["data"]))

    def cut(self) -> None:
        """Drop the connection (safe from another thread while a read is waiting)."""
        if self._sock is not None:
            with contextlib.suppress(OSError):  # closed already
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()


class Reader(threading.Thread):
    """Reads a stream in the background until it is cut; `messages` fills as events arrive."""

    def __init__(self, stream: SseStream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.ready = threading.Event()

    def run(self) -> None:
        try:
            self.stream.read_until("ready")
            self.ready.set()
            while True:
                self.stream.read_until("never")
        except (OSError, ConnectionError, TimeoutError):
            return
