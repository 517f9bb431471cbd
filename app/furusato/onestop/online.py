"""Online one-stop applications (issue 17 §1; 004 §7(11)オ: 自治体マイページ and similar
services): the service's CSV read through a profile a city can adjust (profiles/online.yaml, in
the style of the portal profiles), refused until the city has approved online intake
(ONESTOP_ONLINE_INTAKE, 004 §7(11)ウ).

Every row is checked before any is stored: the problems of all rows at once, each named by its
row and column, and nothing changed. The individual number of a row goes straight into the
vault (applications.receive seals it); a message names the column, never the value.

Two ways in, one path: the command line reads the file and calls `import_file`; the page keeps
the uploaded file encrypted (models.OneStopOnlineFile), queues a task whose one parameter is the
file's id, and the task calls `import_file` on the decrypted bytes with a progress callback,
keeps the outcome on the file's row for its summary page and erases the ciphertext.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import url_for
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.config import settings
from app.core.dates import now
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.onestop import applications, vault
from app.furusato.onestop.applications import IntakeInput, OneStopError
from app.furusato.onestop.models import (
    IntakeChannel,
    MatchState,
    OneStopApplication,
    OneStopOnlineFile,
    OnlineFileState,
)
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.paging import Page, paged

DEFAULT = Path(__file__).parent / "profiles" / "online.yaml"
TASK_KIND = "furusato.onestop_online"
SUBJECT = "furusato_onestop_online"
MAX_BYTES = 20 * 1024 * 1024
NOT_APPROVED = ("オンライン申請の取込は、市がオンラインでの受付を承認してから使えます"
                "（設定 ONESTOP_ONLINE_INTAKE、仕様書 §7(11)ウ）。")


@dataclass(frozen=True)
class OnlineProfile:
    name: str
    encoding: str
    delimiter: str
    date_formats: tuple[str, ...]
    columns: dict[str, str]  # the service's header → an IntakeInput field
    values: dict[str, Any]


def profiles() -> dict[str, Path]:
    """The profiles a person may choose on the page: the YAML files beside the default, by the
    name each gives itself (a city adds one by copying online.yaml there)."""
    found = {path.stem: path for path in sorted(DEFAULT.parent.glob("*.yaml"))}
    return dict(sorted(found.items(), key=lambda item: item[1] != DEFAULT))


def profile_choices() -> list[tuple[str, str]]:
    return [(stem, load(path).name or stem) for stem, path in profiles().items()]


def load(path: Path | None = None) -> OnlineProfile:
    raw = yaml.safe_load((path or DEFAULT).read_text(encoding="utf-8"))
    columns = {unicodedata.normalize("NFKC", str(k)).strip(): str(v) for k, v in raw["columns"].items()}
    return OnlineProfile(str(raw.get("name", "")), str(raw.get("encoding", "utf-8-sig")),
                         str(raw.get("delimiter", ",")), tuple(raw.get("date_formats") or ("%Y-%m-%d",)),
                         columns, dict(raw.get("values") or {}))


def _date(text: str, profile: OnlineProfile) -> date | None:
    for fmt in profile.date_formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _row(raw: dict[str, str], profile: OnlineProfile) -> tuple[IntakeInput | None, list[Problem]]:
    get = {field: (raw.get(column) or "").strip() for column, field in profile.columns.items()}
    problems = [Problem(field, "使えない文字（NUL）が含まれています。")
                for column, field in profile.columns.items() if "\x00" in (raw.get(column) or "")]
    if problems:
        return None, problems
    dates: dict[str, date | None] = {}
    formats = [f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in profile.date_formats]
    for field, label in (("received_on", "申請日"), ("birth_date", "生年月日")):
        dates[field] = _date(get.get(field, ""), profile) if get.get(field) else None
        if get.get(field) and dates[field] is None:
            # the value is not repeated: a shifted row may hold the individual number here
            problems.append(Problem(field, f"{label}の日付が読めません（{' または '.join(formats)} の形で"
                                           "入力してください）。"))
    if dates["received_on"] is None and not get.get("received_on"):
        problems.append(Problem("received_on", "申請日を入力してください。"))
    year = get.get("tax_year", "")
    if not year.isdigit():
        problems.append(Problem("tax_year", "寄附年は西暦の4桁で入力してください。"))
    yes = {str(v) for v in profile.values.get("affirmative", ())}
    codes = str(profile.values.get("documents", {}).get(get.get("documents", ""), ""))
    if problems:
        return None, problems
    return IntakeInput(
        tax_year=int(year), received_on=dates["received_on"] or date.min, name=get.get("name", ""),
        kana=get.get("kana", ""), birth_date=dates["birth_date"],
        gender=str(profile.values.get("gender", {}).get(get.get("gender", ""), "")),
        postal_code=get.get("postal_code", ""), address=get.get("address", ""), phone=get.get("phone", ""),
        email=get.get("email", ""), number=get.get("number", ""), documents=[c for c in codes.split(",") if c],
        declared_no_return=get.get("declared_no_return", "") in yes,
        declared_five_or_fewer=get.get("declared_five_or_fewer", "") in yes,
        form_complete=True, channel=IntakeChannel.online), []


def _in_column(problem: Problem, where: str, headers: dict[str, str]) -> Problem:
    """The problem of a row named by its row and the file's column (the rules word a field as
    the paper form does: the column is what the office finds in the service's file)."""
    column = headers.get(problem.field or "")
    named = f"{where}（{column}）" if column else where
    return Problem(problem.field, f"{named}：{problem.message}")


