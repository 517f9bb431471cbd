"""Printer drivers chosen by a URL-style setting.

``escpos+tcp://HOST:9100``, ``escpos+usb://04b8:0202``,
``escpos+serial:///dev/ttyUSB0?baudrate=38400`` and ``sim://NAME`` (a ``SimulatedPrinter`` in
this process, reached over TCP like a network printer). Query options: ``mode=kanji|raster``,
``profile`` (a python-escpos profile; the default TM-T88V has 512 dots), ``timeout`` seconds.
A connection is opened per document: a printer switched off and on again between two
documents then needs nothing special.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Network, Serial, Usb

from .document import Document
from .render import COLUMNS, DEFAULT_PROFILE, MODES, Mode, render_bytes
from .simulator import simulated_printer

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"
STATUS_OFFLINE = 0x08
STATUS_PAPER_END = 0x60
CONNECTION_ERRORS = (EscposError, OSError, RuntimeError)


class PrinterOffline(Exception):
    pass


class _Network(Network):
    """``Network.open`` leaks its socket when the connect fails; this one closes it."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect((self.host, self.port))
        except OSError:
            sock.close()
            self._device = None
            raise
        self.device = sock


class Printer(Protocol):
    def print_document(self, doc: Document) -> int: ...

    def is_online(self) -> bool: ...

    def check(self) -> None: ...

    def close(self) -> None: ...


class EscposPrinter:
    def __init__(
        self,
        connect: Callable[[], Escpos],
        *,
        description: str,
        mode: Mode = "kanji",
        profile: str = DEFAULT_PROFILE,
        columns: int = COLUMNS,
        status_query: bool = False,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown print mode {mode!r}; use kanji or raster")
        self._connect = connect
        self.description = description
        self.mode: Mode = mode
        self.profile = profile
        self.columns = columns
        self.status_query = status_query

    def print_document(self, doc: Document) -> int:
        data = render_bytes(doc, self.mode, self.profile, self.columns)
        device = self._open()
        try:
            device._raw(data)
        except CONNECTION_ERRORS as exc:
            raise PrinterOffline(f"printer {self.description} stopped answering: {exc}") from exc
        finally:
            _close_quietly(device)
        return len(data)

    def is_online(self) -> bool:
        try:
            self.check()
        except PrinterOffline:
            return False
        return True

    def check(self) -> None:
        """Raise ``PrinterOffline`` with the reason when the printer cannot print now."""
        device = self._open()
        try:
            if self.status_query and not _status_ok(device):
                raise PrinterOffline(f"printer {self.description} reports offline or no paper")
        finally:
            _close_quietly(device)

    def close(self) -> None:
        """Connections live only as long as one document, so there is nothing to release."""

    def _open(self) -> Escpos:
        try:
            device = self._connect()
            device.open()
        except PrinterOffline:
            raise
        except (*CONNECTION_ERRORS, ValueError) as exc:  # pyusb: NoBackendError is a ValueError
            raise PrinterOffline(f"printer {self.description} is offline: {_reason(exc)}") from exc
        return device


class _Usb(Usb):
    """``Usb.close`` raises without pyusb, even from ``__del__`` when nothing was opened."""

    def open(self, raise_not_found: bool = True) -> None:
        if not Usb.is_usable():
            raise PrinterOffline("USB printing needs pyusb: install yakuba[usb]")
        super().open(raise_not_found)

    def close(self) -> None:
        if self._device:
            super().close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[-1].strip(" ()") or type(exc).__name__


def _status_ok(device: Escpos) -> bool:
    """Ask ``DLE EOT``; a printer that does not answer is taken as online (it opened)."""
    for request, bad in ((DLE_EOT_PRINTER, STATUS_OFFLINE), (DLE_EOT_PAPER, STATUS_PAPER_END)):
        try:
            device._raw(request)
            reply = device._read()
        except CONNECTION_ERRORS:
            return False
        if reply and reply[0] & bad:
            return False
    return True


def _close_quietly(device: Escpos) -> None:
    with contextlib.suppress(CONNECTION_ERRORS):
        device.close()


def open_printer(url: str, options: Mapping[str, Any] | None = None) -> EscposPrinter:
    parts = urlsplit(url)
    query: dict[str, Any] = {**(options or {}), **dict(parse_qsl(parts.query))}
    settings = {
        "mode": query.get("mode", "kanji"),
        "profile": query.get("profile", DEFAULT_PROFILE),
        "columns": int(query.get("columns", COLUMNS)),
    }
    timeout = float(query.get("timeout", 10))
    profile = settings["profile"]
    if parts.scheme == "escpos+tcp":
        host, port = parts.hostname or "", parts.port or 9100
        return EscposPrinter(
            lambda: _Network(host, port, timeout=timeout, profile=profile),
            description=f"{host}:{port}",
            **settings,
        )
    if parts.scheme == "sim":
        sim = simulated_printer(parts.netloc)
        return EscposPrinter(
            lambda: _Network("127.0.0.1", sim.port, timeout=timeout, profile=profile),
            description=f"sim://{parts.netloc}",
            **settings,
        )
    if parts.scheme == "escpos+serial":
        baudrate = int(query.get("baudrate", 9600))
        return EscposPrinter(
            lambda: Serial(parts.path, baudrate=baudrate, timeout=timeout, profile=profile),
            description=parts.path,
            status_query=True,
            **settings,
        )
    if parts.scheme == "escpos+usb":
        vendor, _, product = parts.netloc.partition(":")
        ids = int(vendor, 16), int(product, 16)
        return EscposPrinter(
            lambda: _Usb(*ids, timeout=int(timeout * 1000), profile=profile),
            description=f"USB {parts.netloc}",
            status_query=True,
            **settings,
        )
    raise ValueError(f"unsupported printer URL {url!r}")
