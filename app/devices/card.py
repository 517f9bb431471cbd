"""Reading a My Number card at a counter: the PIN the visitor typed goes sealed to the counter
PC's agent, which reads the card face (券面事項入力補助AP) and answers with name, address, birth
date, sex and only a masked number.

No request waits for the reader (STYLE rule 17): `start_read` queues the job and the page
polls `read_status` (a GET, which only reads). When the agent has answered, the page posts
once more and `take_face` hands the card face over and removes it from the job row, so the
table keeps the card face only between the agent's answer and the page's next poll (and for
a page that was closed, jobs.RESULT_KEPT), and no personal data of the card after that. A
read is never run twice (jobs.ONE_SHOT_KINDS): its sealed PIN leaves the row as the agent
takes it, and when its page gives up, or its agent goes silent, it is cancelled (a read not
yet taken with its sealed PIN wiped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.devices import jobs
from app.devices.models import DeviceJob, JobKind, Terminal, TerminalKind
from app.extensions import db

KIND = JobKind.card_read
READ_TIMEOUT = jobs.PAGE_WAITS[KIND]
PIN_PATTERN = re.compile(r"\d{4}")
CARD_FIELDS = ("name", "address", "birth_date", "sex", "my_number_valid", "my_number_masked")


@dataclass(frozen=True)
class CardReadStatus:
    """What the page shows of a read: `phase` as jobs.phase gives it, and for a failed or
    cancelled read the reader's code, a Japanese message and the PIN tries left."""

    job_id: int
    phase: str
    code: str = ""
    message: str = ""
    tries_left: int | None = None

    @property
    def waiting(self) -> bool:
        return self.phase == "waiting"


def counter_terminal(counter_id: int) -> Terminal | None:
    """The counter PC at a counter (the one whose agent has the card reader)."""
    return db.session.scalar(select(Terminal).where(
        Terminal.counter_id == counter_id, Terminal.kind == TerminalKind.counter_pc, Terminal.active.is_(True)))


def _sex_code(value: Any) -> str:
    """ISO 5218 code from the reader's result; anything else is passed on for the page to refuse."""
    if isinstance(value, dict):
        value = value.get("code")
    return "" if value is None else str(value)


def request_read(terminal: Terminal, by: User, case_id: int) -> DeviceJob:
    """Queue a read of the card in the terminal's reader for a counter case, waiting for the
    visitor to type the PIN on the visitor-facing pad (enter_pin); returns at once. The PIN
    belongs to the card holder: the operator's page never has a field for it (issue 15 §1)."""
    jobs.sealing_key(terminal)  # an agent that cannot take a PIN is said now, not after it is typed
    return jobs.enqueue(terminal, jobs.JobSpec("card_reader", KIND, {"case_id": case_id}, "マイナンバーカード読取",
                                               source_type="case", source_id=case_id), by=by)


def enter_pin(job: DeviceJob, pin: str) -> None:
    """The visitor's PIN from the pad, sealed to the agent's key (never stored plain, never
    logged, never in a message); the read then goes to the agent."""
    if job.kind != KIND:
        raise jobs.JobError("カード読取のジョブではありません。")
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise jobs.JobError("暗証番号は数字4桁で入力してください。")
    jobs.seal_in(job, pin)


def start_read(terminal: Terminal, pin: str, by: User, case_id: int) -> DeviceJob:
    """Queue a read with the PIN already known (the agent API's tests, a pad on the terminal
    itself): request_read and enter_pin at once."""
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise jobs.JobError("暗証番号は数字4桁で入力してください。")
    job = request_read(terminal, by, case_id)
    enter_pin(job, pin)
    return job


@dataclass(frozen=True)
class PadState:
    """What the visitor-facing PIN pad of a counter PC shows: the newest card read there
    (None: nothing asked), where it stands, and the PIN tries left after a wrong PIN."""

    job: DeviceJob | None
    phase: str = ""
    tries_left: int | None = None
    message: str = ""


def pad_state(terminal: Terminal) -> PadState:
    """The pad's screen; reads only (the pad polls it)."""
    latest = db.session.scalars(select(DeviceJob).where(
        DeviceJob.terminal_id == terminal.id, DeviceJob.kind == KIND).order_by(DeviceJob.id.desc()).limit(2)).all()
    if not latest:
        return PadState(None)
    job = latest[0]
    status = read_status(job)
    if status.phase == "pin":  # the tries left after the read before it, if that was a wrong PIN
        before = read_status(latest[1]) if len(latest) > 1 else None
        tries = before.tries_left if before and before.code == "wrong_pin" else None
        return PadState(job, "pin", tries)
    return PadState(job, status.phase, status.tries_left, status.message)


def pad_job(job_id: int, terminal: Terminal) -> DeviceJob | None:
    """A card read of this terminal (what its pad may answer), None for any other job."""
    job = db.session.get(DeviceJob, job_id)
    return job if job is not None and job.kind == KIND and job.terminal_id == terminal.id else None


def read_job(job_id: int, case_id: int, by: User) -> DeviceJob | None:
    """The read `by` started for the case; None for anyone else's or another case's."""
    return jobs.waited_job(job_id, KIND, by, case_id=case_id)


def read_status(job: DeviceJob) -> CardReadStatus:
    """Where the read stands; reads only (the page polls it with GET)."""
    phase = jobs.phase(job)
    if phase == "failed":
        result = job.result or {}
        tries = result.get("tries_left")
        return CardReadStatus(job.id, phase, code=str(result.get("code") or "error"),
                              message=str(result.get("message") or "カードを読み取れませんでした。"),
                              tries_left=tries if isinstance(tries, int) else None)
    if phase == "cancelled":
        return CardReadStatus(job.id, phase, code="timeout", message=_timeout_message(job))
    return CardReadStatus(job.id, phase)


def _timeout_message(job: DeviceJob) -> str:
    if job.error == jobs.NO_PIN:
        return "暗証番号が入力されないまま時間が過ぎたため、読み取りを取り消しました。もう一度読み取ってください。"
    if job.attempts == 0:  # no agent ever took it: the counter PC is off or its agent stopped
        return (f"端末「{job.terminal.name}」のエージェントが応答しません。端末の電源とネットワークを確認し、"
                "もう一度読み取ってください（暗証番号は送られていません）。")
    return ("カードリーダーから応答がありません。カードがリーダーに正しく置かれているか、リーダーの接続を"
            "確認し、もう一度読み取ってください。")


def take_face(job: DeviceJob, by: User) -> dict[str, Any]:
    """The card face of a finished read, handed over once: the job row keeps none of it."""
    result = jobs.take_result(job)
    face = {key: result.get(key) for key in CARD_FIELDS}
    face["sex"] = _sex_code(face["sex"])
    audit.record("read", "my_number_card", job.id, "券面事項の読取（個人番号は保持しない）", by=by)
    return face


def give_up(job: DeviceJob, by: User) -> CardReadStatus:
    """The page stops waiting: the read is cancelled and its sealed PIN wiped (jobs.give_up)."""
    jobs.give_up(job, by)
    return read_status(job)
