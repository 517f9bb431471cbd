"""The device-job queue between the server and the terminals' agents (DESIGN "Hardware").

Nothing is lost: a job stays in the table until it is done, failed for good, or cancelled by a
person; a print job whose printer is off goes back to the queue and is tried again, and a job
whose agent vanished mid-way is queued again when its lease runs out.

No request waits on a device (STYLE rule 17). A page that shows a job's result (a card read,
a seal scan) enqueues the job, answers at once and polls the job's state; it takes the result
with a POST. Such a job has a page wait (PAGE_WAITS): past it the page gives up, and a job that
has not started by then is cancelled instead of handed out. A card read is never run twice
(each run with a wrong PIN spends one of the card's three tries): its sealed PIN leaves its row
as it is handed out, and when its page gives up or its lease runs out it is cancelled (a
queued one with its sealed PIN wiped), and a late answer is dropped.
"""

from __future__ import annotations

import base64
import queue
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import func, null, or_, select, true, update

from app.auth import audit
from app.auth.models import User
from app.core import events
from app.core.dates import now
from app.core.refusal import Refusal
from app.devices.models import DeviceBinding, DeviceJob, JobKind, JobState, Terminal
from app.extensions import db

LEASE = timedelta(seconds=60)
RETRYING_KINDS = frozenset({JobKind.print, JobKind.call_board})
MAX_BACKOFF_SECONDS = 30
#: How long a page waits for a job whose result it shows (card read: the PIN is typed and the
#: card lies on the reader; seal scan: the seal lies on the scanner).
PAGE_WAITS: dict[str, timedelta] = {JobKind.card_read: timedelta(seconds=20), JobKind.scan: timedelta(seconds=30)}
#: Never handed out twice, and one at a time per device: a card read spends a PIN try.
ONE_SHOT_KINDS = frozenset({JobKind.card_read})
#: How long a card read waits for the visitor to type the PIN on the visitor-facing pad (issue
#: 15 §1): until then it has no sealed PIN and no agent is given it.
PIN_WAIT = timedelta(minutes=2)
NO_PIN = "暗証番号が入力されなかったため取り消しました。"
#: What a taken result is replaced with: the page has it, the table keeps none of it.
TAKEN: dict[str, Any] = {"taken": True}
#: How long a waited-for job's result (a card face, a seal's image) waits in its row for its page,
#: which takes it within a second or two; a result its page never took (the page was closed) is
#: wiped after that, so no card face stays in the table for a page that is gone.
RESULT_KEPT = timedelta(minutes=2)


class JobError(Refusal):
    """A device job that cannot be queued, taken or changed."""


def terminal_channel(terminal_id: int) -> str:
    return f"jobs:{terminal_id}"


def job_channel(job_id: int) -> str:
    return f"job:{job_id}"


def binding(terminal: Terminal, device: str) -> DeviceBinding | None:
    return db.session.scalar(select(DeviceBinding).where(
        DeviceBinding.terminal_id == terminal.id, DeviceBinding.name == device,
        DeviceBinding.active.is_(True)))


#: The agent's public key: RSA in PEM, long enough to seal a PIN with OAEP-SHA256 (hardware/agent.py
#: makes a 2048-bit one at each start); a PEM of that size is under 1 KiB.
MIN_KEY_BITS = 2048
MAX_KEY_CHARS = 16 * 1024
BAD_AGENT_KEY = (f"エージェントの公開鍵が不正です。PEM形式のRSA公開鍵（{MIN_KEY_BITS}ビット以上）を送ってください。"
                 "公開鍵は保存していません。")


def agent_key(pem: str) -> rsa.RSAPublicKey:
    """The agent's public key from its PEM text; refused (JobError) unless it is an RSA key of
    MIN_KEY_BITS or more, so that no key stored for a terminal breaks a card read later."""
    key = None
    if len(pem) <= MAX_KEY_CHARS:
        with suppress(ValueError, TypeError, UnsupportedAlgorithm):  # not PEM, not a key, unknown kind
            key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
        raise JobError(BAD_AGENT_KEY, field="public_key")
    return key


def _seal(terminal: Terminal, secret: str) -> bytes:
    return sealing_key(terminal).encrypt(secret.encode(), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))