Progress = Callable[[int, int, str], None]


def approved() -> bool:
    """Whether the city has approved online intake (004 §7(11)ウ)."""
    return settings().ONESTOP_ONLINE_INTAKE


def import_file(content: bytes, *, by: User | None, profile_path: Path | None = None,
                progress: Progress | None = None) -> list[OneStopApplication]:
    """Every row of the service's file received as an online application, or a refusal naming
    every problem by row and column (nothing stored). The command line and the page's task both
    come here; `progress(done, total, phase)` is told of each row checked, then each received."""
    if not approved():
        raise OneStopError(NOT_APPROVED)
    profile = load(profile_path)
    try:
        text = content.decode(profile.encoding)
    except UnicodeDecodeError as exc:
        raise OneStopError(f"ファイルを{profile.encoding}として読めません（{exc.start}バイト目）。", "file") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=profile.delimiter)
    reader.fieldnames = [unicodedata.normalize("NFKC", h).strip() for h in reader.fieldnames or ()]
    missing = [c for c in profile.columns if c not in reader.fieldnames]
    if missing:
        raise OneStopError(f"ファイルに列がありません：{'、'.join(missing)}（取込設定：{profile.name}）。", "file")
    headers = {field: column for column, field in profile.columns.items()}
    lines = list(reader)
    rows: list[IntakeInput] = []
    problems: list[Problem] = []
    for number, raw in enumerate(lines, start=2):  # the header is line 1
        where = f"{number}行目"
        data, found = _row(raw, profile)
        found = [_in_column(p, where, headers) for p in (applications.problems_of(data) if data else found)]
        problems += found
        if data is not None and not found:
            rows.append(data)
        if progress is not None:
            progress(number - 1, len(lines), "各行を確認しています")
    if problems:
        raise OneStopError.of(problems, "オンライン申請のファイルを取り込めません（どの行も登録していません）。")
    if not rows:
        raise OneStopError("ファイルに申請の行がありません。", "file")
    made: list[OneStopApplication] = []
    with db.session.begin_nested():
        for done, data in enumerate(rows, start=1):
            made.append(applications.receive(data, by=by))
            if progress is not None:
                progress(done, len(rows), "申請を登録しています")
    return made


# --- the page: the file kept encrypted, imported by a task ----------------------------------

def start(filename: str, content: bytes, profile: str, *, by: User) -> OneStopOnlineFile:
    """The uploaded file sealed (it holds individual numbers) and its import queued as a task
    whose one parameter is the file's id; refused as a whole when it cannot be taken."""
    if not approved():
        raise OneStopError(NOT_APPROVED, "file")
    problems: list[Problem] = []
    if profile not in profiles():
        problems.append(Problem("profile", "取込設定を一覧から選んでください。"))
    if not content:
        problems.append(Problem("file", "ファイルを選んでください（空のファイルは取り込めません）。"))
    elif len(content) > MAX_BYTES:
        problems.append(Problem("file", f"ファイルが大きすぎます（上限{MAX_BYTES // (1024 * 1024)}MB）。"
                                "コマンド（flask furusato one-stop import-online）で取り込んでください。"))
    if problems:
        raise OneStopError.of(problems)
    stored = OneStopOnlineFile(filename=(filename or "online.csv")[-255:], profile=profile, size=len(content),
                               cipher=vault.seal_bytes(content), uploaded_by_id=by.id)
    db.session.add(stored)
    db.session.flush()
    tasks.submit(TASK_KIND, {"file_id": stored.id}, by=by, subject_type=SUBJECT, subject_id=stored.id,
                 title=f"オンライン申請の取込 #{stored.id}")
    audit.record("create", SUBJECT, stored.id, f"オンライン申請のファイル（{load(profiles()[profile]).name}）"
                 "の取込を受付", by=by)
    return stored


