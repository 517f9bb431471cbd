"""The settlement's lines on the donation office's home page: last month's supplier statements
not yet confirmed, invoices to the city not yet paid, and the fiscal year's cost ratio with its
warning before the 5-割 line (ratio.py)."""

from __future__ import annotations

from datetime import date

from app.auth.models import Role, User
from app.core.work_line import WorkLine
from app.furusato.settlement import ratio, services
from app.furusato.settlement.models import SupplierMonthState
from app.reports.due import previous_month

GROUP = "ふるさと納税"


def cost_ratio_line(today: date) -> WorkLine:
    found = ratio.cost_ratio(today)
    at_least = "以上（手数料率の未登録あり）" if found.lower_bound else ""
    note = f"{found.year}年度 {found.percent}{at_least}（費用 {found.cost:,}円／受入額 {found.received:,}円）"
    if found.over:
        note += "：5割を超えています"
    elif found.warning:
        note += f"：{ratio.WARN_AT * 100:.0f}%を超えました。5割に近づいています"
    return WorkLine("経費率（募集適正基準の5割）の警告", int(found.warning), "furusato.cost_ratio", note=note,
                    group=GROUP)


def lines(user: User, today: date) -> list[WorkLine]:
    shown: list[WorkLine] = []
    if user.role in (Role.operator, Role.supervisor):
        month = previous_month(today.replace(day=1))
        waiting = sum(1 for s in services.statements(month) if s.state != SupplierMonthState.confirmed)
        shown.append(WorkLine(f"返礼品提供事業者の出荷明細（{month:%-m月}分・未確認）", waiting, "furusato.settlement",
                              {"month": f"{month:%Y-%m}"}, group=GROUP))
    if user.role in (Role.operator, Role.supervisor, Role.city_staff):
        shown.append(WorkLine("市への請求（未入金）", services.unpaid_count(), "furusato.settlement", group=GROUP))
        shown.append(cost_ratio_line(today))
    return shown