def sealing_key(terminal: Terminal) -> rsa.RSAPublicKey:
    """The key a secret for the terminal's agent is sealed to; refused while it has none."""
    if not terminal.agent_public_key:
        raise JobError(f"端末「{terminal.name}」のエージェントが接続していません。"
                       "端末を起動してから再度お試しください。")
    try:
        key = agent_key(terminal.agent_public_key)
    except JobError:  # stored before keys were checked, or by hand
        raise JobError(f"端末「{terminal.name}」のエージェントの鍵が不正なため、暗証番号を送れません。"
                       "端末のエージェントを再起動してから、もう一度読み取ってください"
                       "（暗証番号は送られていません）。") from None
    return key


@dataclass(frozen=True)
class JobSpec:
    """What a job does: the terminal's `device` (a binding's name) runs `kind` with `payload`.
    `summary` is what people see of it; `source_type` and `source_id` name the object it is
    for (a payment's receipt, a ticket), so that object's page finds its job."""

    device: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    source_type: str = ""
    source_id: int | None = None


def enqueue(terminal: Terminal, spec: JobSpec, *, secret: str | None = None,
            by: User | None = None) -> DeviceJob:
    """Queue work for a terminal's device. `secret` (a PIN) is sealed to the agent's key."""
    bound = binding(terminal, spec.device)
    if bound is None:
        raise JobError(f"端末「{terminal.name}」に機器「{spec.device}」が設定されていません。")
    job = DeviceJob(
        terminal_id=terminal.id, device=spec.device, kind=spec.kind, payload=spec.payload,
        summary=spec.summary[:200], source_type=spec.source_type, source_id=spec.source_id,
        retry=spec.kind in RETRYING_KINDS, sealed=_seal(terminal, secret) if secret else None,
        created_by_id=by.id if by else None, not_before=now(),
    )
    db.session.add(job)
    db.session.flush()
    events.publish(terminal_channel(terminal.id), {"job": job.id})
    return job


def end_expired(terminal_id: int | None = None) -> None:
    """Leases and page waits that ran out: a one-shot job whose agent went silent is cancelled
    (its PIN wiped), any other is queued again; a waited-for job its page gave up on is not
    started any more, and one whose result its page never took loses the result. For one
    terminal when its agent polls; for all of them as scheduled work (app/devices/tasks.py), so
    a sealed PIN does not wait in its row for an agent that is down."""
    moment = now()
    terminal = DeviceJob.terminal_id == terminal_id if terminal_id is not None else true()
    expired = (terminal, DeviceJob.state == JobState.claimed, DeviceJob.lease_expires_at < moment)
    db.session.execute(
        update(DeviceJob).where(*expired, DeviceJob.kind.in_(sorted(ONE_SHOT_KINDS)))
        .values(state=JobState.cancelled, sealed=None, lease_expires_at=None, finished_at=moment,
                error="エージェントの応答がないため取り消しました（再実行しません）。"))
    db.session.execute(
        update(DeviceJob).where(*expired, DeviceJob.kind.not_in(sorted(ONE_SHOT_KINDS)))
        .values(state=JobState.queued, lease_expires_at=None,
                error="エージェントの応答がないため再度待機中にしました。"))
    for kind, wait in PAGE_WAITS.items():
        db.session.execute(
            update(DeviceJob)
            .where(terminal, DeviceJob.state == JobState.queued, _has_its_secret(),
                   DeviceJob.kind == kind, DeviceJob.created_at <= moment - wait)
            .values(state=JobState.cancelled, sealed=None, finished_at=moment,
                    error="画面の待ち時間を過ぎたため取り消しました。"))
    db.session.execute(
        update(DeviceJob)
        .where(terminal, DeviceJob.state == JobState.queued, ~_has_its_secret(),
               DeviceJob.created_at <= moment - PIN_WAIT)
        .values(state=JobState.cancelled, finished_at=moment, error=NO_PIN))
    db.session.execute(
        update(DeviceJob)
        .where(terminal, DeviceJob.state == JobState.done, DeviceJob.kind.in_(sorted(PAGE_WAITS)),
               DeviceJob.finished_at <= moment - RESULT_KEPT, DeviceJob.result["taken"].as_boolean().is_not(True))
        .values(state=JobState.cancelled, result=null(),
                error="画面が結果を受け取らなかったため、結果を破棄しました。"))


