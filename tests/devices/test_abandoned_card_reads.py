"""Abandoned card reads (issue #14 §4): a card read is never run twice. Each run with a wrong
PIN spends one of the card's three tries, so a read handed out again after its lease (say 62 s
later, with the PIN sealed in it) could block the visitor's card. When its page gives up or its
lease runs out, the read is cancelled and its sealed PIN wiped; a late answer is dropped.

Spoken over HTTP as the agent speaks it, with a key pair of the test's own: the agent whose
answer or connection got lost is the same agent, with the same key, polling again."""

from __future__ import annotations

import base64
import itertools
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import text

from app.auth import services as auth
from app.core.dates import now
from app.devices import card, jobs, services
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from tests.conftest import PASSWORD

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
PIN = "4321"
_users = itertools.count(1)


@pytest.fixture
def reader(client) -> tuple[Terminal, str, rsa.RSAPrivateKey]:
    """A counter PC with a card reader whose agent has polled once with its public key."""
    terminal, token = services.create_terminal(services.NewTerminal("counter-14", "14番窓口 端末", "counter_pc"))
    services.save_binding(terminal, services.BindingInput("card_reader", "card_reader", "sim://counter-14"))
    db.session.commit()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert _poll(client, token, public_key=pem) == []
    db.session.expire_all()
    return terminal, token, key


def _poll(client, token: str, **body) -> list[dict]:
    response = client.post("/agent/api/poll", json={"health": {}, "wait": 0, **body},
                           headers={"Authorization": f"Bearer {token}"}, csrf=False)
    assert response.status_code == 200
    return response.get_json()["jobs"]


def _answer(client, token: str, job_id: int, **report):
    return client.post(f"/agent/api/jobs/{job_id}/result", json=report,
                       headers={"Authorization": f"Bearer {token}"}, csrf=False)


def _read(terminal: Terminal) -> int:
    """A card read as the counter page queues it (the PIN sealed to the agent's key)."""
    user = auth.create_user(f"op-{next(_users)}", "窓口 太郎", "operator", PASSWORD)
    job = jobs.enqueue(terminal, jobs.JobSpec("card_reader", "card_read", {"case_id": 1}, "マイナンバーカード読取"),
                       secret=PIN,
                       by=user)
    db.session.commit()
    return job.id


def _job(job_id: int) -> DeviceJob:
    db.session.expire_all()
    return db.session.get_one(DeviceJob, job_id)


def _lease_runs_out() -> None:
    db.session.execute(text("UPDATE device_jobs SET lease_expires_at = :t"), {"t": now() - timedelta(seconds=2)})
    db.session.commit()


def test_a_read_whose_lease_ran_out_is_not_handed_out_again_with_its_pin(client, reader) -> None:
    terminal, token, key = reader
    job_id = _read(terminal)
    (claimed,) = _poll(client, token)  # the agent took it; its answer never arrives
    assert key.decrypt(base64.b64decode(claimed["sealed"]), OAEP) == PIN.encode()
    _lease_runs_out()  # 60 s later
    assert _poll(client, token) == []  # the PIN is not sent a second time
    job = _job(job_id)
    assert (job.state, job.sealed, job.attempts) == ("cancelled", None, 1)
    # the answer that was late after all is dropped, and the agent is not told to send it again
    late = _answer(client, token, job_id, ok=True, result={"name": "山彦\u3000太郎"})
    assert (late.status_code, late.get_json()["state"]) == (200, "cancelled")
    assert _job(job_id).result is None


def test_a_read_handed_out_keeps_no_sealed_pin_in_its_row(client, reader) -> None:
    """The agent has the PIN now, and the read never goes out again: the row has no use for it."""
    terminal, token, key = reader
    job_id = _read(terminal)
    assert _job(job_id).sealed  # queued: sealed to the agent's key, waiting for it
    (claimed,) = _poll(client, token)
    assert key.decrypt(base64.b64decode(claimed["sealed"]), OAEP) == PIN.encode()
    assert (_job(job_id).state, _job(job_id).sealed) == ("claimed", None)


def test_a_print_job_whose_lease_ran_out_is_handed_out_again(client, reader) -> None:
    """Nothing is lost: only a one-shot job is never retried."""
    terminal, token, _ = reader
    services.save_binding(terminal, services.BindingInput("printer", "printer", "sim://counter-14"))
    printed = jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {"document": {}}, "番号札")).id
    read = _read(db.session.get_one(Terminal, terminal.id))
    assert sorted(j["id"] for j in _poll(client, token)) == [printed, read]
    _lease_runs_out()
    assert [j["id"] for j in _poll(client, token)] == [printed]
    assert (_job(printed).state, _job(printed).attempts) == ("claimed", 2)
    assert (_job(read).state, _job(read).sealed) == ("cancelled", None)


