"""What waits for a person at the counter, for the home page's work list (STYLE rule 20)."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from app.auth.models import Role, User
from app.core.dates import today
from app.core.work_line import WorkLine
from app.counter import inquiries, lists
from app.counter.backoffice import cards, forwardings, passports
from app.counter.ledgers import plates, postal
from app.extensions import db


def _count(query: Select[tuple[object]]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def waiting(user: User) -> list[WorkLine]:
    """The operator: their open cases and those the city returned; the city: cases to review."""
    if user.role == Role.city_staff:
        return [WorkLine("審査待ちの案件", _count(lists.waiting_for_review()), "counter.cases", {"list": "review"},
                         group="窓口業務")]
    if user.role in (Role.operator, Role.supervisor):
        return [WorkLine("差戻しされた案件", _count(lists.returned_to(user)), "counter.cases", {"list": "returned"},
                         group="窓口業務"),
                WorkLine("受付中の案件（自分の担当）", _count(lists.my_cases(user)), "counter.cases", {"list": "mine"},
                         group="窓口業務"),
                WorkLine("未回答の苦情", inquiries.open_complaints(), "counter.inquiries_page", {"open_only": "y"},
                         group="窓口業務"),
                WorkLine("本日のおくやみコーナー予約", _bereavement_today(), "bereavement.reservations_page",
                         group="窓口業務"),
                *ledger_lines()]
    return []


def _bereavement_today() -> int:
    from app.bereavement import services as bereavement  # the corner's domain imports the counter's

    return bereavement.today_count(today())


def ledger_lines() -> list[WorkLine]:
    """The ledgers' work (issue 21): plates past their return date (§35⑥: day 6 on), and the
    postal requests whose certificate is not mailed yet."""
    return [WorkLine("返納期限を過ぎた臨時運行許可番号標", _count(plates.overdue_query(today())), "ledgers.overdue",
                     group="窓口業務"),
            WorkLine("未発送の郵便請求", _count(postal.open_query()), "ledgers.postal_page", group="窓口業務"),
            WorkLine("発行後6か月を経過した未交付の旅券", _count(passports.uncollected_query(today())),
                     "backoffice.passports_page", {"list": "uncollected"}, group="窓口業務"),
            WorkLine("回答期限を過ぎた進達", _count(forwardings.overdue_query(today())), "backoffice.forwardings_page",
                     {"list": "overdue"}, group="窓口業務"),
            WorkLine("未処理の不着保険証", _count(cards.open_query()), "backoffice.cards_page", group="窓口業務")]