def _has_its_secret() -> Any:
    """A job that may go to its agent: a one-shot job (a card read) only once its PIN is sealed in."""
    return or_(DeviceJob.kind.not_in(sorted(ONE_SHOT_KINDS)), DeviceJob.sealed.is_not(None))


def awaits_secret(job: DeviceJob) -> bool:
    """A card read waiting for the visitor's PIN on the pad (no agent has it yet)."""
    return job.state == JobState.queued and job.kind in ONE_SHOT_KINDS and job.sealed is None


def seal_in(job: DeviceJob, secret: str) -> None:
    """The visitor typed the PIN: seal it to the agent's key, and hand the read to the agent.
    The page's wait for the reader starts now (created_at), not when the PIN was asked for."""
    if not awaits_secret(job):
        raise JobError("この読み取りは暗証番号の入力を待っていません（取り消されたか、終わっています）。")
    job.sealed = _seal(job.terminal, secret)
    job.created_at = job.not_before = now()
    events.publish(terminal_channel(job.terminal_id), {"job": job.id})


@dataclass(frozen=True)
class Handout:
    """A job as it goes to its agent. A one-shot job's sealed PIN goes with it and leaves its row
    in the same transaction: the job is never handed out again, so the table has no use for it."""

    job: DeviceJob
    sealed: bytes | None

    def for_agent(self) -> dict[str, Any]:
        job = self.job
        return {"id": job.id, "device": job.device, "kind": job.kind, "payload": job.payload,
                "sealed": base64.b64encode(self.sealed).decode() if self.sealed else None}


def claim(terminal: Terminal, limit: int = 10) -> list[Handout]:
    """Take the terminal's ready jobs, oldest first. Row locks keep two agents (or two
    server processes) from taking the same job on PostgreSQL; SQLite serialises writers.

    A one-shot job (a card read) goes out only while no other is out on the same device: the
    agent runs its jobs one after another, and a read handed out behind others could start
    after its page gave up, with a PIN nobody waits for any more."""
    end_expired(terminal.id)
    query = (
        select(DeviceJob)
        .where(DeviceJob.terminal_id == terminal.id, DeviceJob.state == JobState.queued,
               DeviceJob.not_before <= now(), _has_its_secret())
        .order_by(DeviceJob.id).limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    busy = set(db.session.scalars(select(DeviceJob.device).where(
        DeviceJob.terminal_id == terminal.id, DeviceJob.state == JobState.claimed,
        DeviceJob.kind.in_(sorted(ONE_SHOT_KINDS)))))
    jobs = []
    for job in db.session.scalars(query):
        if job.kind in ONE_SHOT_KINDS:
            if job.device in busy:
                continue
            busy.add(job.device)
        job.state = JobState.claimed
        job.attempts += 1
        job.lease_expires_at = now() + LEASE
        jobs.append(Handout(job, job.sealed))
        if job.kind in ONE_SHOT_KINDS:
            job.sealed = None
    return jobs


def claim_or_wait(terminal: Terminal, wait_seconds: float) -> list[Handout]:
    """Long poll: claim jobs, or wait for one to be queued, up to `wait_seconds`.

    This owns its transactions: each empty look ends its transaction at once (on SQLite an
    open transaction would hold the write lock), the first one with what the request wrote
    before it (the agent's health: one commit, not two), and the wait rests on the event publisher
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
    """The agent's answer. A job cancelled while the agent ran it (its page gave up, its lease
    ran out) keeps nothing of the answer: no card data is stored for a page that is gone, and
    the agent is not told to send it again."""
    job = db.session.get(DeviceJob, job_id)
    if job is None or job.terminal_id != terminal.id:
        raise JobError("この端末のジョブではありません。")
    if job.state == JobState.cancelled:
        return job
    if job.state != JobState.claimed:
        raise JobError(f"ジョブ{job.id}は処理中ではありません（{job.state.label}）。")
    job.lease_expires_at = None
    if ok:
        job.state, job.result, job.error = JobState.done, result or {}, ""
        _close(job)
    elif job.retry:
        backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(job.attempts, 5))
        job.state, job.error = JobState.queued, (error or "不明なエラー")[:2000]
        job.not_before = now() + timedelta(seconds=backoff)
    else:
        job.state, job.result, job.error = JobState.failed, result or {}, (error or "不明なエラー")[:2000]
        _close(job)
    events.publish(job_channel(job.id), {"state": job.state})
    return job


def _close(job: DeviceJob) -> None:
    job.finished_at = now()
    job.sealed = None


def resend(job: DeviceJob, by: User | None = None) -> None:
    """Queue a job again now (a failed one, or a waiting one without its back-off)."""
    if job.state not in {JobState.queued, JobState.failed, JobState.cancelled}:
        raise JobError("処理中または完了したジョブは再送できません。")
    if job.kind in PAGE_WAITS:
        raise JobError("読み取りのジョブは再送できません。窓口の画面からもう一度読み取りを行ってください。")
    job.state, job.not_before, job.finished_at = JobState.queued, now(), None
    audit.record("update", "device_job", job.id, "再送", by=by)
    events.publish(terminal_channel(job.terminal_id), {"job": job.id})


def reroute(job: DeviceJob, target: Terminal, by: User | None = None) -> DeviceJob:
    """Send a waiting or failed print job to another terminal's printer instead."""
    if job.kind != JobKind.print:
        raise JobError("別のプリンタへ送れるのは印刷ジョブだけです。")
    if job.state not in {JobState.queued, JobState.failed}:
        raise JobError("待機中または失敗した印刷ジョブだけを別のプリンタへ送れます。")
    copy = enqueue(target, JobSpec(job.device, job.kind, job.payload, job.summary, job.source_type, job.source_id),
                   by=by)
    copy.rerouted_from_id = job.id
    job.state, job.error = JobState.cancelled, f"{target.name}へ振替"
    _close(job)
    audit.record("update", "device_job", job.id, f"振替→ジョブ{copy.id}（{target.code}）", by=by)
    return copy


