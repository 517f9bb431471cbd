"""A simulated network receipt printer: a real TCP server that decodes what it is sent.

It listens like a printer's raw port 9100, so ``escpos.printer.Network`` talks to it unchanged.
One connection is served at a time, in order, as a printer does; decoder state persists across
connections. It answers ``DLE EOT n`` status requests the way an Epson TM printer does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..simserver import DeviceServer
from .decoder import EscPosDecoder, Page
from .paper import page_png, page_text

#: DLE EOT 1 (printer status) and DLE EOT 4 (roll paper sensor): bits 1 and 4 are always set.
STATUS_FIXED = 0x12
STATUS_OFFLINE = 0x08
STATUS_PAPER_OUT = 0x60


class SimulatedPrinter:
    def __init__(self, name: str = "printer", port: int = 0) -> None:
        self.name = name
        self.paper_out = False
        self._decoder = EscPosDecoder()
        self._received = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server = DeviceServer(f"sim-printer-{name}", self._receive, port)

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.port

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def url(self) -> str:
        return f"escpos+tcp://127.0.0.1:{self.port}"

    def start(self) -> SimulatedPrinter:
        self._server.start()
        return self

    def stop(self) -> None:
        """Close the listening socket for real: clients then get "connection refused"."""
        self._server.stop()

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
        """Block until ``count`` pages have been cut off; TCP data arrives a moment later.

        Only cut pages count, so a page is never seen half received. For output without a
        cut, wait for the byte count the driver reported with ``wait_for_bytes``.
        """
        return self._wait_until(lambda: len(self._decoder.pages) >= count, timeout)

    def wait_for_bytes(self, count: int, timeout: float = 10.0) -> list[Page]:
        return self._wait_until(lambda: len(self._received) >= count, timeout)

    def _wait_until(self, predicate: Callable[[], bool], timeout: float) -> list[Page]:
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                raise TimeoutError(f"simulated printer {self.name}: nothing printed in time")
            return self._decoder.all_pages()

    # -- the server ----------------------------------------------------------------------
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
