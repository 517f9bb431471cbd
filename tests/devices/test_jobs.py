"""The device-job queue and the agent API, spoken over HTTP as the agent speaks it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import func, select, text

from app.core.dates import now
from app.devices import jobs
from app.devices.models import DeviceJob
from app.extensions import db


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _poll(client, token: str, **body):
    return client.post("/agent/api/poll", json={"health": {}, "wait": 0, **body},
                       headers=_auth(token), csrf=False)


def _enqueue(terminal, text_: str = "A-001") -> DeviceJob:
    job = jobs.enqueue(terminal, jobs.JobSpec("printer", "print", {"document": {"lines": [text_]}}, f"番号札 {text_}"))
    db.session.commit()
    return job


def test_agent_needs_its_token(client, terminal_with_printer) -> None:
    assert client.get("/agent/api/config").status_code == 401
    assert client.get("/agent/api/config", headers=_auth("nope")).status_code == 401


def test_agent_gets_its_config(client, terminal_with_printer) -> None:
    _, token = terminal_with_printer
    body = client.get("/agent/api/config", headers=_auth(token)).get_json()
    assert body["terminal"]["code"] == "kiosk-9"
    assert body["devices"] == [{"name": "printer", "kind": "printer", "url": "sim://kiosk-9",
                                "options": {}}]


def test_poll_claims_and_result_finishes(client, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    job = _enqueue(terminal)
    body = _poll(client, token, health={"printer": {"ok": True, "error": None}}).get_json()
    assert [j["id"] for j in body["jobs"]] == [job.id]
    assert _poll(client, token).get_json()["jobs"] == []  # claimed once only
    response = client.post(f"/agent/api/jobs/{job.id}/result", json={"ok": True, "result": {"bytes": 42}},
                           headers=_auth(token), csrf=False)
    assert response.get_json()["state"] == "done"
    db.session.expire_all()
    assert db.session.get(DeviceJob, job.id).result == {"bytes": 42}
    assert terminal.bindings[0].healthy is True


def test_failed_print_stays_queued_and_is_retried(client, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    job = _enqueue(terminal)
    _poll(client, token)
    client.post(f"/agent/api/jobs/{job.id}/result", json={"ok": False, "error": "printer offline"},
                headers=_auth(token), csrf=False)
    db.session.expire_all()
    job = db.session.get(DeviceJob, job.id)
    assert (job.state, job.error, job.attempts) == ("queued", "printer offline", 1)
    assert _poll(client, token).get_json()["jobs"] == []  # backing off
    db.session.execute(text("UPDATE device_jobs SET not_before = :t"), {"t": now() - timedelta(seconds=1)})
    db.session.commit()
    assert [j["id"] for j in _poll(client, token).get_json()["jobs"]] == [job.id]


def test_expired_lease_is_queued_again(client, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    job = _enqueue(terminal)
    _poll(client, token)
    db.session.execute(text("UPDATE device_jobs SET lease_expires_at = :t"), {"t": now() - timedelta(seconds=1)})
    db.session.commit()
    assert [j["id"] for j in _poll(client, token).get_json()["jobs"]] == [job.id]
    db.session.expire_all()
    assert db.session.get(DeviceJob, job.id).attempts == 2


def test_a_card_job_failure_is_final_and_its_secret_is_wiped(client, app, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    from app.devices import services
    services.save_binding(terminal, services.BindingInput("card_reader", "card_reader", "sim://kiosk-9"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    _poll(client, token, public_key=pem)
    db.session.expire_all()
    job = jobs.enqueue(terminal, jobs.JobSpec("card_reader", "card_read", {}), secret="4321")
    db.session.commit()
    assert b"4321" not in job.sealed
    claimed = _poll(client, token).get_json()["jobs"][0]
    import base64
    secret = key.decrypt(base64.b64decode(claimed["sealed"]), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    assert secret == b"4321"
    client.post(f"/agent/api/jobs/{job.id}/result",
                json={"ok": False, "result": {"code": "wrong_pin", "tries_left": 2}, "error": "wrong_pin"},
                headers=_auth(token), csrf=False)
    db.session.expire_all()
    job = db.session.get(DeviceJob, job.id)
    assert (job.state, job.sealed, job.result["tries_left"]) == ("failed", None, 2)


def test_a_secret_needs_a_connected_agent(app, terminal_with_printer) -> None:
    terminal, _ = terminal_with_printer
    from app.devices import services
    services.save_binding(terminal, services.BindingInput("card_reader", "card_reader", "sim://x"))
    with pytest.raises(jobs.JobError, match="エージェントが接続していません"):
        jobs.enqueue(terminal, jobs.JobSpec("card_reader", "card_read", {}), secret="1234")


def test_unknown_device_is_refused(app, terminal_with_printer) -> None:
    terminal, _ = terminal_with_printer
    with pytest.raises(jobs.JobError, match="機器「scanner」が設定されていません"):
        jobs.enqueue(terminal, jobs.JobSpec("scanner", "scan", {}))


def test_another_terminal_cannot_finish_the_job(client, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    from app.devices import services
    _, other_token = services.create_terminal(services.NewTerminal("kiosk-8", "別の発券機", "kiosk"))
    db.session.commit()
    job = _enqueue(terminal)
    _poll(client, token)
    response = client.post(f"/agent/api/jobs/{job.id}/result", json={"ok": True},
                           headers=_auth(other_token), csrf=False)
    assert response.status_code == 409


def test_reroute_resend_and_cancel_from_the_terminal_page(client, login_as, terminal_with_printer) -> None:
    terminal, token = terminal_with_printer
    from app.devices import services
    other, _ = services.create_terminal(services.NewTerminal("register-9", "予備プリンタ", "register"))
    services.save_binding(other, services.BindingInput("printer", "printer", "sim://spare"))
    db.session.commit()
    job = _enqueue(terminal, "A-007")
    login_as("supervisor")
    page = client.get(f"/devices/terminals/{terminal.id}").get_data(as_text=True)
    assert "番号札 A-007" in page and "別のプリンタへ" in page
    client.post(f"/devices/jobs/{job.id}/reroute", data={"target": other.id})
    db.session.expire_all()
    moved = db.session.scalar(select(DeviceJob).where(DeviceJob.rerouted_from_id == job.id))
    assert moved.terminal_id == other.id and moved.state == "queued"
    assert db.session.get(DeviceJob, job.id).state == "cancelled"
    client.post(f"/devices/jobs/{moved.id}/cancel")
    client.post(f"/devices/jobs/{moved.id}/resend")
    db.session.expire_all()
    assert db.session.get(DeviceJob, moved.id).state == "queued"


def test_long_poll_wakes_when_a_job_is_queued(app, terminal_with_printer) -> None:
    import threading
    terminal, _ = terminal_with_printer
    terminal_id = terminal.id
    got: list[list[int]] = []

    def poller() -> None:
        with app.app_context():
            from app.devices.models import Terminal
            found = jobs.claim_or_wait(db.session.get(Terminal, terminal_id), 10)
            got.append([handout.job.id for handout in found])
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=poller)
    thread.start()
    job = _enqueue(terminal)
    thread.join(timeout=15)
    assert got == [[job.id]]


def test_a_refused_job_action_changes_nothing_and_says_why(client, login_as, terminal_with_printer) -> None:
    from app.auth.models import AuditEntry
    from app.devices import services

    terminal, _ = terminal_with_printer
    bare, _ = services.create_terminal(services.NewTerminal("register-8", "プリンタなし", "register"))
    db.session.commit()
    job = _enqueue(terminal, "A-008")
    login_as("supervisor")
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post(f"/devices/jobs/{job.id}/reroute", data={"target": bare.id})
    assert response.status_code == 303
    assert "機器「printer」が設定されていません" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DeviceJob, job.id).state == "queued"
    assert db.session.scalar(select(func.count()).select_from(DeviceJob)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
