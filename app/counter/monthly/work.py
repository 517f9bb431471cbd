"""The monthly back office's lines on the home page's work list (STYLE rule 20): the lists still
being checked and the mail-outs printed but not posted for the counter's staff; the handovers
waiting for an answer for city staff (and, for the counter, how many they are still waiting on)."""

from __future__ import annotations

from app.auth.models import Role, User
from app.core.work_line import WorkLine
from app.counter.monthly import handovers, lists, mailouts, subsidy

GROUP = "窓口業務"


def waiting(user: User) -> list[WorkLine]:
    if user.role == Role.city_staff:
        return [WorkLine("受託者からの引継ぎ（回答待ち）", handovers.open_count(), "monthly.handovers_page",
                         group=GROUP)]
    if user.role in (Role.operator, Role.supervisor):
        return [WorkLine("月次チェック（確認中の一覧）", len(lists.open_lists()), "monthly.index", group=GROUP),
                WorkLine("封入・発送（発送待ち）", mailouts.waiting_to_post(), "monthly.mailouts_page", group=GROUP),
                WorkLine("医療費給付（チェック済・市へ未送付）", subsidy.waiting(), "monthly.subsidy_page",
                         group=GROUP),
                WorkLine("市職員への引継ぎ（回答待ち）", handovers.open_count(), "monthly.handovers_page", group=GROUP)]
    return []
