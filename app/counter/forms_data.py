"""Checking the procedure's own form (the catalog's `fields`) and the rules that depend on what
was entered: the 14-day notification period of a resident move, who may have the individual
number on a 住民票の写し, the 5-day limit of a temporary vehicle permit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.core.calendar import is_regular_office_day, next_office_day
from app.core.refusal import Problem, Refusal
from app.counter.models import MY_NUMBER_REQUESTERS
from app.counter.moves import MOVE_CODES
from app.registry import places
from app.registry.adapter import HouseholdRecord
from app.registry.models import HEAD, RELATIONSHIPS, Sex
from app.web.forms import fold_code, fold_number

NOTIFICATION_DAYS = 14
TEMPORARY_PERMIT_DAYS = 5
MAX_PERSONS = 8
PERSON_KEYS = ("family_name", "given_name", "family_kana", "given_kana", "birth_date", "sex", "relationship")


class InputError(Refusal):
    """What was entered on the procedure's form is refused, a problem for each field; nothing
    is saved."""


def field_errors(refusal: Refusal) -> dict[str, str]:
    """The procedure's form is built from the catalog, not a WTForms form: its template marks
    each field from this field → message map (the first problem of a field)."""
    errors: dict[str, str] = {}
    for problem in refusal.problems:
        errors.setdefault(problem.field, problem.message)
    return errors


@dataclass(frozen=True)
class InputContext:
    procedure_code: str
    requester_kind: str
    household: HouseholdRecord | None
    today: date


def notification_deadline(moved_on: date) -> date:
    """14 days counted from the day after the move (民法 §140: the first day is not counted);
    a deadline on a day the office is closed moves to the next office day (地方自治法 §4の2④)."""
    deadline = moved_on + timedelta(days=NOTIFICATION_DAYS)
    return deadline if is_regular_office_day(deadline) else next_office_day(deadline)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "on", "true", "y", "yes"}


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list | tuple) else ([value] if value not in (None, "") else [])
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


Cleaned = tuple[Any, str | None]  # the value to keep, and the field's error (None when it is right)


def _clean_bool(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    return _bool(raw), None


def _clean_text(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    text, label = str(raw or "").strip(), spec["label"]
    limit = 2000 if spec["type"] == "textarea" else 200
    if spec.get("required") and not text:
        return text, f"{label}を入力してください。"
    if len(text) > limit:
        return text, f"{label}は{limit}文字以内で入力してください。"
    return text, None


def _clean_int(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    text, label = str(raw or "").strip(), spec["label"]
    if not text:
        return None, f"{label}を入力してください。" if spec.get("required") else None
    try:
        number = int(fold_number(text))
    except ValueError:
        return text, f"{label}は数字で入力してください。"
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        return number, f"{label}は{low}〜{high}の範囲で入力してください。"
    return number, None


def _clean_date(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    label = spec["label"]
    if raw in (None, ""):
        return None, f"{label}を入力してください。" if spec.get("required") else None
    day = _parse_date(raw)
    return (day.isoformat(), None) if day else (str(raw), f"{label}は日付（例：2026-04-01）で入力してください。")


def _clean_select(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    value = str(raw or "")
    if value not in spec["options"]:
        return value, f"{spec['label']}を選んでください。" if spec.get("required") or value else None
    return value, None


def _clean_members(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    """Members of the subject's household: several ("members") or one ("member")."""
    ids, label = _ids(raw), spec["label"]
    members = {m.id for m in ctx.household.active_members} if ctx.household else set()
    if ids and not set(ids) <= members:
        return ids, f"{label}は対象の世帯の方から選んでください。"
    if spec.get("required") and not ids:
        return ids, f"{label}を選んでください。" if ctx.household else "先に対象者（住民記録）を選んでください。"
    if spec["type"] == "member":
        return (ids[0] if ids else None), None
    return ids, None


