"""The handover package at the contract's end: the items still in progress by kind and state,
and the programme's data in documented formats (a ZIP of CSVs with a README of their
columns), made by background work with its progress shown.

000 §13(2): 処理途中であるものが発生した場合は、事務の種類やその状態を明確にし、次期受託者が
速やかに業務を遂行できるようにすること; 004 §16(4): 次受託者との引継ぎを遅滞なく行うこと;
004 特記事項 §12(1) and 000 別紙 §11: the data is returned (返還) to the city.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Column, LargeBinary, Table, func, select

from app.auth import audit
from app.auth.models import User
from app.core import spreadsheet
from app.core.dates import now
from app.core.enums import StrEnumType
from app.counter import workflow
from app.counter.models import Case, CaseState, Procedure
from app.extensions import db
from app.furusato.models import Donation, DonationState, SuspectFlag, SuspectState
from app.seal.models import OPEN_STATES as SEAL_OPEN
from app.seal.models import SealApplication
from app.staff import register
from app.staff.programmes import Programme
from app.staff.refusals import StaffError
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState

KIND = "staff.handover"
SUBJECT = "staff_handover"
CHUNK = 2_000

#: The programme's tables handed over, parents first. The registry stand-in is the city's own
#: system and stays with the city; the tables of the staff domain follow, filtered by programme.
DATASETS: dict[str, tuple[str, ...]] = {
    Programme.counter: ("counter_procedures", "counter_visits", "counter_cases", "counter_case_events",
                        "counter_fee_lines", "seal_records", "seal_applications", "seal_certificates"),
    Programme.furusato: ("furusato_portals", "furusato_gifts", "furusato_donors", "furusato_import_batches",
                         "furusato_donations", "furusato_suspect_flags", "furusato_suspect_contacts",
                         "furusato_corrections", "furusato_donor_merges", "furusato_catalog_requests"),
}
STAFF_TABLES = ("staff_entries", "staff_lead_changes", "staff_worker_changes", "staff_trainings",
                "staff_handling_areas", "staff_incidents", "disposal_requests")
def _table(name: str) -> Table:
    return db.metadata.tables[name]


def tables_of(programme: str) -> list[str]:
    return [*DATASETS[programme], *STAFF_TABLES]


def _columns(table: Table) -> list[Column[Any]]:
    """Every column but file contents (images, uploaded papers): those are not data a CSV holds."""
    return [c for c in table.columns if not isinstance(c.type, LargeBinary)]


def _where(table: Table, programme: str) -> list[Any]:
    return [table.c.programme == programme] if table.name in STAFF_TABLES else []


def _rows(table: Table, programme: str) -> Iterator[list[list[str]]]:
    columns = _columns(table)
    query = select(*columns).where(*_where(table, programme)).order_by(*table.primary_key.columns)
    batch: list[list[str]] = []
    for row in db.session.execute(query.execution_options(yield_per=CHUNK)):
        batch.append(["" if v is None else str(v) for v in row])
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def count_rows(table: Table, programme: str) -> int:
    return db.session.scalar(select(func.count()).select_from(table).where(*_where(table, programme))) or 0


def _column_doc(column: Column[Any]) -> str:
    kind = column.type
    values = ""
    if isinstance(kind, StrEnumType):
        values = "　値：" + "、".join(f"{m.value}={m.label}" for m in kind.enum)  # type: ignore[attr-defined]
    target = next((f"　参照：{fk.column.table.name}.{fk.column.name}" for fk in column.foreign_keys), "")
    blank = "空欄あり" if column.nullable else "必須"
    return f"- {column.name}（{type(kind).__name__}、{blank}）{values}{target}"


def readme(programme: str, counts: dict[str, int]) -> str:
    """README of the package: what each file is and what each column holds."""
    lines = [f"# 引継ぎデータ（{Programme(programme).label}）", "",
             f"作成日時：{now():%Y-%m-%d %H:%M}", "",
             "文字コードはUTF-8（BOM付き）、区切りはカンマ、1行目は列名です。"
             "表計算ソフトで数式として実行されないよう、= + - @ などで始まる文字列の先頭には ' を付けています。",
             "日付はYYYY-MM-DD、日時はYYYY-MM-DD HH:MM:SS、金額は円単位の整数です。",
             "画像・書面ファイルの内容は含みません（各表の備考を参照）。", "",
             "## in_progress.csv（処理途中のもの）",
             "- 事務の種類・状態・件数：契約終了時点で完了していない事務の種類と状態ごとの件数", ""]
    for name in tables_of(programme):
        table = _table(name)
        omitted = [c.name for c in table.columns if isinstance(c.type, LargeBinary)]
        lines += [f"## {name}.csv（{counts.get(name, 0)}行）", *(_column_doc(c) for c in _columns(table))]
        if omitted:
            lines.append(f"- 備考：ファイル内容の列（{'、'.join(omitted)}）は含みません。")
        lines.append("")
    return "\n".join(lines)


def _grouped(kind: Any, state: Any, *where: Any) -> list[tuple[str, str, int]]:
    rows = db.session.execute(select(kind, state, func.count()).where(*where).group_by(kind, state)
                              .order_by(kind, state))
    return [(str(getattr(k, "label", k)), str(getattr(st, "label", st)), int(n)) for k, st, n in rows]


def in_progress(programme: str) -> list[tuple[str, str, int]]:
    """(kind of work, state, count) of what is not finished: the 事務の種類やその状態 of 000
    §13(2), each domain's own open states."""
    if programme == Programme.counter:
        cases = db.session.execute(
            select(Procedure.name, Case.state, func.count()).join(Procedure, Case.procedure_id == Procedure.id)
            .where(Case.state.not_in(workflow.CLOSED_STATES)).group_by(Procedure.name, Case.state)
            .order_by(Procedure.name, Case.state))
        return ([(f"窓口案件：{name}", CaseState(state).label, int(n)) for name, state, n in cases]
                + [("印鑑登録申請：" + k, st, n) for k, st, n in _grouped(
                    SealApplication.kind, SealApplication.state, SealApplication.state.in_(SEAL_OPEN))])
    return ([("寄附：" + k, st, n) for k, st, n in _grouped(
                Donation.payment_method, Donation.status, Donation.status == DonationState.unpaid)]
            + [("疑義データ：" + k, st, n) for k, st, n in _grouped(
                SuspectFlag.reason, SuspectFlag.status, SuspectFlag.status != SuspectState.cleared)])


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    spreadsheet.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def start(programme: str, *, by: User) -> Task:
    register.require_edit(by, programme)
    task = tasks.submit(KIND, {"programme": programme}, by=by, subject_type=f"{SUBJECT}:{programme}",
                        title=f"引継ぎデータの作成（{Programme(programme).label}）")
    audit.record("export", "staff_handover", programme, f"引継ぎデータの作成を開始（背景処理{task.id}）", by=by,
                 programme=programme)
    return task


