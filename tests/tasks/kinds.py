"""Kinds of work used only by the engine's tests; `flask --app tests.tasks.kinds` runs a
consumer that knows them."""

from __future__ import annotations

import time
from typing import Any

from huey import crontab

from app import create_app
from app.auth import audit
from app.core.refusal import Refusal
from app.tasks import services as tasks
from app.tasks.engine import periodic

__all__ = ["create_app"]
calls: list[int] = []


@tasks.kind("test.count", title="テスト用の計数", programme="furusato", cancellable=True)
def count(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Counts to n, reporting each step, pausing `sleep` seconds between steps."""
    calls.append(ctx.task_id)
    n = int(ctx.params["n"])
    for i in range(1, n + 1):
        time.sleep(float(ctx.params.get("sleep", 0)))
        ctx.progress(i, n, phase="計数中", unit="件")
    return {"summary": f"{n}件を数えました。", "counted": n}


@tasks.kind("test.refuse", title="テスト用の拒否", programme="counter")
def refuse(ctx: tasks.TaskContext) -> None:
    raise Refusal("3行目の金額が正しくありません。")


@tasks.kind("test.bug", title="テスト用の不具合", programme="counter")
def bug(ctx: tasks.TaskContext) -> None:
    raise ZeroDivisionError("a programming error")


@periodic(crontab(minute="*"), "test.mark", at_start=True)
def mark() -> None:
    """Scheduled work that leaves a trace (an audit row) each time it runs."""
    audit.record("update", "test_schedule", 1, "定期処理を実行", by=None)