def cancel(job: DeviceJob, by: User | None = None) -> None:
    if job.state not in {JobState.queued, JobState.failed}:
        raise JobError("待機中または失敗したジョブだけを取り消せます。")
    job.state = JobState.cancelled
    _close(job)
    audit.record("update", "device_job", job.id, "取消", by=by)


# -- jobs a page waits for -------------------------------------------------------------------

def deadline(job: DeviceJob) -> datetime:
    """Until when its page waits for the job (a card read: for the PIN, then for the reader)."""
    return job.created_at + (PIN_WAIT if awaits_secret(job) else PAGE_WAITS[job.kind])


def phase(job: DeviceJob) -> str:
    """Where a waited-for job stands, for its page; reads only (a GET polls it):
    pin (a card read waiting for the visitor's PIN), waiting, overdue (the page should give
    up), ready (a result to take), taken, failed, cancelled."""
    if job.state in {JobState.queued, JobState.claimed}:
        if now() >= deadline(job):
            return "overdue"
        return "pin" if awaits_secret(job) else "waiting"
    if job.state == JobState.done:
        return "taken" if job.result == TAKEN else "ready"
    return job.state


def waited_job(job_id: int, kind: str, by: User, **payload: Any) -> DeviceJob | None:
    """A job of `kind` that `by` started for the object named in `payload` (say case_id=3);
    None for any other, so a page reaches only its own reads."""
    job = db.session.get(DeviceJob, job_id)
    if job is None or job.kind != kind or job.created_by_id != by.id:
        return None
    if any(job.payload.get(key) != value for key, value in payload.items()):
        return None
    return job


def take_result(job: DeviceJob) -> dict[str, Any]:
    """Hand a finished job's result to its page once, and keep none of it in the row."""
    if phase(job) != "ready":
        raise JobError("この読み取りの結果はすでに反映したか、まだ届いていません。")
    result = dict(job.result or {})
    job.result = dict(TAKEN)
    return result


def give_up(job: DeviceJob, by: User) -> None:
    """The page stopped waiting (its wait ran out, or the operator stopped it): a job not ended
    yet is cancelled and its secret wiped, so it never runs later; if the agent is running it
    just now, its answer is dropped (finish)."""
    if job.kind not in PAGE_WAITS:
        raise JobError("画面で結果を待つジョブではありません。")
    if job.state not in {JobState.queued, JobState.claimed}:
        return
    started = job.state == JobState.claimed
    no_pin = awaits_secret(job)
    job.state, job.lease_expires_at = JobState.cancelled, None
    job.error = NO_PIN if no_pin else "画面が待つのをやめたため取り消しました。"
    _close(job)
    audit.record("update", "device_job", job.id, "画面の待機終了で取消" + ("（実行中）" if started else ""), by=by)