@tasks.kind(KIND, title="引継ぎデータの作成")
def write_package(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Write the ZIP anew (run again after a crash, it writes the same file)."""
    programme = ctx.params["programme"]
    names = tables_of(programme)
    counts = {name: count_rows(_table(name), programme) for name in names}
    ctx.progress(0, sum(counts.values()), phase="引継ぎデータを作成しています", unit="行")
    with files.writing(ctx.task_id, ".zip") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("in_progress.csv", "\ufeff".encode() + _csv(
            [["事務の種類", "状態", "件数"], *([t, s, str(n)] for t, s, n in in_progress(programme))]))
        for name in names:
            table = _table(name)
            with package.open(f"{name}.csv", "w") as entry:
                entry.write("\ufeff".encode() + _csv([[c.name for c in _columns(table)]]))
                for batch in _rows(table, programme):
                    entry.write(_csv(batch))
                    ctx.progress(ctx.done + len(batch))
        package.writestr("README.md", readme(programme, counts))
    db.session.rollback()
    ctx.progress(ctx.done, ctx.done, phase="作成しました")
    return {"summary": f"{len(names)}表・{ctx.done:,}行の引継ぎデータを作成しました。", "rows": ctx.done,
            "link": f"/staff/handover/{ctx.task_id}/download", "link_label": "引継ぎデータ（ZIP）をダウンロードする"}


@dataclass(frozen=True)
class Package:
    path: Path
    filename: str


def download(task_id: int, *, by: User) -> Package:
    """The finished package, for the programme's supervisor or city staff; audited."""
    task = db.session.get(Task, task_id)
    if task is None or task.kind != KIND or not register.may_read(by, task.params.get("programme", "")):
        raise StaffError("この引継ぎデータは見つかりません。")
    path = files.existing(task.id, ".zip") if task.status is TaskState.done else None
    if path is None:
        raise StaffError("引継ぎデータはまだできていないか、保存期間を過ぎて削除されました。もう一度作成してください。")
    audit.record("export", "staff_handover", task.params["programme"],
                 f"引継ぎデータのダウンロード（背景処理{task.id}、{task.result.get('rows', 0)}行）", by=by,
                 programme=task.params["programme"])
    return Package(path, f"handover-{task.params['programme']}-{task.created_at:%Y%m%d}-{task.id}.zip")


def latest(programme: str) -> Task | None:
    return db.session.scalar(select(Task).where(Task.kind == KIND, Task.subject_type == f"{SUBJECT}:{programme}")
                             .order_by(Task.id.desc()).limit(1))
