"""Reading a My Number card at a counter: the PIN the visitor typed goes sealed to the counter
PC's agent, which reads the card face (券面事項入力補助AP) and answers with name, address, birth
date, sex and only a masked number. The answer is handed to the page once and then removed
from the job row, so the job table keeps no personal data of the card."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.auth import audit
from app.devices import jobs
from app.devices.models import DeviceJob, Terminal
from app.extensions import db

READ_TIMEOUT_SECONDS = 20.0
PIN_PATTERN = re.compile(r"\d{4}")
CARD_FIELDS = ("name", "address", "birth_date", "sex", "my_number_valid", "my_number_masked")


@dataclass(frozen=True)
class CardReadOutcome:
    ok: bool
    face: dict[str, Any] | None = None
    code: str = ""
    message: str = ""
    tries_left: int | None = None


def counter_terminal(counter_id: int) -> Terminal | None:
    """The counter PC at a counter (the one whose agent has the card reader)."""
    return db.session.scalar(select(Terminal).where(
        Terminal.counter_id == counter_id, Terminal.kind == "counter_pc", Terminal.active.is_(True)))


def _sex_code(value: Any) -> str:
    """ISO 5218 code from the reader's result; anything else is passed on for the page to refuse."""
    if isinstance(value, dict):
        value = value.get("code")
    return "" if value is None else str(value)


def read_card(terminal: Terminal, pin: str, user_id: int | None) -> CardReadOutcome:
    """Read the card in the terminal's reader with the visitor's PIN; waits for the agent."""
    if not PIN_PATTERN.fullmatch(pin or ""):
        return CardReadOutcome(False, code="invalid_pin", message="暗証番号は数字4桁で入力してください。")
    try:
        job = jobs.enqueue(terminal, "card_reader", "card_read", {}, summary="マイナンバーカード読取",
                           secret=pin, user_id=user_id)
    except jobs.JobError as exc:
        return CardReadOutcome(False, code="unavailable", message=exc.message)
    job_id = job.id
    finished = jobs.wait_for(job_id, READ_TIMEOUT_SECONDS)
    return _take_outcome(finished)


def _take_outcome(job: DeviceJob) -> CardReadOutcome:
    result = dict(job.result or {})
    if job.state == "done":
        face = {key: result.get(key) for key in CARD_FIELDS}
        face["sex"] = _sex_code(face["sex"])
        job.result = {"read": True}  # the card face goes to the page, not into the table
        audit.record("read", "my_number_card", job.id, "券面事項の読取（個人番号は保持しない）")
        return CardReadOutcome(True, face=face)
    if job.state in {"queued", "claimed"}:
        if job.state == "queued":
            jobs.cancel(job)
        else:
            jobs.abandon(job)
        return CardReadOutcome(False, code="timeout",
                               message="カードリーダーから応答がありません。カードの置き方と端末を確認してください。")
    code = str(result.get("code") or "error")
    message = str(result.get("message") or "カードを読み取れませんでした。")
    tries = result.get("tries_left")
    return CardReadOutcome(False, code=code, message=message,
                           tries_left=tries if isinstance(tries, int) else None)
