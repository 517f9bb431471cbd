"""The device-job queue between the server and the terminals' agents (DESIGN "Hardware").

Nothing is lost: a job stays in the table until it is done, failed for good, or cancelled by a
person; a print job whose printer is off goes back to the queue and is tried again, and a job
whose agent vanished mid-way is queued again when its lease runs out.
"""

from __future__ import annotations

import base64
import queue
import time
from contextlib import suppress
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import func, select, update

from app.auth import audit
from app.core import events
from app.devices.models import DeviceBinding, DeviceJob, Terminal
from app.extensions import db
from app.timeutil import now

LEASE = timedelta(seconds=60)
RETRYING_KINDS = frozenset({"print", "call_board"})
MAX_BACKOFF_SECONDS = 30


class JobError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def terminal_channel(terminal_id: int) -> str:
    return f"jobs:{terminal_id}"


def job_channel(job_id: int) -> str:
    return f"job:{job_id}"


def binding(terminal: Terminal, device: str) -> DeviceBinding | None:
    return db.session.scalar(select(DeviceBinding).where(
        DeviceBinding.terminal_id == terminal.id, DeviceBinding.name == device,
        DeviceBinding.active.is_(True)))


def _seal(terminal: Terminal, secret: str) -> bytes:
    if not terminal.agent_public_key:
        raise JobError(f"端末「{terminal.name}」のエージェントが接続していません。"
                       "端末を起動してから再度お試しください。")
    key = serialization.load_pem_public_key(terminal.agent_public_key.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise JobError("端末のエージェント鍵が不正です。エージェントを再起動してください。")
    return key.encrypt(secret.encode(), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))


def enqueue(terminal: Terminal, device: str, kind: str, payload: dict[str, Any], *,
            summary: str = "", secret: str | None = None, user_id: int | None = None) -> DeviceJob:
    """Queue work for a terminal's device. `secret` (a PIN) is sealed to the agent's key."""
    bound = binding(terminal, device)
    if bound is None:
        raise JobError(f"端末「{terminal.name}」に機器「{device}」が設定されていません。")
    job = DeviceJob(
        terminal_id=terminal.id, device=device, kind=kind, payload=payload, summary=summary[:200],
        retry=kind in RETRYING_KINDS, sealed=_seal(terminal, secret) if secret else None,
        created_by_id=user_id, not_before=now(),
    )
    db.session.add(job)
    db.session.flush()
    events.publish(terminal_channel(terminal.id), {"job": job.id})
    return job


def _requeue_expired(terminal_id: int) -> None:
    db.session.execute(
        update(DeviceJob)
        .where(DeviceJob.terminal_id == terminal_id, DeviceJob.state == "claimed",
               DeviceJob.lease_expires_at < now())
        .values(state="queued", lease_expires_at=None,
                error="エージェントの応答がないため再度待機中にしました。")
    )


def claim(terminal: Terminal, limit: int = 10) -> list[DeviceJob]:
    """Take the terminal's ready jobs, oldest first. Row locks keep two agents (or two
    server processes) from taking the same job on PostgreSQL; SQLite serialises writers."""
    _requeue_expired(terminal.id)
    query = (
        select(DeviceJob)
        .where(DeviceJob.terminal_id == terminal.id, DeviceJob.state == "queued",
               DeviceJob.not_before <= now())
        .order_by(DeviceJob.id).limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(db.session.scalars(query))
    for job in jobs:
        job.state = "claimed"
        job.attempts += 1
        job.lease_expires_at = now() + LEASE
    return jobs


def claim_or_wait(terminal: Terminal, wait_seconds: float) -> list[DeviceJob]:
    """Long poll: claim jobs, or wait for one to be queued, up to `wait_seconds`.

    This owns its transactions: each empty look ends its transaction at once (on SQLite an
    open transaction would hold the write lock), and the wait rests on the event publisher
    with a re-check every second for leases and retry times that run out on their own.
    """
    deadline = time.monotonic() + max(0.0, min(wait_seconds, 25.0))
    terminal_id = terminal.id
    with events.subscribe([terminal_channel(terminal_id)]) as inbox:
        while True:
            jobs = claim(db.session.get_one(Terminal, terminal_id))
            db.session.commit()
            remaining = deadline - time.monotonic()
            if jobs or remaining <= 0:
                return jobs
            with suppress(queue.Empty):  # nothing new: look again anyway
                inbox.get(timeout=min(1.0, remaining))


def finish(terminal: Terminal, job_id: int, ok: bool, result: dict[str, Any] | None,
           error: str | None) -> DeviceJob:
    job = db.session.get(DeviceJob, job_id)
    if job is None or job.terminal_id != terminal.id:
        raise JobError("この端末のジョブではありません。")
    if job.state != "claimed":
        raise JobError(f"ジョブ{job.id}は処理中ではありません（{job.state_label}）。")
    job.lease_expires_at = None
    if job.payload.get("abandoned"):
        result = {"abandoned": True}  # nobody waits for it any more: keep no card data
    if ok:
        job.state, job.result, job.error = "done", result or {}, ""
        _close(job)
    elif job.retry:
        backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(job.attempts, 5))
        job.state, job.error = "queued", (error or "不明なエラー")[:2000]
        job.not_before = now() + timedelta(seconds=backoff)
    else:
        job.state, job.result, job.error = "failed", result or {}, (error or "不明なエラー")[:2000]
        _close(job)
    events.publish(job_channel(job.id), {"state": job.state})
    return job


