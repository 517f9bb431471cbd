"""A simulated network receipt printer: a real TCP server that decodes what it is sent.

It listens like a printer's raw port 9100, so ``escpos.printer.Network`` talks to it unchanged.
One connection is served at a time, in order, as a printer does; decoder state persists across
connections. It answers ``DLE EOT n`` status requests the way an Epson TM printer does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from .decoder import EscPosDecoder, Page
from .paper import page_png, page_text

#: DLE EOT 1 (printer status) and DLE EOT 4 (roll paper sensor): bits 1 and 4 are always set.
STATUS_FIXED = 0x12
STATUS_OFFLINE = 0x08
STATUS_PAPER_OUT = 0x60
ACCEPT_POLL_SECONDS = 0.1
CLIENT_IDLE_SECONDS = 30.0


class SimulatedPrinter:
    def __init__(self, name: str = "printer", port: int = 0) -> None:
        self.name = name
        self.port = port
        self.paper_out = False
        self._decoder = EscPosDecoder()
        self._received = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        return f"escpos+tcp://127.0.0.1:{self.port}"

    def start(self) -> SimulatedPrinter:
        if self._server is not None:
            return self
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", self.port))
            server.listen(4)
        except OSError:
            server.close()
            raise
        server.settimeout(ACCEPT_POLL_SECONDS)
        self.port = server.getsockname()[1]
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._serve, name=f"sim-printer-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket for real: clients then get "connection refused"."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> SimulatedPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what was printed ----------------------------------------------------------------
    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    @property
    def pages(self) -> list[Page]:
        with self._lock:
            return self._decoder.all_pages()

    def page_png(self, index: int) -> bytes:
        return page_png(self.pages[index])

    def page_text(self, index: int) -> str:
        return page_text(self.pages[index])

    def clear(self) -> None:
        with self._lock:
            self._decoder = EscPosDecoder()
            self._received.clear()

    def wait_for_pages(self, count: int, timeout: float = 10.0) -> list[Page]:
        """Block until ``count`` pages exist; data sent over TCP arrives a moment later."""
        return self._wait_until(lambda: len(self._decoder.all_pages()) >= count, timeout)

    def wait_for_bytes(self, count: int, timeout: float = 10.0) -> list[Page]:
        return self._wait_until(lambda: len(self._received) >= count, timeout)

    def _wait_until(self, predicate: Callable[[], bool], timeout: float) -> list[Page]:
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                raise TimeoutError(f"simulated printer {self.name}: nothing printed in time")
            return self._decoder.all_pages()

    # -- the server ----------------------------------------------------------------------
    def _serve(self) -> None:
        assert self._server is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with client:
                self._serve_client(client)

    def _serve_client(self, client: socket.socket) -> None:
        client.settimeout(ACCEPT_POLL_SECONDS)
        idle = 0.0
        while not self._stopping.is_set() and idle < CLIENT_IDLE_SECONDS:
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                idle += ACCEPT_POLL_SECONDS
                continue
            except OSError:
                break
            if not chunk:
                break
            idle = 0.0
            reply = self._receive(chunk)
            if reply:
                try:
                    client.sendall(reply)
                except OSError:
                    break
        with self._changed:
            self._changed.notify_all()

    def _receive(self, chunk: bytes) -> bytes:
        with self._changed:
            self._received.extend(chunk)
            self._decoder.feed(chunk)
            requests = self._decoder.status_requests
            self._decoder.status_requests = []
            self._changed.notify_all()
        return bytes(self._status_byte(n) for n in requests)

    def _status_byte(self, request: int) -> int:
        if request == 4:
            return STATUS_FIXED | (STATUS_PAPER_OUT if self.paper_out else 0)
        return STATUS_FIXED | (STATUS_OFFLINE if self.paper_out else 0)


_registry: dict[str, SimulatedPrinter] = {}
_registry_lock = threading.Lock()


def simulated_printer(name: str) -> SimulatedPrinter:
    """The process-wide simulator called ``name`` (``sim://NAME``), started when first named.

    A simulator stopped later stays stopped (the printer is "off") until ``start()``.
    """
    with _registry_lock:
        sim = _registry.get(name)
        if sim is None:
            sim = _registry[name] = SimulatedPrinter(name).start()
        return sim


def simulated_printers() -> dict[str, SimulatedPrinter]:
    with _registry_lock:
        return dict(_registry)