#: How stale a terminal's "last seen" and a device's health time may grow before a poll writes
#: them again when nothing else changed: an agent polls many times a second when it is busy,
#: and on SQLite each of those writes was a commit and a disk sync that the next job's claim
#: waited behind (issue 22). Far below what the pages judge by (displays.LIVE_WITHIN).
SEEN_EVERY = timedelta(seconds=5)


def update_health(terminal: Terminal, health: dict[str, Any], public_key: str | None) -> None:
    """What the agent reports as it polls. A public key that cannot seal a PIN is refused
    (JobError) before anything of the report is stored. A device whose state changed is written
    at once; the times only once they are SEEN_EVERY old."""
    if public_key:  # checked also when it is the one stored: that may be from before the check
        agent_key(public_key)
        if public_key != terminal.agent_public_key:
            terminal.agent_public_key = public_key
    moment = now()
    if terminal.last_seen_at is None or moment - terminal.last_seen_at >= SEEN_EVERY:
        terminal.last_seen_at = moment
    for bound in terminal.bindings:
        state = health.get(bound.name)
        if isinstance(state, dict):
            healthy, error = bool(state.get("ok")), str(state.get("error") or "")[:2000]
            if (healthy, error) != (bound.healthy, bound.last_error) or bound.health_at is None \
                    or moment - bound.health_at >= SEEN_EVERY:
                bound.healthy, bound.last_error, bound.health_at = healthy, error, moment


def jobs_for(terminal: Terminal, states: tuple[JobState, ...], limit: int = 50) -> list[DeviceJob]:
    return list(db.session.scalars(
        select(DeviceJob).where(DeviceJob.terminal_id == terminal.id, DeviceJob.state.in_(states))
        .order_by(DeviceJob.id.desc()).limit(limit)))


@dataclass(frozen=True)
class TerminalJobs:
    waiting: list[DeviceJob]  # queued or being run
    failed: list[DeviceJob]
    finished: list[DeviceJob]  # the latest done or cancelled


def terminal_jobs(terminal: Terminal) -> TerminalJobs:
    """A terminal's jobs as its page lists them."""
    return TerminalJobs(waiting=jobs_for(terminal, (JobState.queued, JobState.claimed)),
                        failed=jobs_for(terminal, (JobState.failed,)),
                        finished=jobs_for(terminal, (JobState.done, JobState.cancelled), limit=20))


def can_change(job: DeviceJob) -> bool:
    """Whether a person may resend or cancel the job (it waits, or it failed)."""
    return job.state in {JobState.queued, JobState.failed}


def can_reroute(job: DeviceJob) -> bool:
    """Whether the job may go to another terminal's printer instead."""
    return job.kind == JobKind.print and can_change(job)


def latest_for(source_type: str, source_id: int, kind: str) -> DeviceJob | None:
    """The newest job of `kind` for an object (a payment's receipt, say)."""
    return db.session.scalar(
        select(DeviceJob).where(DeviceJob.source_type == source_type, DeviceJob.source_id == source_id,
                                DeviceJob.kind == kind)
        .order_by(DeviceJob.id.desc()).limit(1))


@dataclass(frozen=True)
class JobCounts:
    waiting: int = 0  # queued or being run
    failed: int = 0


def summary_by_terminal() -> dict[int, JobCounts]:
    """Counts of waiting and failed jobs per terminal, for the overview."""
    rows = db.session.execute(
        select(DeviceJob.terminal_id, DeviceJob.state, func.count())
        .where(DeviceJob.state.in_((JobState.queued, JobState.claimed, JobState.failed)))
        .group_by(DeviceJob.terminal_id, DeviceJob.state))
    counts: dict[int, dict[str, int]] = {}
    for terminal_id, state, count in rows:
        counts.setdefault(terminal_id, {})[state] = count
    return {terminal_id: JobCounts(waiting=c.get(JobState.queued, 0) + c.get(JobState.claimed, 0),
                                   failed=c.get(JobState.failed, 0))
            for terminal_id, c in counts.items()}
