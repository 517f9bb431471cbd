"""The donation CSV (004 §7(3)エ): a day's list is sent at once; more rows than
`EXPORT_WITHOUT_APPROVAL_ROWS` need an approved export request first (000 別紙 §8(2),
app/furusato/export_requests.py), after which background work writes the file, marked with the
request and its approvals, for its requester to download. Every export and every download is
audited, with the conditions, before the first byte leaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Refusal
from app.furusato import export_requests, search
from app.furusato.models import ExportRequest
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState

KIND = "furusato.export"
INLINE_ROWS = 5_000  # up to this many rows, the CSV is sent in the response itself


class ExportError(Refusal):
    pass


class ApprovalNeeded(ExportError):
    """The search has more rows than may be taken without an approved request."""


@dataclass(frozen=True)
class ExportStart:
    count: int
    task: Task | None  # None: small enough to send at once


def start(flt: search.DonationFilter, encoding: str, *, by: User) -> ExportStart:
    if encoding not in search.EXPORT_ENCODINGS:
        raise ExportError("出力の文字コードを選んでください。", "export_encoding")
    count = search.export_count(flt)
    if export_requests.needs_approval(count):
        raise ApprovalNeeded(f"{count:,}件の出力には出力申請と承認が必要です"
                             f"（{export_requests.approval_rows():,}件まではそのまま出力できます）。")
    task = None
    if count > INLINE_ROWS:
        task = tasks.submit(KIND, {"filter": flt.as_params(), "encoding": encoding}, by=by,
                            title=f"寄附データCSV出力（{count:,}件）")
    audit.record("export", "furusato_donation", "-",
                 f"寄附データCSV出力 {count}件 文字コード={encoding} 条件：{flt.describe() or 'なし'}"
                 + (f"（背景処理{task.id}で作成）" if task else ""), by=by)
    return ExportStart(count, task)


def start_approved(request: ExportRequest, mark: str, *, by: User) -> Task:
    """The file of an approved request, written in the background with its mark first."""
    task = tasks.submit(KIND, {"filter": request.params, "encoding": request.encoding, "mark": mark}, by=by,
                        subject_type=export_requests.OBJECT, subject_id=request.id,
                        title=f"寄附データCSV出力（出力申請#{request.id}、{request.row_count:,}件）")
    audit.record("export", "furusato_donation", "-",
                 f"寄附データCSV出力 出力申請#{request.id} {request.row_count}件 文字コード={request.encoding} "
                 f"条件：{request.conditions or 'なし'}（背景処理{task.id}で作成）", by=by)
    return task


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
        for done, data in search.export_pages(flt, encoding, mark=ctx.params.get("mark", "")):
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
    request = export_requests.request_of(task)
    if request is not None and request.requested_by_id != by.id:
        raise ExportError("承認された出力申請のCSVは、申請した本人だけがダウンロードできます。")
    of_request = f"出力申請#{request.id}、" if request is not None else ""
    audit.record("export", "furusato_donation", "-",
                 f"寄附データCSVダウンロード（{of_request}背景処理{task.id}、{task.result.get('rows', 0)}件）", by=by)
    name = f"-request{request.id}" if request is not None else ""
    return path, f"furusato-donations-{task.created_at:%Y%m%d}-{task.id}{name}.csv"