def _finish(stored: OneStopOnlineFile, state: OnlineFileState, *, by: User | None, problems: list[str] | None = None,
            made: list[OneStopApplication] | None = None) -> None:
    """The outcome kept, and the file's ciphertext cleared: what it held is now sealed in the
    applications (or nothing was taken, and the corrected file is sent again)."""
    made = made or []
    stored.state, stored.problems, stored.finished_at = state, problems or [], now()
    stored.received, stored.matched = len(made), sum(a.match == MatchState.matched for a in made)
    stored.application_ids = [a.id for a in made]
    stored.cipher, stored.erased_at = None, now()
    audit.record("update", SUBJECT, stored.id, summary_text(stored), by=by)


def import_stored(file_id: int, *, by: User | None, progress: Progress | None = None) -> OneStopOnlineFile:
    """The task's work: the stored file through `import_file`, the outcome kept; once only (a
    task run again finds the file done). Commits."""
    stored = db.session.get_one(OneStopOnlineFile, file_id)
    if stored.state != OnlineFileState.queued:
        return stored
    path = profiles().get(stored.profile)
    try:
        if path is None or stored.cipher is None:
            raise OneStopError(f"取込設定「{stored.profile}」またはファイルがありません。"
                               "もう一度アップロードしてください。")
        made = import_file(vault.open_bytes(stored.cipher), by=by, profile_path=path, progress=progress)
    except OneStopError as refused:
        db.session.rollback()
        stored = db.session.get_one(OneStopOnlineFile, file_id)
        _finish(stored, OnlineFileState.refused, by=by, problems=[p.message for p in refused.problems])
    else:
        _finish(stored, OnlineFileState.done, by=by, made=made)
    db.session.commit()
    return stored


@tasks.kind(TASK_KIND, title="ワンストップ特例のオンライン申請の取込", programme="furusato")
def run_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    task = tasks.get_task(ctx.task_id)
    by = tasks.created_by(task) if task is not None else None

    def report(done: int, total: int, phase: str) -> None:
        ctx.progress(done, total, phase=phase, unit="行")

    stored = import_stored(int(ctx.params["file_id"]), by=by, progress=report)
    return {"summary": summary_text(stored), "link_label": "取込の結果を開く",
            "link": url_for("furusato.onestop_online_file", online_file_id=stored.id)}


def summary_text(stored: OneStopOnlineFile) -> str:
    if stored.state == OnlineFileState.refused:
        return f"取り込めませんでした：{len(stored.problems)}件の誤り（どの行も登録していません）"
    if stored.state == OnlineFileState.done:
        return (f"{stored.received}件を受け付けました（寄附者と照合済{stored.matched}件、"
                f"要確認・未照合{stored.received - stored.matched}件）")
    return OnlineFileState.queued.label


def task_of(stored: OneStopOnlineFile) -> Task | None:
    return tasks.latest_for(SUBJECT, stored.id)


def recent_files(page: int = 1) -> Page[OneStopOnlineFile]:
    return paged(select(OneStopOnlineFile).order_by(OneStopOnlineFile.id.desc()), page)


def received_of(stored: OneStopOnlineFile, page: int = 1, *, by: User) -> Page[OneStopApplication]:
    """A page of the applications the file brought, as read by `by` (audited: names are shown)."""
    found = paged(select(OneStopApplication).where(OneStopApplication.id.in_(stored.application_ids or [0]))
                  .order_by(OneStopApplication.id), page)
    audit.read_list("furusato_onestop", (a.id for a in found.rows),
                    f"オンライン申請の取込 #{stored.id} の申請（{found.page}ページ）", by=by)
    return found
