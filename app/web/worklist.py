"""A role's home page is its work list (STYLE rule 20, issue 15 §5): each domain says what
waits for the user (its `work.py`), and the list keeps the lines whose page the user may open."""

from __future__ import annotations

from app.auth.access import may_use
from app.auth.models import User
from app.core.dates import today
from app.core.models import Counter
from app.core.work_line import WorkLine
from app.counter import work as counter_work
from app.counter.monthly import work as monthly_work
from app.furusato import work as furusato_work
from app.queue import work as queue_work
from app.register import work as register_work
from app.staff import work as staff_work
from app.staff.programmes import Programme


def work_lines(user: User, counter: Counter | None) -> list[WorkLine]:
    """Every line for the user, grouped as the menu groups them; zero counts stay (a list that
    says 0件 tells the user there is nothing to do), the staff register's only when not zero."""
    lines = [*queue_work.waiting(user, counter), *counter_work.waiting(user), *monthly_work.waiting(user),
             *register_work.waiting(user),
             *furusato_work.waiting(user, today())]
    lines += [WorkLine(w.label, w.count, w.endpoint, {"programme": w.programme},
                       group=f"{Programme(w.programme).label}の体制") for w in staff_work.waiting(user)]
    return [line for line in lines if may_use(line.endpoint, user)]


def grouped(lines: list[WorkLine]) -> list[tuple[str, list[WorkLine]]]:
    groups: dict[str, list[WorkLine]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line)
    return list(groups.items())
