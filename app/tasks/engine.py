"""Huey, the task queue, bound to one Flask app (DESIGN "Background work").

One Huey task runs every kind of work: `run_task(task_id)` claims the row and calls the kind's
function (services.run), so the queue's messages hold an id and nothing else. The storage
comes from the setting TASK_QUEUE_URL; the consumer is `flask tasks worker`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from app.config import INSTANCE_DIR, settings
from app.core.dates import now

QUEUE_NAME = "yakuba"
RUN_TASK = "yakuba.run_task"


@dataclass(frozen=True)
class Periodic:
    """Work the consumer starts on a schedule (`when` is asked with the office's time, JST)."""

    name: str
    when: Callable[[datetime], bool]
    fn: Callable[[], Any]
    at_start: bool


PERIODIC: dict[str, Periodic] = {}


def periodic(when: Callable[[datetime], bool], name: str, *, at_start: bool = False
             ) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register scheduled work, e.g. `@periodic(huey.crontab(hour="0", minute="5"), "seal.expire")`.
    The function runs in an app context; its session is committed when it returns. `at_start`
    work also runs when a consumer starts (what a stopped consumer missed is caught up)."""

    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = Periodic(name, when, fn, at_start)
        return fn

    return register


def _storage(url: str) -> Huey:
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        name = query.pop("queue", [QUEUE_NAME])[0]
        rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
        return RedisHuey(name, url=urlunsplit(parts._replace(query=rest)), results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url == "":
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path = INSTANCE_DIR / "tasks.sqlite3"
    else:
        raise ValueError(f"TASK_QUEUE_URL: unsupported storage {url!r} (sqlite:///…, redis://… or immediate)")
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def _in_app(app: Flask, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        with app.app_context():
            return fn(*args)

    run.__name__ = getattr(fn, "__name__", "run")
    return run


def _scheduled(app: Flask, job: Periodic) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            run_periodic(job)

    return run


def run_periodic(job: Periodic) -> None:
    """Run one piece of scheduled work in the current app context, in its own transaction."""
    from app.extensions import db

    try:
        job.fn()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def init_app(app: Flask) -> None:
    from app.tasks import services

    huey = _storage(settings(app).TASK_QUEUE_URL)
    run_task = huey.task(name=RUN_TASK)(_in_app(app, services.run))
    for job in PERIODIC.values():
        huey.periodic_task(lambda _utc, when=job.when: when(now()), name=job.name)(_scheduled(app, job))
    app.extensions["yakuba_huey"] = (huey, run_task)


def huey() -> Huey:
    return current_app.extensions["yakuba_huey"][0]


def send(task_id: int) -> None:
    """Put a task's id on the queue (after its row committed; see services.submit). In the
    immediate mode of unit tests this runs the task here and now, in an app context of its own."""
    current_app.extensions["yakuba_huey"][1](task_id)
