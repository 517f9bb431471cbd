"""A loopback TCP server for device simulators: one client at a time, in order, like a device."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

POLL_SECONDS = 0.1
CLIENT_IDLE_SECONDS = 30.0


class DeviceServer:
    def __init__(
        self, name: str, on_data: Callable[[bytes], bytes], port: int = 0
    ) -> None:
        self.name = name
        self.port = port
        self._on_data = on_data
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Listen on 127.0.0.1 only; ``port`` 0 picks a free port, kept for a later restart."""
        if self._server is not None:
            return
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", self.port))
            server.listen(4)
        except OSError:
            server.close()
            raise
        server.settimeout(POLL_SECONDS)
        self.port = server.getsockname()[1]
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket for real, so clients get "connection refused"."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._server is not None:
            self._server.close()
            self._server = None

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
        client.settimeout(POLL_SECONDS)
        idle = 0.0
        while not self._stopping.is_set() and idle < CLIENT_IDLE_SECONDS:
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                idle += POLL_SECONDS
                continue
            except OSError:
                return
            if not chunk:
                return
            idle = 0.0
            reply = self._on_data(chunk)
            if reply:
                try:
                    client.sendall(reply)
                except OSError:
                    return
