"""Demo data of the counter's ledgers (loaded with the counter's, after the fee schedule): five
temporary plates, one permit out, one past its return date (on the overdue list and the home
page), one returned; and a postal request waiting for its checks. Loaded once: a database that
has plates already is left as it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.core.dates import today
from app.counter.ledgers import plates, postal
from app.counter.ledgers.models import TemporaryPlate
from app.demo import DEMO_USERS
from app.extensions import db

PLATES = ("山彦 臨 101", "山彦 臨 102", "山彦 臨 103", "山彦 臨 104", "山彦 臨 105")


def _operator() -> User:
    username = next(name for name, _, role, scope, _ in DEMO_USERS if role == Role.operator and scope == "counter")
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _permit(plate: TemporaryPlate, name: str, start_days_ago: int, days: int) -> plates.PermitInput:
    start = today() - timedelta(days=start_days_ago)
    return plates.PermitInput(plate.id, name, "山彦市本町1丁目1番1号", "トヨタ", "ZVW50-100" + str(plate.id),
                              "新規登録のための回送", "山彦市本町〜山彦自動車検査登録事務所", start,
                              start + timedelta(days=days - 1))


def load() -> None:
    if db.session.scalar(select(TemporaryPlate).limit(1)) is not None:
        return
    by = _operator()
    made = [plates.add_plate(number, by) for number in PLATES]
    day = today()
    plates.issue_permit(_permit(made[1], "川辺オート", 14, 3), today=day - timedelta(days=14), by=by)  # overdue
    returned = plates.issue_permit(_permit(made[0], "山彦モータース", 20, 3), today=day - timedelta(days=20), by=by)
    plates.return_permit(returned, plates.ReturnInput(day - timedelta(days=16), "山彦 一郎"),
                         today=day - timedelta(days=16), by=by)
    plates.issue_permit(_permit(made[2], "森田 三郎", 0, 3), today=day, by=by)
    postal.receive(postal.PostalInput(day, "郵便 花子", "東京都千代田区霞が関一丁目1番", "family_register_copy", 1,
                                      500, 1, "12-345678"), today=day, by=by)