def _clean_persons(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    rows = [r for r in (raw or []) if any(str(r.get(k, "")).strip() for k in PERSON_KEYS)]
    if spec.get("required") and not rows:
        return [], f"{spec['label']}を1人以上入力してください。"
    if len(rows) > MAX_PERSONS:
        return rows, f"{spec['label']}は{MAX_PERSONS}人までです。"
    cleaned = []
    for n, row in enumerate(rows, start=1):
        person = {k: str(row.get(k, "")).strip() for k in PERSON_KEYS}
        person["nhi_member"] = _bool(row.get("nhi_member"))
        empty = [k for k in PERSON_KEYS if not person[k]]
        if empty:
            return rows, f"{spec['label']}の{n}人目：氏名・カナ・生年月日・性別・続柄をすべて入力してください。"
        born = _parse_date(person["birth_date"])
        if born is None:
            return rows, f"{spec['label']}の{n}人目：生年月日は日付（例：1980-04-01）で入力してください。"
        if person["sex"] not in set(Sex) or person["relationship"] not in RELATIONSHIPS:
            return rows, f"{spec['label']}の{n}人目：性別・続柄を一覧から選んでください。"
        person["birth_date"] = born.isoformat()
        cleaned.append(person)
    return cleaned, None


CLEANERS: dict[str, Callable[[dict[str, Any], Any, InputContext], Cleaned]] = {
    "bool": _clean_bool, "text": _clean_text, "textarea": _clean_text, "int": _clean_int, "date": _clean_date,
    "select": _clean_select, "members": _clean_members, "member": _clean_members, "persons": _clean_persons,
}


def clean_field(spec: dict[str, Any], raw: Any, ctx: InputContext) -> Cleaned:
    """(value, error) for one catalog field."""
    if spec["type"] not in CLEANERS:
        raise ValueError(spec["type"])
    return CLEANERS[spec["type"]](spec, raw, ctx)


def clean(fields: list[dict[str, Any]], raw: dict[str, Any], ctx: InputContext) -> dict[str, Any]:
    """All fields of a procedure, then the rules across fields. Raises InputError naming
    every field that is wrong."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        value, error = clean_field(spec, raw.get(spec["name"]), ctx)
        data[spec["name"]] = value
        if error:
            errors[spec["name"]] = error
    if not errors:
        errors.update(cross_field_problems(data, ctx))
    if errors:
        raise InputError.of(Problem(name, message) for name, message in errors.items())
    return data


def cross_field_problems(data: dict[str, Any], ctx: InputContext) -> dict[str, str]:
    code = ctx.procedure_code
    if code == "resident_record_copy":
        return _resident_copy_problems(data, ctx)
    if code in MOVE_CODES:
        return _move_problems(code, data, ctx)
    if code == "temporary_vehicle_permit":
        start, end = _parse_date(data["period_start"]), _parse_date(data["period_end"])
        if start and end and not (0 <= (end - start).days < TEMPORARY_PERMIT_DAYS):
            return {"period_end": f"運行期間は開始日から{TEMPORARY_PERMIT_DAYS}日以内です（道路運送車両法 §35）。"}
        if start and start < ctx.today:
            return {"period_start": "運行期間の開始日が過去の日付です。"}
    return {}


def _resident_copy_problems(data: dict[str, Any], ctx: InputContext) -> dict[str, str]:
    errors = {}
    if ctx.household is None:
        errors["members"] = "先に対象者（住民記録）を選んでください。"
    elif data["scope"] == "selected" and not data["members"]:
        errors["members"] = "一部の方の住民票の場合は、記載する世帯員を選んでください。"
    if data.get("include_my_number") and ctx.requester_kind not in MY_NUMBER_REQUESTERS:
        errors["include_my_number"] = (
            "個人番号の記載は、本人又は同一世帯員からの請求に限ります（住民基本台帳法 §12⑤・§12の3⑦）。"
            "代理人からの請求の場合は、個人番号入りの写しを本人の住所あてに郵送します。")
    return errors


def _move_problems(code: str, data: dict[str, Any], ctx: InputContext) -> dict[str, str]:
    moved_on = _parse_date(data["moved_on"])
    if moved_on is None:
        return {}
    law = {"move_in": "住民基本台帳法 §22①", "move_within": "住民基本台帳法 §23",
           "move_out": "住民基本台帳法 §24", "household_change": "住民基本台帳法 §25"}[code]
    if code != "move_out" and moved_on > ctx.today:
        return {"moved_on": f"この届出は異動した日以後に届け出るものです。異動日が未来の日付です（{law}）。"}
    deadline = notification_deadline(moved_on)
    if ctx.today > deadline and not data.get("late_reason"):
        return {"late_reason": f"届出期間（異動日から14日以内、期限{deadline.isoformat()}）を過ぎています。"
                               f"届出が遅れた理由を記入してください（{law}、§52② 届出期間経過）。"}
    if code == "move_in":
        return _move_in_problems(data, ctx)
    household = ctx.household
    if household is None:
        return {"members" if code != "household_change" else "new_head": "先に対象の世帯（住民記録）を選んでください。"}
    head = household.head
    if code == "household_change":
        if head is not None and data["new_head"] == head.id:
            return {"new_head": "選んだ方は既に世帯主です。"}
        return {}
    movers = set(data["members"])
    staying = {m.id for m in household.active_members} - movers
    head_moves = head is not None and head.id in movers
    if head_moves and staying and data.get("remaining_head") not in staying:
        return {"remaining_head": "世帯主が異動し、残る方がいるため、残る世帯の新しい世帯主を選んでください"
                                  "（住民基本台帳法 §25）。"}
    if code == "move_within":
        postal_problem = _postal_problem(data)
        if postal_problem:
            return {"postal_code": postal_problem}
        if staying and data.get("new_head") not in movers:
            return {"new_head": "世帯の一部の方が転居するため、転居先の世帯の世帯主を転居する方から選んでください。"}
    return {}


def _postal_problem(data: dict[str, Any]) -> str:
    """The new address's postal code: 7 digits that Japan Post's data knows (or, in a demo, a code
    of the demo city's towns: app/registry/places.py). Normalises `data["postal_code"]` to the
    digits; returns the message for the field, or ""."""
    postal = fold_code(str(data["postal_code"])).replace("-", "")  # ０２１ typed by IME, 〒 and spaces
    if len(postal) != 7 or not postal.isascii() or not postal.isdigit():
        return "新住所の郵便番号は7桁の数字で入力してください（例：021-8501）。"
    if not places.known_postal_code(postal):
        return f"郵便番号 {postal[:3]}-{postal[3:]} は日本郵便の郵便番号データにありません。確認してください。"
    data["postal_code"] = postal
    return ""


def _move_in_problems(data: dict[str, Any], ctx: InputContext) -> dict[str, str]:
    """転入 makes a new household at the new address (with its head among the newcomers) or
    joins the household of the case's subject, at that household's address."""
    heads = sum(p["relationship"] == HEAD for p in data["persons"])
    if data.get("join_household"):
        if ctx.household is None:
            return {"join_household": "加わる世帯の方を、先に対象者（住民記録）として選んでください。"}
        if heads:
            return {"persons": "転入する方：既存の世帯に加わる転入では世帯主を選べません。"
                               "続柄は今の世帯主から見た続柄を選んでください。"}
        # the household checked now is the one joined at approval, whoever the subject is by then
        data["postal_code"], data["address"] = ctx.household.postal_code, ctx.household.address
        data["join_household_id"] = ctx.household.id
        return {}
    if heads != 1:
        return {"persons": "転入する方：新しい世帯の世帯主を1人だけ指定してください"
                           "（住民基本台帳法 §7 世帯主の記載）。"}
    if not str(data.get("address") or "").strip():
        return {"address": "新しい世帯の新住所を入力してください。"}
    postal_problem = _postal_problem(data)
    return {"postal_code": postal_problem} if postal_problem else {}
