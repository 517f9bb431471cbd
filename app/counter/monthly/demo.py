"""Demo data of the monthly back office, as `make run` loads it: a few residents of 山彦市 who
reach 70 this month or are 75 from a day of next month (the synthetic registry may have none),
this month's lists drawn by the demo operator, and one handover waiting for the city's answer.
Idempotent: loaded once (nothing is added when the demo handover is there)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.dates import today
from app.counter.monthly import handovers, lists
from app.counter.monthly.ages import month_bounds, next_month
from app.counter.monthly.models import Handover, MonthlyListKind
from app.extensions import db
from app.registry.models import HEAD, Household, Resident

DEMO_HANDOVER = "子ども医療費 申請の所得要件（市の判断）"
PEOPLE = (  # (family, given, kana, sex, years, day of the month the age starts, nhi member, next month?)
    ("古川", "春男", ("フルカワ", "ハルオ"), "1", 70, 12, True, False),
    ("古川", "秋子", ("フルカワ", "アキコ"), "2", 70, 1, True, False),
    ("長井", "寿", ("ナガイ", "ヒサシ"), "1", 75, 5, False, True),
    ("長井", "松子", ("ナガイ", "マツコ"), "2", 75, 20, True, True),
)


def _born(years: int, day: int, in_next_month: bool) -> date:
    month = next_month(today()) if in_next_month else today().replace(day=1)
    first_of_age = month.replace(day=min(day, month_bounds(month)[1].day))
    if not in_next_month:  # reaches `years` this month: the day before the birthday is in it
        first_of_age += timedelta(days=1)
    return first_of_age.replace(year=first_of_age.year - years)


def load() -> None:
    if db.session.scalar(select(Handover.id).where(Handover.what == DEMO_HANDOVER)) is not None:
        return
    families: dict[str, Household] = {}
    for family, given, (family_kana, given_kana), sex, years, day, nhi, in_next in PEOPLE:
        household = families.get(family)
        if household is None:
            household = Household(postal_code="0290001", address=f"岩手県山彦市本町{len(families) + 3}丁目1番",
                                  created_on=date(1990, 4, 1))
            db.session.add(household)
            families[family] = household
        born = _born(years, day, in_next)
        db.session.add(Resident(household=household, family_name=family, given_name=given, family_kana=family_kana,
                                given_kana=given_kana, birth_date=born, sex=sex,
                                relationship=HEAD if not household.members else "妻", resident_since=date(1990, 4, 1),
                                address_since=date(1990, 4, 1), notified_on=date(1990, 4, 1), nhi_member=nhi))
        db.session.flush()
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    if operator is None:
        return
    for kind in (MonthlyListKind.elderly_recipient, MonthlyListKind.late_elderly_next_month):
        lists.draw(kind, today(), by=operator)
    handovers.hand_over(handovers.HandoverInput(
        what=DEMO_HANDOVER, reason="世帯の所得が基準額付近のため、受給資格の判断を市に依頼します（000 §7(2)）。"),
        by=operator)