def test_a_card_face_its_page_never_took_does_not_stay_in_the_table(client, reader) -> None:
    """The page was closed while the reader worked: its answer waits for no one."""
    terminal, token, _ = reader
    face = {"name": "山彦\u3000太郎", "address": "岩手県山彦市本町1番", "birth_date": "1980-05-06", "sex": "1"}
    ids = []
    for _ in range(3):  # one at a time, as the reader takes them
        ids.append(_read(db.session.get_one(Terminal, terminal.id)))
        assert [j["id"] for j in _poll(client, token)] == [ids[-1]]
        assert _answer(client, token, ids[-1], ok=True, result=face).get_json()["state"] == "done"
    abandoned, taken, fresh = ids
    assert jobs.take_result(_job(taken))["name"] == face["name"]
    db.session.execute(text("UPDATE device_jobs SET finished_at = :t WHERE id IN (:a, :b)"),
                       {"t": now() - jobs.RESULT_KEPT - timedelta(seconds=1), "a": abandoned, "b": taken})
    db.session.commit()
    assert _poll(client, token) == []
    assert (_job(abandoned).state, _job(abandoned).result) == ("cancelled", None)
    assert (_job(taken).state, _job(taken).result) == ("done", jobs.TAKEN)
    assert (_job(fresh).state, _job(fresh).result) == ("done", face)  # its page may still take it


def test_a_read_its_page_gave_up_on_while_the_agent_ran_it_is_cancelled_at_once(client, reader) -> None:
    terminal, token, _ = reader
    job_id = _read(terminal)
    assert len(_poll(client, token)) == 1
    job = _job(job_id)
    card.give_up(job, db.session.get_one(auth.User, job.created_by_id))
    db.session.commit()
    job = _job(job_id)
    assert (job.state, job.sealed) == ("cancelled", None)
    _lease_runs_out()
    assert _poll(client, token) == []
    assert _answer(client, token, job_id, ok=False, result={"code": "wrong_pin", "tries_left": 2},
                   error="wrong_pin").status_code == 200
    assert (_job(job_id).state, _job(job_id).result) == ("cancelled", None)


def test_a_read_that_waited_past_its_page_is_never_started(client, reader) -> None:
    terminal, token, _ = reader
    job_id = _read(terminal)
    db.session.execute(text("UPDATE device_jobs SET created_at = :t"),
                       {"t": now() - jobs.PAGE_WAITS["card_read"] - timedelta(seconds=1)})
    db.session.commit()  # the page gave up and was closed before it could say so
    assert _poll(client, token) == []
    assert (_job(job_id).state, _job(job_id).sealed) == ("cancelled", None)


def test_scheduled_work_wipes_the_pin_of_a_read_whose_agent_never_polls_again(client, reader) -> None:
    from app.tasks import engine

    terminal, token, _ = reader
    waiting, taken = _read(terminal), _read(terminal)
    db.session.execute(text("UPDATE device_jobs SET created_at = :t WHERE id = :id"),
                       {"t": now() - jobs.PAGE_WAITS["card_read"] - timedelta(seconds=1), "id": waiting})
    db.session.execute(text("UPDATE device_jobs SET state = 'claimed', lease_expires_at = :t WHERE id = :id"),
                       {"t": now() - timedelta(seconds=2), "id": taken})
    db.session.commit()  # the counter PC was switched off: its agent does not poll any more
    engine.run_periodic(engine.PERIODIC["devices.end_expired_jobs"])
    assert (_job(waiting).state, _job(waiting).sealed) == ("cancelled", None)
    assert (_job(taken).state, _job(taken).sealed) == ("cancelled", None)


def test_reads_go_out_one_at_a_time_so_none_starts_after_its_page_gave_up(client, reader) -> None:
    terminal, token, _ = reader
    first, second = _read(terminal), _read(db.session.get_one(Terminal, terminal.id))
    assert [j["id"] for j in _poll(client, token)] == [first]
    assert _poll(client, token) == []  # the reader is busy with the first
    assert _answer(client, token, first, ok=False, result={"code": "no_card"}, error="no_card").status_code == 200
    assert [j["id"] for j in _poll(client, token)] == [second]


def test_a_read_is_never_re_sent_from_the_terminal_page(client, reader) -> None:
    terminal, _, _ = reader
    job = _job(_read(terminal))
    with pytest.raises(jobs.JobError, match="再送できません"):
        jobs.resend(job)
