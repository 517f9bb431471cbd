"""`flask tasks worker` (the consumer) and `flask tasks recover`."""

from __future__ import annotations

import json
import logging

import click
from flask import Flask
from flask.cli import AppGroup

from app.config import settings
from app.extensions import db
from app.tasks import engine, services

tasks_cli = AppGroup("tasks", help="背景処理（タスクキュー）")
READY = "Yakuba task consumer started ("


@tasks_cli.command("worker")
@click.option("--workers", type=int, default=None, help="同時に実行する処理の数（既定: TASK_WORKERS）")
@click.option("--no-periodic", is_flag=True, help="定期処理を起動しない（2台目以降のコンシューマ）")
def worker(workers: int | None, no_periodic: bool) -> None:
    """Run the task consumer until stopped (Ctrl+C or SIGTERM finish the running work first)."""
    huey = engine.huey()
    if huey.immediate:
        raise click.ClickException("TASK_QUEUE_URL=immediate ではコンシューマを起動できません。")
    _log_to_stderr()
    ids = services.recover()
    db.session.commit()
    if ids:
        click.echo(f"未完了の処理を再投入しました: {ids}")
    if not no_periodic:
        for job in engine.PERIODIC.values():
            if job.at_start:
                engine.run_periodic(job)
    count = workers or settings().TASK_WORKERS
    consumer = huey.create_consumer(workers=count, worker_type="thread", periodic=not no_periodic,
                                    check_worker_health=True)
    click.echo(f"{READY} {type(huey.storage).__name__}, {count} workers"
               f"{'' if no_periodic else ', scheduled work'})", err=True)
    consumer.run()


def _log_to_stderr() -> None:
    """The tasks' own lines (never personal data: ids and kinds only) and the queue's warnings
    (a line per task run would drown the console of `make run`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name, level in (("huey", logging.WARNING), ("app", logging.INFO)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


@tasks_cli.command("recover")
def recover() -> None:
    """Queue again what a dead consumer or a lost message left behind."""
    ids = services.recover()
    db.session.commit()
    click.echo(json.dumps({"requeued": ids}))


def init_app(app: Flask) -> None:
    app.cli.add_command(tasks_cli)