def _close(job: DeviceJob) -> None:
    job.finished_at = now()
    job.sealed = None


def resend(job: DeviceJob) -> None:
    """Queue a job again now (a failed one, or a waiting one without its back-off)."""
    if job.state not in {"queued", "failed", "cancelled"}:
        raise JobError("処理中または完了したジョブは再送できません。")
    if job.sealed is None and job.kind in {"card_read"}:
        raise JobError("暗証番号を伴うジョブは再送できません。もう一度読み取りを行ってください。")
    job.state, job.not_before, job.finished_at = "queued", now(), None
    audit.record("update", "device_job", job.id, "再送")
    events.publish(terminal_channel(job.terminal_id), {"job": job.id})


def reroute(job: DeviceJob, target: Terminal) -> DeviceJob:
    """Send a waiting or failed print job to another terminal's printer instead."""
    if job.kind != "print":
        raise JobError("別のプリンタへ送れるのは印刷ジョブだけです。")
    if job.state not in {"queued", "failed"}:
        raise JobError("待機中または失敗した印刷ジョブだけを別のプリンタへ送れます。")
    copy = enqueue(target, job.device, job.kind, job.payload, summary=job.summary)
    copy.rerouted_from_id = job.id
    job.state, job.error = "cancelled", f"{target.name}へ振替"
    _close(job)
    audit.record("update", "device_job", job.id, f"振替→ジョブ{copy.id}（{target.code}）")
    return copy


def abandon(job: DeviceJob) -> None:
    """The page stopped waiting for a job the agent is still running: whatever it answers
    later is not kept."""
    job.payload = {**job.payload, "abandoned": True}


def cancel(job: DeviceJob) -> None:
    if job.state not in {"queued", "failed"}:
        raise JobError("待機中または失敗したジョブだけを取り消せます。")
    job.state = "cancelled"
    _close(job)
    audit.record("update", "device_job", job.id, "取消")


def wait_for(job_id: int, timeout: float) -> DeviceJob:
    """Wait until a job has ended (done, failed or cancelled), or the timeout; for pages that
    show a result such as a card read.

    Owns its transactions like claim_or_wait: it commits what the caller did first (the agent
    cannot see an uncommitted job anyway) and holds no transaction while it waits. The job it
    returns is read in a fresh transaction that the caller ends.
    """
    db.session.commit()
    deadline = time.monotonic() + timeout
    with events.subscribe([job_channel(job_id)]) as inbox:
        while True:
            job = db.session.get_one(DeviceJob, job_id, populate_existing=True)
            remaining = deadline - time.monotonic()
            if job.state in {"done", "failed", "cancelled"} or remaining <= 0:
                return job
            db.session.rollback()
            with suppress(queue.Empty):
                inbox.get(timeout=min(1.0, remaining))


def update_health(terminal: Terminal, health: dict[str, Any], public_key: str | None) -> None:
    terminal.last_seen_at = now()
    if public_key and public_key != terminal.agent_public_key:
        terminal.agent_public_key = public_key
    for bound in terminal.bindings:
        state = health.get(bound.name)
        if isinstance(state, dict):
            bound.healthy = bool(state.get("ok"))
            bound.last_error = str(state.get("error") or "")[:2000]
            bound.health_at = now()


def sealed_b64(job: DeviceJob) -> str | None:
    return base64.b64encode(job.sealed).decode() if job.sealed else None


def jobs_for(terminal: Terminal, states: tuple[str, ...], limit: int = 50) -> list[DeviceJob]:
    return list(db.session.scalars(
        select(DeviceJob).where(DeviceJob.terminal_id == terminal.id, DeviceJob.state.in_(states))
        .order_by(DeviceJob.id.desc()).limit(limit)))


def summary_by_terminal() -> dict[int, dict[str, int]]:
    """Counts of waiting and failed jobs per terminal, for the overview."""
    rows = db.session.execute(
        select(DeviceJob.terminal_id, DeviceJob.state, func.count())
        .where(DeviceJob.state.in_(("queued", "claimed", "failed")))
        .group_by(DeviceJob.terminal_id, DeviceJob.state))
    summary: dict[int, dict[str, int]] = {}
    for terminal_id, state, count in rows:
        summary.setdefault(terminal_id, {})[state] = count
    return summary
