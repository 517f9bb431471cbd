"""E-mail through a real SMTP conversation with a local catcher, and the outbox without a server."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import pytest
from flask import Flask

from app.core import mail
from tests.mail_catcher import MailCatcher


@pytest.fixture
def app_config(mail_config: dict[str, Any]) -> dict[str, Any]:
    return mail_config


def test_a_batch_goes_out_in_one_conversation_with_japanese_subject_and_a_pdf(
        app: Flask, smtp_catcher: MailCatcher) -> None:
    pdf = b"%PDF-1.4 test"
    results = mail.send([
        mail.Mail("a@example.jp", "寄附金受領証明書の送付について", "山田 太郎 様\nありがとうございました。",
                  (mail.Attachment("証明書.pdf", pdf),)),
        mail.Mail("b@example.jp", "受付のお知らせ", "本文"),
    ])
    assert [r.ok for r in results] == [True, True]
    first, second = smtp_catcher.wait_for(2)
    assert first["Subject"] == "寄附金受領証明書の送付について"
    assert first["From"] == "furusato@city.example.jp"
    body, attachment = list(first.iter_parts())
    assert "山田 太郎 様" in body.get_content()
    assert attachment.get_filename() == "証明書.pdf"
    assert attachment.get_content() == pdf
    assert smtp_catcher.envelopes[1] == ("furusato@city.example.jp", ["b@example.jp"])


def test_a_refused_mailbox_is_a_failed_result_and_the_rest_of_the_batch_still_goes(
        app: Flask, smtp_catcher: MailCatcher) -> None:
    smtp_catcher.refuse("gone@example.jp")
    results = mail.send([mail.Mail("gone@example.jp", "件名", "本文"), mail.Mail("ok@example.jp", "件名", "本文")])
    assert [r.ok for r in results] == [False, True]
    assert results[0].error is not None and "550" in results[0].error
    assert [m["To"] for m in smtp_catcher.wait_for(1)] == ["ok@example.jp"]


def _settings(app: Flask, **changes: Any) -> None:
    app.config["YAKUBA_CONFIG"] = dataclasses.replace(app.config["YAKUBA_CONFIG"], **changes)


def test_a_server_that_cannot_be_reached_raises_so_the_task_tries_again(app: Flask) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        _settings(app, MAIL_SMTP_PORT=probe.getsockname()[1])
    with pytest.raises(mail.MailFailed) as failed:
        mail.send([mail.Mail("a@example.jp", "件名", "本文")])
    assert "メールサーバー" in failed.value.reason and failed.value.sent == []


def test_without_a_mail_server_each_message_is_kept_in_the_outbox(app: Flask, tmp_path: Any) -> None:
    _settings(app, MAIL_SMTP_HOST="", MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    results = mail.send([mail.Mail("a@example.jp", "件名", "本文")])
    assert results[0].ok
    kept = list((tmp_path / "outbox").glob("*.eml"))
    assert len(kept) == 1 and b"a@example.jp" in kept[0].read_bytes()
