"""E-mail to donors and citizens (DESIGN "Background work": sent from tasks, never in a request).

`send` takes a batch and opens one SMTP conversation for it. A recipient the server refuses
(an unknown mailbox answered 550 at RCPT TO: the bounce the office must see) is a failed result
of that one message; a server that cannot be reached or breaks off raises `MailFailed`, so the
task that sends stops, keeps what it recorded, and is run again later.

With no MAIL_SMTP_HOST (a machine without a mail server, such as `make run`'s), each message is
written as an .eml file to the outbox folder instead: nothing is lost, and a person can open
what would have gone out.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from app.config import INSTANCE_DIR, settings
from app.core.dates import JST, now

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/pdf"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class SendResult:
    mail: Mail
    ok: bool
    error: str | None = None  # in Japanese, for the office's list of bounces
    message_id: str = ""


class MailFailed(Exception):
    """The mail server could not be reached or broke off the conversation: nothing more of the
    batch was sent (the results before it stand)."""

    def __init__(self, reason: str, sent: list[SendResult]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent


def message(mail: Mail, sender: str | None = None) -> EmailMessage:
    """The MIME message of `mail`: UTF-8 text (Japanese subjects are encoded words), PDFs attached."""
    msg = EmailMessage()
    msg["From"] = sender or settings().MAIL_FROM
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(datetime.now(JST))
    msg["Message-ID"] = make_msgid(domain=_domain(sender or settings().MAIL_FROM))
    msg.set_content(mail.body, charset="utf-8")
    for item in mail.attachments:
        maintype, _, subtype = item.mime.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return msg


def send(mails: Iterable[Mail]) -> list[SendResult]:
    """Send every mail of the batch; one result per mail, in order."""
    config = settings()
    batch = list(mails)
    if not batch:
        return []
    if not config.MAIL_SMTP_HOST:
        return [_to_outbox(mail) for mail in batch]
    results: list[SendResult] = []
    try:
        with _connect() as smtp:
            for mail in batch:
                results.append(_send_one(smtp, mail))
    except (OSError, smtplib.SMTPException) as exc:
        # SMTPRecipientsRefused is handled per mail; what reaches here is the server's failure.
        raise MailFailed(f"メールサーバー（{config.MAIL_SMTP_HOST}:{config.MAIL_SMTP_PORT}）に送れませんでした: "
                         f"{type(exc).__name__}", results) from exc
    return results


def _connect() -> smtplib.SMTP:
    config = settings()
    if config.MAIL_SMTP_SECURITY == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.MAIL_SMTP_HOST, config.MAIL_SMTP_PORT, timeout=TIMEOUT_SECONDS,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config.MAIL_SMTP_HOST, config.MAIL_SMTP_PORT, timeout=TIMEOUT_SECONDS)
        if config.MAIL_SMTP_SECURITY == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.MAIL_SMTP_USER:
        smtp.login(config.MAIL_SMTP_USER, config.MAIL_SMTP_PASSWORD)
    return smtp


def _send_one(smtp: smtplib.SMTP, mail: Mail) -> SendResult:
    msg = message(mail)
    try:
        smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        smtp.rset()
        return SendResult(mail, ok=False, message_id=str(msg["Message-ID"]),
                          error=f"宛先が受け付けられませんでした（{code} {_decode(text)}）")
    except smtplib.SMTPDataError as exc:
        smtp.rset()
        return SendResult(mail, ok=False, message_id=str(msg["Message-ID"]),
                          error=f"本文が受け付けられませんでした（{exc.smtp_code} {_decode(exc.smtp_error)}）")
    return SendResult(mail, ok=True, message_id=str(msg["Message-ID"]))


def outbox() -> Path:
    configured = settings().MAIL_OUTBOX_DIR
    path = Path(configured) if configured else INSTANCE_DIR / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _to_outbox(mail: Mail) -> SendResult:
    msg = message(mail)
    name = f"{now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    partial = outbox() / (name + ".part")
    partial.write_bytes(bytes(msg))
    partial.rename(partial.with_name(name))
    return SendResult(mail, ok=True, message_id=str(msg["Message-ID"]))


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "yakuba.invalid"


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text
