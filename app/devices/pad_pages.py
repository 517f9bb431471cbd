"""The visitor-facing PIN pad's pages (issue 15 §1): the card's PIN belongs to its holder, who
types it on a screen facing them — the counter's second screen (/devices/pad) or, for the
simulator, /devices/sim. Shared by both blueprints."""

from __future__ import annotations

from typing import Any

from flask import abort, request, url_for

from app.devices import card, jobs
from app.devices.models import Terminal
from app.web.htmx import page_or_fragment


def pad_view(terminal: Terminal | None, endpoints: tuple[str, str], error: str = "", status: int = 200,
             **args: Any) -> tuple[str, int]:
    """The pad's screen, or (polled, or answering a PIN) its fragment; `endpoints` are the
    pad's own GET and its PIN's POST. Never shows a PIN."""
    return page_or_fragment("devices/pad.html", "devices/_pin_pad.html", **pad_context(terminal, endpoints, **args),
                            pad_error=error), status


def pad_context(terminal: Terminal | None, endpoints: tuple[str, str], **args: Any) -> dict[str, Any]:
    """What templates/devices/_pin_pad.html needs (also for the simulator's page)."""
    return {"terminal": terminal, "pad": card.pad_state(terminal) if terminal else card.PadState(None),
            "poll_url": url_for(endpoints[0], **args), "post_endpoint": endpoints[1], "post_args": args}


def answer_pad(terminal: Terminal | None, job_id: int, endpoints: tuple[str, str], **args: Any) -> tuple[str, int]:
    """The PIN the visitor typed on the pad goes sealed into the read; a refusal says why
    without the PIN, and the pad asks again."""
    job = card.pad_job(job_id, terminal) if terminal else None
    if job is None:
        abort(404)
    try:
        card.enter_pin(job, request.form.get("pin", ""))
    except jobs.JobError as exc:
        return pad_view(terminal, endpoints, exc.message, 422, **args)
    return pad_view(terminal, endpoints, **args)
