"""The donation CSV (004 §7(3)エ): a small one is sent at once, a large one is written by
background work and offered for download when ready. Every request and every download is
audited, with the conditions, before the first byte leaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Refusal
from app.furusato import search
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState

KIND = "furusato.export"
INLINE_ROWS = 5_000  # up to this many rows, the CSV is sent in the response itself


class ExportError(Refusal):
    pass


@dataclass(frozen=True)
class ExportStart:
    count: int
    task: Task | None  # None: small enough to send at once


def start(flt: search.DonationFilter, encoding: str, *, by: User) -> ExportStart:
    if encoding not in search.EXPORT_ENCODINGS:
        raise ExportError("出力の文字コードを選んでください。", "export_encoding")
    count = search.export_count(flt)
    task = None
    if count > INLINE_ROWS:
        task = tasks.submit(KIND, {"filter": flt.as_params(), "encoding": encoding}, by=by,
                            title=f"寄附データCSV出力（{count:,}件）")
    audit.record("export", "furusato_donation", "-",
                 f"寄附データCSV出力 {count}件 文字コード={encoding} 条件：{flt.describe() or 'なし'}"
                 + (f"（背景処理{task.id}で作成）" if task else ""), by=by)
    return ExportStart(count, task)


def suffix(encoding: str) -> str:
    return ".sjis.csv" if encoding == "cp932" else ".csv"


@tasks.kind(KIND, title="寄附データCSV出力", programme="furusato")
def write_export(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Write the CSV to the task's file; run again, it writes the same file anew."""
    flt = search.DonationFilter.from_params(ctx.params["filter"])
    encoding = ctx.params["encoding"]
    total = search.export_count(flt)
    ctx.progress(0, total, phase="CSVを作成しています", unit="件")
    with files.writing(ctx.task_id, suffix(encoding)) as out:
        for done, data in search.export_pages(flt, encoding):
            out.write(data)
            ctx.progress(done, total)
    ctx.progress(ctx.done, ctx.done, phase="作成しました")
    return {"summary": f"{ctx.done:,}件のCSVを作成しました。", "rows": ctx.done, "encoding": encoding}


def export_task(task_id: int) -> Task | None:
    from app.extensions import db

    task = db.session.get(Task, task_id)
    return task if task is not None and task.kind == KIND else None


def conditions(task: Task) -> str:
    return search.DonationFilter.from_params(task.params.get("filter", {})).describe()


def download(task: Task, *, by: User) -> tuple[Path, str]:
    """The finished file of an export, audited as the download it is."""
    path = files.existing(task.id, suffix(task.params.get("encoding", ""))) if task.status is TaskState.done else None
    if path is None:
        raise ExportError("このCSVはまだできていないか、保存期間を過ぎて削除されました。もう一度出力してください。")
    audit.record("export", "furusato_donation", "-",
                 f"寄附データCSVダウンロード（背景処理{task.id}、{task.result.get('rows', 0)}件）", by=by)
    return path, f"furusato-donations-{task.created_at:%Y%m%d}-{task.id}.csv"
