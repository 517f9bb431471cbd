"""The agent API: terminals authenticate with their own token, not a user session.

Contract (hardware/agent.py is the client):
- GET  /agent/api/config               → {"terminal": {...}, "devices": [{name, kind, url, options}]}
- POST /agent/api/poll                 {"health": {...}, "public_key": PEM, "wait": s}
                                       → {"jobs": [{"id", "device", "kind", "payload", "sealed"}]}
                                       400 {"error": 日本語} for a public key that is not an RSA
                                       key of 2048 bits or more in PEM (nothing is stored)
- POST /agent/api/jobs/<id>/result     {"ok": bool, "result": {...}, "error": str|null}
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from werkzeug.wrappers import Response

from app.auth.access import public
from app.devices import jobs, services
from app.devices.models import Terminal
from app.extensions import csrf

bp = Blueprint("agent_api", __name__, url_prefix="/agent/api")
csrf.exempt(bp)


@bp.before_request
def authenticate_terminal() -> None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    terminal = services.terminal_for_token(token)
    if terminal is None:
        abort(401)
    g.terminal = terminal


def _terminal() -> Terminal:
    return g.terminal


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


@bp.route("/config")
@public
def config() -> Response:
    terminal = _terminal()
    return jsonify(
        terminal={"code": terminal.code, "name": terminal.name, "kind": terminal.kind},
        devices=[{"name": b.name, "kind": b.kind, "url": b.url, "options": {}}
                 for b in terminal.bindings if b.active],
    )


@bp.route("/poll", methods=["POST"])
@public
def poll() -> Response | tuple[Response, int]:
    body = _json()
    terminal = _terminal()
    health = body.get("health") if isinstance(body.get("health"), dict) else {}
    key = body.get("public_key")
    try:
        if key is not None and not isinstance(key, str):
            raise jobs.JobError(jobs.BAD_AGENT_KEY, field="public_key")
        jobs.update_health(terminal, health, key)
    except jobs.JobError as exc:
        return jsonify(error=exc.message), 400
    wait = body.get("wait", 20)  # the health is committed with the first look for jobs
    claimed = jobs.claim_or_wait(terminal, float(wait) if isinstance(wait, int | float) else 20.0)
    return jsonify(jobs=[handout.for_agent() for handout in claimed])


@bp.route("/jobs/<int:job_id>/result", methods=["POST"])
@public
def result(job_id: int) -> Response | tuple[Response, int]:
    body = _json()
    try:
        job = jobs.finish(_terminal(), job_id, bool(body.get("ok")),
                          body.get("result") if isinstance(body.get("result"), dict) else None,
                          str(body["error"]) if body.get("error") else None)
    except jobs.JobError as exc:
        return jsonify(error=exc.message), 409
    return jsonify(id=job.id, state=job.state)
