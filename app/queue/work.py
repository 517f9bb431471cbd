"""The counter's queue on the home page's work list (STYLE rule 20): the operator's counter
with the visitors waiting for it, and the visitors waiting at the register."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.models import Counter
from app.core.work_line import WorkLine
from app.extensions import db
from app.queue import services


def _count(query: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)  # type: ignore[attr-defined]


def waiting(user: User, counter: Counter | None) -> list[WorkLine]:
    """`counter`: the one this browser works at (app/core/desk.py), or None before choosing."""
    if user.role not in (Role.operator, Role.supervisor):
        return []
    if counter is not None:
        line = WorkLine(f"{counter.label}の呼出待ち", _count(services.waiting_for_counter(counter)), "queue.counter",
                        group="窓口業務")
    else:
        line = WorkLine("窓口の呼出待ち（全窓口）", sum(services.waiting_counts().values()), "queue.counter",
                        note="窓口を選ぶと、その窓口の待ち人数を表示します。", group="窓口業務")
    return [line, WorkLine("会計待ちの番号", _count(services.cashier_waiting()), "queue.cashier", group="会計")]
