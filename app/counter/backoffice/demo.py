"""Demo data of the back-office ledgers: passports at each step (one past six months after issue,
on the list for the prefecture), two house-number notices, forwardings (one answered, one past
its answer day) and undelivered insurance cards of several ages. Loaded once: a database with a
passport application already is left as it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.core.dates import today
from app.counter.backoffice import cards, forwardings, house_numbers, passports
from app.counter.backoffice.models import PassportApplication
from app.demo import DEMO_USERS
from app.extensions import db
from app.registry.models import Resident


def _operator() -> User:
    username = next(name for name, _, role, scope, _ in DEMO_USERS if role == Role.operator and scope == "counter")
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _passports(by: User) -> None:
    day = today()
    steps = (("旅川 一郎", 2, None), ("旅川 花子", 20, "sent"), ("港 健太", 30, "arrived"), ("港 由美", 40, "handed"),
             ("山口 未来", 220, "arrived"))
    for name, ago, upto in steps:
        received = day - timedelta(days=ago)
        item = passports.receive(passports.ApplicationInput(name, "山彦市本町2丁目3番4号", "ten_years", received),
                                 today=received, by=by)
        if upto is None:
            continue
        passports.send(item, passports.StepInput(received + timedelta(days=1)), today=day, by=by)
        if upto == "sent":
            continue
        arrived = received + timedelta(days=8)
        passports.arrive(item, passports.StepInput(arrived, arrived - timedelta(days=2)), today=day, by=by)
        if upto == "handed":
            passports.hand_out(item, passports.StepInput(arrived + timedelta(days=3), identity_document="運転免許証"),
                               today=day, by=by)


def load() -> None:
    if db.session.scalar(select(PassportApplication).limit(1)) is not None:
        return
    by, day = _operator(), today()
    _passports(by)
    for number, name, building in (("12", "新居 正男", "新居邸"), ("15-2", "株式会社やまびこ不動産", "やまびこハイツ")):
        house_numbers.issue(house_numbers.NoticeInput("山彦市本町一丁目3番", number, building, name, "所有者",
                                                      day - timedelta(days=10), day - timedelta(days=7)),
                            today=day, by=by)
    for what, ago, answered in (("国民年金 第3号被保険者の届出", 30, True), ("児童手当 認定請求書", 20, False),
                                ("住民票の写し等の交付請求（他市町村分）", 3, False)):
        sent = day - timedelta(days=ago)
        item = forwardings.forward(forwardings.ForwardingInput(
            what, "", "city_department" if ago != 3 else "other_office", "保険年金課" if ago != 3 else "海辺町 住民課",
            sent, forwardings.default_due(sent)), today=day, by=by)
        if answered:
            forwardings.record_answer(item, forwardings.AnswerInput(sent + timedelta(days=5), "受理済"), today=day,
                                      by=by)
    resident = db.session.scalar(select(Resident).order_by(Resident.id).limit(1))
    for kind, name, ago, reason in (("nhi", "宛先 不明子", 100, "unknown"), ("late_elderly", "転居 太郎", 40, "moved"),
                                    ("elderly", "留守 次郎", 5, "kept")):
        cards.receive(cards.CardInput(kind, resident.name if resident and ago == 40 else name,
                                      resident.id if resident and ago == 40 else None,
                                      "山彦市本町9丁目9番9号", day - timedelta(days=ago), reason), today=day, by=by)
