"""Online one-stop applications (issue 17 §1; 004 §7(11)オ: 自治体マイページ and similar
services): the service's CSV read through a profile a city can adjust (profiles/online.yaml, in
the style of the portal profiles), refused until the city has approved online intake
(ONESTOP_ONLINE_INTAKE, 004 §7(11)ウ).

Every row is checked before any is stored: the problems of all rows at once, each named by its
row and column, and nothing changed. The individual number of a row goes straight into the
vault (applications.receive seals it); a message names the column, never the value.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from app.auth.models import User
from app.config import settings
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.onestop import applications
from app.furusato.onestop.applications import IntakeInput, OneStopError
from app.furusato.onestop.models import IntakeChannel, OneStopApplication

DEFAULT = Path(__file__).parent / "profiles" / "online.yaml"
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


def _row(raw: dict[str, str], profile: OnlineProfile, where: str) -> tuple[IntakeInput | None, list[Problem]]:
    get = {field: (raw.get(column) or "").strip() for column, field in profile.columns.items()}
    problems: list[Problem] = []
    dates: dict[str, date | None] = {}
    for field, label in (("received_on", "申請日"), ("birth_date", "生年月日")):
        dates[field] = _date(get.get(field, ""), profile) if get.get(field) else None
        if get.get(field) and dates[field] is None:
            problems.append(Problem(field, f"{where}：{label}の日付が読めません（{get[field][:20]}）。"))
    if dates["received_on"] is None and not get.get("received_on"):
        problems.append(Problem("received_on", f"{where}：申請日を入力してください。"))
    year = get.get("tax_year", "")
    if not year.isdigit():
        problems.append(Problem("tax_year", f"{where}：寄附年は西暦の4桁で入力してください。"))
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


def import_file(content: bytes, *, by: User | None, profile_path: Path | None = None) -> list[OneStopApplication]:
    """Every row of the service's file received as an online application, or a refusal naming
    every problem by row (nothing stored)."""
    if not settings().ONESTOP_ONLINE_INTAKE:
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
    rows: list[IntakeInput] = []
    problems: list[Problem] = []
    for number, raw in enumerate(reader, start=2):  # the header is line 1
        where = f"{number}行目"
        data, found = _row(raw, profile, where)
        if data is not None:
            found = [Problem(p.field, f"{where}：{p.message}") for p in applications.problems_of(data)]
        problems += found
        if data is not None and not found:
            rows.append(data)
    if problems:
        raise OneStopError.of(problems, "オンライン申請のファイルを取り込めません（どの行も登録していません）。")
    if not rows:
        raise OneStopError("ファイルに申請の行がありません。", "file")
    with db.session.begin_nested():
        return [applications.receive(data, by=by) for data in rows]
