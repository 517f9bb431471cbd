"""Municipality settings and counters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.auth import audit
from app.core.models import DEPARTMENTS, Counter, Municipality
from app.extensions import db

_CODE_WEIGHTS = (6, 5, 4, 3, 2)


class SettingsError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def municipality_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード (総務省): weights 6,5,4,3,2, modulus 11.

    The check digit is the last digit of 11 minus the remainder, e.g. 03209 → 3.
    """
    total = sum(int(d) * w for d, w in zip(first_five, _CODE_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_municipality_code(code: str) -> str:
    code = code.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise SettingsError("地方公共団体コードは6桁の数字で入力してください。", "code")
    if int(code[:2]) not in range(1, 48):
        raise SettingsError("地方公共団体コードの先頭2桁（都道府県コード）は01〜47です。", "code")
    if municipality_check_digit(code[:5]) != int(code[5]):
        raise SettingsError(
            f"地方公共団体コードの検査数字が一致しません（{code[:5]}の検査数字は"
            f"{municipality_check_digit(code[:5])}です）。", "code")
    return code


def get_municipality() -> Municipality | None:
    return db.session.scalar(select(Municipality).limit(1))


@dataclass
class MunicipalityInput:
    name: str
    code: str
    postal_code: str
    address: str
    mayor_name: str
    contractor_name: str


def save_municipality(data: MunicipalityInput) -> Municipality:
    code = validate_municipality_code(data.code)
    for field in ("name", "address", "mayor_name", "contractor_name"):
        if not getattr(data, field).strip():
            raise SettingsError("必須項目です。", field)
    postal = data.postal_code.strip().replace("-", "")
    if postal and not re.fullmatch(r"\d{7}", postal):
        raise SettingsError("郵便番号は7桁の数字で入力してください（例：021-8501）。", "postal_code")
    city = get_municipality() or Municipality()
    city.name, city.code = data.name.strip(), code
    city.postal_code = f"{postal[:3]}-{postal[3:]}" if postal else ""
    city.address, city.mayor_name = data.address.strip(), data.mayor_name.strip()
    city.contractor_name = data.contractor_name.strip()
    db.session.add(city)
    db.session.flush()
    audit.record("update", "municipality", city.id, f"{city.name} {city.code}")
    return city


def list_counters(active_only: bool = False) -> list[Counter]:
    query = select(Counter).order_by(Counter.number)
    if active_only:
        query = query.where(Counter.active.is_(True))
    return list(db.session.scalars(query))


def save_counter(counter: Counter | None, number: int | None, name: str, department: str,
                 active: bool = True) -> Counter:
    if number is None or not 1 <= number <= 999:
        raise SettingsError("窓口番号は1〜999の数字で入力してください。", "number")
    if not name.strip():
        raise SettingsError("窓口名を入力してください。", "name")
    if department not in DEPARTMENTS:
        raise SettingsError("担当課を選んでください。", "department")
    clash = db.session.scalar(select(Counter).where(Counter.number == number))
    if clash is not None and clash is not counter:
        raise SettingsError(f"{number}番窓口は既にあります。", "number")
    counter = counter or Counter()
    counter.number, counter.name, counter.department = number, name.strip(), department
    counter.active = active
    db.session.add(counter)
    db.session.flush()
    audit.record("update", "counter", counter.id, f"{counter.label} {counter.name}")
    return counter
