"""The client's address behind the reverse proxy (issue 14 §4 "Login throttling").

Behind the proxy every request comes from the proxy's address; the client's is the last entry
the proxy added to X-Forwarded-For. Werkzeug's ProxyFix takes it from there, but from anyone:
a client that reaches the server directly could name any address it likes, and so pass the
per-address login limit or spend someone else's. Here the header counts only when the request
comes from one of TRUSTED_PROXIES, with PROXY_HOPS proxies in a row.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def networks(entries: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of TRUSTED_PROXIES entries (an address or a network such as 10.0.0.0/24)."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or a network") from None
    return tuple(found)


class TrustedProxyFix(ProxyFix):
    """ProxyFix for the requests of a trusted proxy only; any other request keeps its own
    address, whatever X-Forwarded-For it sends."""

    def __init__(self, app: WSGIApplication, trusted: Iterable[str], hops: int) -> None:
        super().__init__(app, x_for=hops)
        self.trusted = networks(trusted)

    def from_trusted(self, address: str) -> bool:
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.trusted)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self.from_trusted(environ.get("REMOTE_ADDR", "")):
            return super().__call__(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    config = settings(app)
    if config.TRUSTED_PROXIES and config.PROXY_HOPS > 0:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, config.TRUSTED_PROXIES,  # type: ignore[method-assign]
                                       config.PROXY_HOPS)
