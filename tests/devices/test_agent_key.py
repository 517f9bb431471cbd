"""The agent's public key (issue #14 §4 "Bad input"): a card read seals the visitor's PIN to it,
so a key that cannot seal (not PEM, not RSA, too short, not text) is refused with a Japanese 400
when the agent sends it, and nothing of that poll is stored; a bad key already stored (from
before the check, or put in by hand) makes a card read a Japanese refusal, not a 500."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from sqlalchemy import text

from app.devices import card, jobs
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from tests.devices.conftest import terminal_with


def _pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


GOOD = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
SHORT_RSA = _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))  # noqa: S505 (the weak key the server must refuse)
BAD_KEYS = {
    "not-pem": "こんにちは",
    "truncated": GOOD[: len(GOOD) // 2],
    "nul": GOOD.replace("\n", "\x00", 1),
    "ec": _pem(ec.generate_private_key(ec.SECP256R1())),
    "dsa": _pem(dsa.generate_private_key(key_size=2048)),
    "rsa-1024": SHORT_RSA,
    "over-long": GOOD + "A" * 20_000,
    "surrogate": "\ud800",
    "a-number": 12345,
    "a-list": [GOOD],
}


@pytest.fixture
def reader(app) -> tuple[Terminal, str]:
    return terminal_with("counter-15", "15番窓口 端末", "counter_pc", "card_reader")


def _poll(client, token: str, key):
    return client.post("/agent/api/poll", json={"health": {"card_reader": {"ok": True}}, "public_key": key, "wait": 0},
                       headers={"Authorization": f"Bearer {token}"}, csrf=False)


def _stored(terminal_id: int) -> Terminal:
    db.session.expire_all()
    return db.session.get_one(Terminal, terminal_id)


@pytest.mark.parametrize("name", BAD_KEYS)
def test_an_agent_key_that_cannot_seal_a_pin_is_refused_in_japanese(client, reader, name: str) -> None:
    terminal, token = reader
    terminal_id = terminal.id
    response = _poll(client, token, BAD_KEYS[name])
    assert response.status_code == 400
    if name != "nul":  # a NUL anywhere in a request is refused before the view (app/web/guard.py)
        assert response.get_json() == {"error": jobs.BAD_AGENT_KEY}
    stored = _stored(terminal_id)
    assert (stored.agent_public_key, stored.last_seen_at) == (None, None)  # nothing of the poll kept
    with pytest.raises(jobs.JobError, match="エージェントが接続していません"):
        card.start_read(stored, "1234", None, case_id=1)


def test_a_refused_key_or_none_leaves_the_good_one_in_place(client, reader) -> None:
    terminal, token = reader
    terminal_id = terminal.id
    assert _poll(client, token, GOOD).status_code == 200
    assert _poll(client, token, SHORT_RSA).status_code == 400
    assert _poll(client, token, None).status_code == 200  # an agent that sends no key keeps its own
    assert _stored(terminal_id).agent_public_key == GOOD
    job = card.start_read(_stored(terminal_id), "1234", None, case_id=1)
    assert job.sealed and len(job.sealed) == 256  # sealed to the 2048-bit key


@pytest.mark.parametrize("stored", ["not a key", SHORT_RSA, BAD_KEYS["ec"]], ids=["not-pem", "rsa-1024", "ec"])
def test_a_bad_key_already_stored_makes_a_card_read_a_refusal(client, reader, stored: str) -> None:
    terminal, token = reader
    terminal_id = terminal.id
    db.session.execute(text("UPDATE terminals SET agent_public_key = :key WHERE id = :id"),
                       {"key": stored, "id": terminal_id})
    db.session.commit()
    with pytest.raises(jobs.JobError) as refused:
        card.start_read(_stored(terminal_id), "1234", None, case_id=1)
    db.session.rollback()
    assert _poll(client, token, stored).status_code == 400  # the agent that sent it hears so too
    assert refused.value.message.startswith(
        "端末「15番窓口 端末」のエージェントの鍵が不正なため、暗証番号を送れません。")
    assert "1234" not in refused.value.message
    db.session.rollback()
    assert db.session.query(DeviceJob).count() == 0
