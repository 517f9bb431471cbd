"""The register on the home page's work list (STYLE rule 20): bills waiting, voids to decide."""

from __future__ import annotations

from app.auth.models import Role, User
from app.core.work_line import WorkLine
from app.register import services


def waiting(user: User) -> list[WorkLine]:
    if user.role not in (Role.operator, Role.supervisor):
        return []
    lines = [WorkLine("未収の請求（会計待ち）", len(services.open_bills()), "register.index", group="会計")]
    if services.can_decide_voids(user):
        lines.append(WorkLine("収納取消の承認待ち", len(services.pending_void_requests()), "register.voids",
                              group="会計"))
    return lines
