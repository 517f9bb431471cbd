"""Municipality settings and counters."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select, text

from app.auth import audit
from app.auth.models import User
from app.core.models import Counter, Department, Municipality
from app.core.refusal import Problem, Refusal
from app.extensions import db

_CODE_WEIGHTS = (6, 5, 4, 3, 2)
REQUIRED = "必須項目です。"


class SettingsError(Refusal):
    """A setting the city cannot have, named by its form field."""


def municipality_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード (総務省): weights 6,5,4,3,2, modulus 11.

    The check digit is the last digit of 11 minus the remainder, e.g. 03209 → 3.
    """
    total = sum(int(d) * w for d, w in zip(first_five, _CODE_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def _code_problems(code: str) -> list[Problem]:
    if not code:
        return [Problem("code", REQUIRED)]
    if not re.fullmatch(r"\d{6}", code):
        return [Problem("code", "地方公共団体コードは6桁の数字で入力してください。")]
    if int(code[:2]) not in range(1, 48):
        return [Problem("code", "地方公共団体コードの先頭2桁（都道府県コード）は01〜47です。")]
    if municipality_check_digit(code[:5]) != int(code[5]):
        return [Problem("code", f"地方公共団体コードの検査数字が一致しません（{code[:5]}の検査数字は"
                                f"{municipality_check_digit(code[:5])}です）。")]
    return []


def validate_municipality_code(code: str) -> str:
    code = code.strip()
    if problems := _code_problems(code):
        raise SettingsError.of(problems)
    return code


def database_dialect() -> str:
    """The database's dialect, once it has answered a query (for the health check)."""
    db.session.execute(text("SELECT 1"))
    return db.engine.dialect.name


def get_municipality() -> Municipality | None:
    return db.session.scalar(select(Municipality).limit(1))


#: how long another worker process may show a renamed city's old name in the page header
CITY_NAME_SECONDS = 60.0
_CITY_NAME = "yakuba_city_name"


def city_name() -> str:
    """The city's name for every page's header (empty before it is set), cached per process and
    app: it was a query on every page (issue 22). Saving the settings forgets this process's
    copy at once; the other workers' copies within CITY_NAME_SECONDS."""
    cached = current_app.extensions.get(_CITY_NAME)
    if cached is not None and time.monotonic() - cached[0] < CITY_NAME_SECONDS:
        return cached[1]
    city = get_municipality()
    name = city.name if city else ""
    current_app.extensions[_CITY_NAME] = (time.monotonic(), name)
    return name


@dataclass
class MunicipalityInput:
    name: str
    code: str
    postal_code: str
    address: str
    mayor_name: str
    contractor_name: str


def _municipality_problems(data: MunicipalityInput, postal: str) -> list[Problem]:
    problems = _code_problems(data.code.strip())
    problems += [Problem(field, REQUIRED) for field in ("name", "address", "mayor_name", "contractor_name")
                 if not getattr(data, field).strip()]
    if postal and not re.fullmatch(r"\d{7}", postal):
        problems.append(Problem("postal_code", "郵便番号は7桁の数字で入力してください（例：021-8501）。"))
    return problems


def save_municipality(data: MunicipalityInput, *, by: User | None = None) -> Municipality:
    """The city's settings (`by` None: the system, as demo data makes them); every problem of
    the form is said at once."""
    postal = data.postal_code.strip().replace("-", "")
    if problems := _municipality_problems(data, postal):
        raise SettingsError.of(problems)
    city = get_municipality() or Municipality()
    city.name, city.code = data.name.strip(), data.code.strip()
    city.postal_code = f"{postal[:3]}-{postal[3:]}" if postal else ""
    city.address, city.mayor_name = data.address.strip(), data.mayor_name.strip()
    city.contractor_name = data.contractor_name.strip()
    db.session.add(city)
    db.session.flush()
    audit.record("update", "municipality", city.id, f"{city.name} {city.code}", by=by)
    current_app.extensions.pop(_CITY_NAME, None)
    return city


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEAL_MM = (5.0, 60.0)  # what a 公印 measures, with room on both sides (city seals are 15-30 mm)
SEAL_MAX_BYTES = 2_000_000


def _seal_problems(png: bytes, size_mm: float | None) -> list[Problem]:
    problems = []
    if not png:
        problems.append(Problem("seal_file", "公印の画像（PNG）を選んでください。"))
    elif len(png) > SEAL_MAX_BYTES or not png.startswith(PNG_SIGNATURE):
        problems.append(Problem("seal_file", "公印の画像は PNG 形式（2MB まで）で登録してください。"))
    else:
        try:
            with Image.open(io.BytesIO(png)) as image:
                image.verify()
                if image.format != "PNG":
                    raise UnidentifiedImageError
        except (UnidentifiedImageError, OSError, SyntaxError):
            problems.append(Problem("seal_file", "公印の画像が PNG として読めません。"))
    if size_mm is None or not SEAL_MM[0] <= size_mm <= SEAL_MM[1]:
        problems.append(Problem("seal_mm", f"公印の大きさは {SEAL_MM[0]:g}〜{SEAL_MM[1]:g} mm で入力してください。"))
    return problems


def save_seal(png: bytes, size_mm: float | None, *, by: User | None) -> Municipality:
    """The official seal the certificates print at true size (`size_mm`, the side of its square
    or its diameter). PNG only: certificates are printed from it as uploaded."""
    city = get_municipality()
    problems = _seal_problems(png, size_mm)
    if city is None:
        problems.insert(0, Problem("", "先に自治体設定を保存してください。"))
    if problems:
        raise SettingsError.of(problems)
    assert city is not None and size_mm is not None
    city.seal_png, city.seal_mm = png, float(size_mm)
    db.session.flush()
    audit.record("update", "municipality", city.id, f"公印の画像（{size_mm:g} mm）", by=by)
    return city


def list_counters(active_only: bool = False) -> list[Counter]:
    query = select(Counter).order_by(Counter.number)
    if active_only:
        query = query.where(Counter.active.is_(True))
    return list(db.session.scalars(query))


def get_counter(counter_id: int) -> Counter | None:
    return db.session.get(Counter, counter_id)


@dataclass(frozen=True)
class CounterInput:
    number: int | None
    name: str
    department: str
    active: bool = True


def _counter_problems(counter: Counter | None, number: int | None, name: str, department: str) -> list[Problem]:
    problems = []
    if number is None or not 1 <= number <= 999:
        problems.append(Problem("number", "窓口番号は1〜999の数字で入力してください。"))
    else:
        clash = db.session.scalar(select(Counter).where(Counter.number == number))
        if clash is not None and clash is not counter:
            problems.append(Problem("number", f"{number}番窓口は既にあります。"))
    if not name.strip():
        problems.append(Problem("name", "窓口名を入力してください。"))
    if not Department.has(department):
        problems.append(Problem("department", "担当課を選んでください。"))
    return problems


def save_counter(counter: Counter | None, number: int | None, name: str, department: str,
                 active: bool = True, *, by: User | None = None) -> Counter:
    """A new counter (`counter` None) or a change to one; every problem is said at once."""
    if problems := _counter_problems(counter, number, name, department):
        raise SettingsError.of(problems)
    assert number is not None
    counter = counter or Counter()
    counter.number, counter.name, counter.department = number, name.strip(), Department(department)
    counter.active = active
    db.session.add(counter)
    db.session.flush()
    audit.record("update", "counter", counter.id, f"{counter.label} {counter.name}", by=by)
    return counter
