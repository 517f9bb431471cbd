"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), keeping what it is sent.

The app talks to it as to the city's mail relay: EHLO, MAIL FROM, RCPT TO, DATA. `refuse(address)`
makes RCPT TO for that mailbox answer 550, the bounce an office must see in its list.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd's hook name
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.catcher.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.catcher.arrived:
            self.catcher.messages.append(parsed)  # type: ignore[arg-type]
            self.catcher.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.catcher.arrived.notify_all()
        return "250 Message accepted for delivery"


class MailCatcher:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: set[str] = set()
        self.arrived = threading.Condition()
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> MailCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def config(self) -> dict[str, Any]:
        """The app settings that send to this catcher."""
        return {"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": self.port, "MAIL_FROM": "furusato@city.example.jp"}

    @property
    def env(self) -> dict[str, str]:
        """The same settings as environment variables, for a task consumer process
        (`task_consumer.env.update(smtp_catcher.env)`)."""
        return {key: str(value) for key, value in self.config.items()}

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once `count` have arrived; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.messages)} of {count} messages arrived in {timeout} s")
                self.arrived.wait(left)
            return list(self.messages)
