"""The terminal agent: takes device jobs from the server over HTTP and runs them on devices.

``python -m hardware.agent --server URL --token TOKEN [--device NAME=URL ...]``

Protocol (the server side lives in app/devices): every request carries
``Authorization: Bearer <token>``; ``GET /agent/api/config`` gives the terminal and its device
bindings; ``POST /agent/api/poll`` reports device health and the agent's public key and
long-polls for jobs; ``POST /agent/api/jobs/<id>/result`` reports each job. A secret for a job
(a card PIN) arrives in ``sealed``: RSA-OAEP with SHA-256 to the key pair the agent made at
start. The private key lives only in this process's memory, and neither secrets nor card-read
results are ever logged.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hardware.call_board import CallBoardError, open_call_board
from hardware.printer import Document, PrinterOffline, open_printer

log = logging.getLogger("hardware.agent")

DEVICE_KINDS = ("printer", "call_board", "card_reader", "scanner")
SECRET_KINDS = frozenset({"card_read", "card_status"})
OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


class AgentError(Exception):
    pass


class JobError(Exception):
    pass


@dataclass
class DeviceBinding:
    name: str
    kind: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)


class Backoff:
    """Exponential delay between reconnection attempts: 1, 2, 4 … seconds, capped."""

    def __init__(self, initial: float = 1.0, cap: float = 60.0) -> None:
        self.initial = initial
        self.cap = cap
        self.current = 0.0

    def next(self) -> float:
        self.current = min(self.cap, self.current * 2 if self.current else self.initial)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


Handler = Callable[["Agent", DeviceBinding, Mapping[str, Any], "str | None"], dict[str, Any]]


# -- job handlers ---------------------------------------------------------------------------
def run_print(agent: Agent, binding: DeviceBinding, payload: Mapping[str, Any], _: str | None
              ) -> dict[str, Any]:
    document = payload.get("document")
    if not isinstance(document, dict):
        raise JobError("print job payload has no document")
    sent = agent.driver(binding).print_document(Document.from_dict(document))
    return {"bytes": sent}


def run_call_board(agent: Agent, binding: DeviceBinding, payload: Mapping[str, Any],
                   _: str | None) -> dict[str, Any]:
    text = payload.get("text")
    if not isinstance(text, str):
        raise JobError("call board job payload has no text")
    agent.driver(binding).show(text)
    return {"text": text}


def _optional_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise JobError(f"{name} is not available on this terminal: {exc}") from exc


def run_card_read(agent: Agent, binding: DeviceBinding, payload: Mapping[str, Any],
                  pin: str | None) -> dict[str, Any]:
    jobs = _optional_module("hardware.card_reader.agent_jobs")
    return jobs.card_read(binding.url, dict(payload), pin)


def run_card_status(agent: Agent, binding: DeviceBinding, payload: Mapping[str, Any],
                    _: str | None) -> dict[str, Any]:
    jobs = _optional_module("hardware.card_reader.agent_jobs")
    return jobs.card_status(binding.url, dict(payload))


def run_scan(agent: Agent, binding: DeviceBinding, payload: Mapping[str, Any], _: str | None
             ) -> dict[str, Any]:
    jobs = _optional_module("hardware.scanner.agent_jobs")
    return jobs.scan(binding.url, dict(payload))


#: job kind → (device kind it needs, handler)
HANDLERS: dict[str, tuple[str, Handler]] = {
    "print": ("printer", run_print),
    "call_board": ("call_board", run_call_board),
    "card_read": ("card_reader", run_card_read),
    "card_status": ("card_reader", run_card_status),
    "scan": ("scanner", run_scan),
}
OPTIONAL_HEALTH = {
    "card_reader": "hardware.card_reader.agent_jobs",
    "scanner": "hardware.scanner.agent_jobs",
}


# -- the agent ------------------------------------------------------------------------------
class Agent:
    def __init__(
        self,
        server: str,
        token: str,
        overrides: Mapping[str, str] | None = None,
        *,
        poll_wait: int = 20,
        min_poll_interval: float = 1.0,
        max_backoff: float = 60.0,
    ) -> None:
        self.server = server.rstrip("/")
        self.poll_wait = poll_wait
        self.min_poll_interval = min_poll_interval
        self.overrides = dict(overrides or {})
        self.terminal: dict[str, Any] = {}
        self.bindings: dict[str, DeviceBinding] = {}
        self.backoff = Backoff(cap=max_backoff)
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key_pem = (
            self._private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )
        self._drivers: dict[str, tuple[tuple[str, str], Any]] = {}
        self._unsent_results: list[tuple[int, dict[str, Any]]] = []
        self._config_loaded = False
        self._stopping = threading.Event()

    # -- public -------------------------------------------------------------------------
    def run_forever(self) -> None:
        log.info("agent started for %s", self.server)
        try:
            while not self._stopping.is_set():
                self._cycle()
        finally:
            self.close()
            log.info("agent stopped")

    def run_once(self) -> int:
        """One poll: load the configuration if needed, report health, run the jobs."""
        if not self._config_loaded:
            self.load_config()
        self._send_unsent_results()
        jobs = self._poll()
        for job in jobs:
            self._handle(job)
        return len(jobs)

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def close(self) -> None:
        for _, driver in self._drivers.values():
            driver.close()
        self._drivers.clear()
        self._session.close()

    def load_config(self) -> None:
        config = self._request("GET", "/agent/api/config").json()
        self.terminal = dict(config.get("terminal") or {})
        bindings = {
            d["name"]: DeviceBinding(d["name"], d["kind"], d["url"], dict(d.get("options") or {}))
            for d in config.get("devices") or []
        }
        for name, url in self.overrides.items():
            existing = bindings.get(name)
            kind = existing.kind if existing else infer_kind(name, url)
            bindings[name] = DeviceBinding(name, kind, url, existing.options if existing else {})
        self.bindings = bindings
        self._config_loaded = True
        log.info(
            "terminal %s: %s",
            self.terminal.get("code", "?"),
            ", ".join(f"{b.name} ({b.kind}) {b.url}" for b in bindings.values()) or "no devices",
        )

    def health(self) -> dict[str, dict[str, Any]]:
        return {name: self._device_health(b) for name, b in self.bindings.items()}

    def driver(self, binding: DeviceBinding) -> Any:
        key = (binding.url, repr(sorted(binding.options.items())))
        cached = self._drivers.get(binding.name)
        if cached is None or cached[0] != key:
            if binding.kind == "printer":
                made: Any = open_printer(binding.url, binding.options)
            elif binding.kind == "call_board":
                made = open_call_board(binding.url, binding.options)
            else:
                raise JobError(f"no built-in driver for {binding.kind}")
            self._drivers[binding.name] = (key, made)
            return made
        return cached[1]

    def unseal(self, sealed: str) -> str:
        try:
            return self._private_key.decrypt(base64.b64decode(sealed), OAEP).decode("utf-8")
        except (ValueError, TypeError) as exc:
            raise JobError(
                "sealed data could not be opened (sealed to an earlier key of this agent?)"
            ) from exc

    # -- the loop -------------------------------------------------------------------------
    def _cycle(self) -> None:
        started = time.monotonic()
        try:
            handled = self.run_once()
        except (requests.RequestException, AgentError, ValueError, KeyError) as exc:
            delay = self.backoff.next()
            self._config_loaded = False
            log.warning("server not reachable (%s); retrying in %.0f s", _summary(exc), delay)
            self._stopping.wait(delay)
            return
        self.backoff.reset()
        if not handled and time.monotonic() - started < self.min_poll_interval:
            self._stopping.wait(self.min_poll_interval)

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", (10, self.poll_wait + 15))
        response = self._session.request(method, self.server + path, **kwargs)
        if response.status_code in (401, 403):
            raise AgentError(f"the server refused the agent token ({response.status_code})")
        if response.status_code != 200:
            raise AgentError(f"{method} {path} answered {response.status_code}{_refusal(response)}")
        return response

    def _poll(self) -> list[dict[str, Any]]:
        body = {"health": self.health(), "public_key": self.public_key_pem, "wait": self.poll_wait}
        jobs = self._request("POST", "/agent/api/poll", json=body).json().get("jobs") or []
        if not isinstance(jobs, list):
            raise AgentError("poll answer has no job list")
        return jobs

    def _handle(self, job: Mapping[str, Any]) -> None:
        job_id, kind, device = job.get("id"), job.get("kind"), job.get("device")
        ok, result, error = self._execute(job)
        if ok:
            log.info("job %s %s on %s: done", job_id, kind, device)
        elif kind in SECRET_KINDS:
            log.warning("job %s %s on %s: failed", job_id, kind, device)
        else:
            log.warning("job %s %s on %s: failed: %s", job_id, kind, device, error)
        report = {"ok": ok, "result": result, "error": error}
        if not isinstance(job_id, int):
            log.warning("job without an id ignored")
            return
        self._unsent_results.append((job_id, report))
        self._send_unsent_results()

    def _execute(self, job: Mapping[str, Any]) -> tuple[bool, dict[str, Any], str | None]:
        kind, device = job.get("kind"), job.get("device")
        binding = self.bindings.get(str(device))
        if binding is None:
            return False, {}, f"no device named {device!r} on this terminal"
        if kind not in HANDLERS:
            return False, {}, f"unknown job kind {kind!r}"
        device_kind, handler = HANDLERS[str(kind)]
        if binding.kind != device_kind:
            return False, {}, f"{kind} jobs need a {device_kind}, but {device} is a {binding.kind}"
        try:
            secret = self.unseal(job["sealed"]) if job.get("sealed") else None
            result = handler(self, binding, job.get("payload") or {}, secret)
        except Exception as exc:  # a failed job is reported, never allowed to stop the agent
            # device errors that know their own result (tries left, a code) report it
            to_result = getattr(exc, "to_result", None)
            return False, dict(to_result()) if callable(to_result) else {}, _summary(exc)
        finally:
            secret = None
        return True, dict(result or {}), None

    def _send_unsent_results(self) -> None:
        while self._unsent_results:
            job_id, report = self._unsent_results[0]
            self._request("POST", f"/agent/api/jobs/{job_id}/result", json=report)
            self._unsent_results.pop(0)

    def _device_health(self, binding: DeviceBinding) -> dict[str, Any]:
        try:
            if binding.kind in ("printer", "call_board"):
                self.driver(binding).check()
                return {"ok": True, "error": None}
            if binding.kind in OPTIONAL_HEALTH:
                return self._optional_health(binding)
            return {"ok": False, "error": f"unknown device kind {binding.kind!r}"}
        except (PrinterOffline, CallBoardError, JobError, ValueError, OSError) as exc:
            return {"ok": False, "error": _summary(exc)}

    def _optional_health(self, binding: DeviceBinding) -> dict[str, Any]:
        module = _optional_module(OPTIONAL_HEALTH[binding.kind])
        check = getattr(module, "health", None)
        if check is None:
            return {"ok": True, "error": None}
        try:
            answer = dict(check(binding.url))
        except Exception as exc:  # another engineer's driver must not stop the health report
            return {"ok": False, "error": _summary(exc)}
        return {"ok": bool(answer.get("ok")), "error": answer.get("error")}


def _refusal(response: requests.Response) -> str:
    """The server's reason for a refused request (its JSON `error`, in Japanese), for the log."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return f": {str(error)[:300]}" if error else ""


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def infer_kind(name: str, url: str) -> str:
    """Kind of a device added with --device: from the URL scheme, else from its name."""
    scheme = urlsplit(url).scheme
    if scheme.startswith("escpos+"):
        return "printer"
    if scheme == "serial" or scheme.startswith("serial+"):
        return "call_board"
    for kind in DEVICE_KINDS:
        if name == kind or name.startswith(kind):
            return kind
    raise ValueError(f"cannot tell what kind of device {name}={url} is; name it after its kind")


def parse_device_flags(flags: list[str]) -> dict[str, str]:
    devices: dict[str, str] = {}
    for flag in flags:
        name, sep, url = flag.partition("=")
        if not sep or not name or not url:
            raise ValueError(f"--device takes NAME=URL, not {flag!r}")
        devices[name] = url
    return devices


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardware.agent")
    parser.add_argument("--server", required=True, help="the Yakuba server, e.g. http://10.0.0.5")
    parser.add_argument("--token", default=os.environ.get("YAKUBA_AGENT_TOKEN"),
                        help="the terminal's agent token (or set YAKUBA_AGENT_TOKEN)")
    parser.add_argument("--device", action="append", default=[], metavar="NAME=URL",
                        help="bind or override a device locally; may be repeated")
    parser.add_argument("--wait", type=int, default=20, help="long-poll seconds")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token or YAKUBA_AGENT_TOKEN is required")
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        overrides = parse_device_flags(args.device)
    except ValueError as exc:
        parser.error(str(exc))
    agent = Agent(args.server, args.token, overrides, poll_wait=args.wait)

    def _stop(signum: int, frame: FrameType | None) -> None:
        agent.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    agent.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
