"""The monthly report's sections on shipping runs and problems (004 §7(6)), one-stop handled
against its deadlines (§7(11)) and the settlement (§7(7), §13, the cost ratio), appended to
app/furusato/reports/sections.py SECTIONS. They count the whole programme: the analytics page's
portal filter does not apply (a shipment or an application is not one portal's)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core.charts import Series, bar_chart
from app.extensions import db
from app.furusato.onestop.applications import deadline as receipt_deadline
from app.furusato.onestop.models import OPEN_STATES, OneStopApplication
from app.furusato.onestop.review import handover_deadline
from app.furusato.reports.sections import Scope, Section, _in
from app.furusato.settlement import costs, ratio, services
from app.furusato.shipping.models import LineSource, LineState, OrderRun, ProblemKind, ShipmentLine, ShippingProblem


def _count(model: object, *where: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def shipping(scope: Scope) -> Section:
    """出荷依頼 runs, parcels shipped, reshipments and the problems recorded in the period."""
    runs, ordered = db.session.execute(select(func.count(OrderRun.id), func.coalesce(func.sum(OrderRun.line_count), 0))
                                       .where(*_in(OrderRun.ordered_at, scope))).one()
    shipped = [ShipmentLine.state == LineState.shipped, ShipmentLine.shipped_on >= scope.start,
               ShipmentLine.shipped_on < scope.end]
    problems = {k: int(n) for k, n in db.session.execute(
        select(ShippingProblem.kind, func.count(ShippingProblem.id)).where(*_in(ShippingProblem.recorded_at, scope))
        .group_by(ShippingProblem.kind))}
    rows: list[tuple[object, ...]] = [
        ("出荷依頼（回）", int(runs)), ("出荷依頼した明細（件）", int(ordered)),
        ("出荷した明細（個口）", _count(ShipmentLine, *shipped)),
        ("うち再送（個口）", _count(ShipmentLine, *shipped, ShipmentLine.source == LineSource.reshipment)),
        *((f"配送の事故：{k.label}（件）", problems.get(k, 0)) for k in ProblemKind),
        ("うち苦情として受けたもの（件）", _count(ShippingProblem, *_in(ShippingProblem.recorded_at, scope),
                                       ShippingProblem.complaint.is_(True)))]
    chart = bar_chart("配送の事故の種類別件数", [k.label for k in ProblemKind],
                      [Series("件数", [problems.get(k, 0) for k in ProblemKind])], unit="件")
    return Section("返礼品の出荷と配送の事故", ("項目", "値"), rows, [chart])


def onestop(scope: Scope) -> Section:
    """ワンストップ特例: received and accepted in the period, still open at its end, and the
    notices handed to the home municipalities against the 31 January deadline."""
    last_day = scope.end - timedelta(days=1)
    handed = db.session.execute(select(OneStopApplication.tax_year, OneStopApplication.handed_over_at)
                                .where(*_in(OneStopApplication.handed_over_at, scope))).all()
    on_time = sum(1 for year, at in handed if at.date() <= handover_deadline(year))
    year = last_day.year - 1 if last_day.month == 1 else last_day.year
    rows: list[tuple[object, ...]] = [
        ("受け付けた申請書（件）", _count(OneStopApplication, OneStopApplication.received_on >= scope.start,
                                   OneStopApplication.received_on < scope.end)),
        ("受理した申請書（件）", _count(OneStopApplication, *_in(OneStopApplication.accepted_at, scope))),
        ("期末時点の審査待ち・不備（件）", _count(OneStopApplication, OneStopApplication.state.in_(OPEN_STATES),
                                         OneStopApplication.received_on < scope.end)),
        ("市町村へ通知した申請（件）", len(handed)), ("うち通知期限（翌年1月31日）内（件）", on_time),
        (f"{year}年分の受付期限・通知期限", f"{receipt_deadline(year):%Y-%m-%d}・{handover_deadline(year):%Y-%m-%d}")]
    return Section("ワンストップ特例申請の処理", ("項目", "値"), rows)


def settlement(scope: Scope) -> Section:
    """The period's statements by supplier, the §13 figures, and the fiscal year's cost ratio
    up to the period's end."""
    rows: list[tuple[object, ...]] = []
    for s in services.statements(scope.start):
        rows.append((f"{s.supplier.name}（{s.state.label}）", f"{s.parcels}個口・{s.count}点",
                     s.procurement, s.shipping))
    c = costs.costs(scope.start, scope.end)
    rows += [("基本委託料（13(1)）", f"算定基礎 {c.commission_base:,}円", c.commission, ""),
             ("受領証明書等発送費（13(4)）", "", c.certificates, ""),
             ("ワンストップ特例申請処理費（13(5)）", f"{c.onestop_count}件", c.onestop, ""),
             ("広告・PR費（13(6)）", "", c.advertising, ""), ("請求額の合計", "", c.total, "")]
    found = ratio.cost_ratio(scope.end - timedelta(days=1))
    note = (f"経費率（{found.year}年度、期末まで）：{found.percent}"
            f"（費用 {found.cost:,}円／受入額 {found.received:,}円、5割基準。"
            "市が直接契約するポータル・決済の手数料を含む"
            + ("。下限値：" + "、".join(found.missing) if found.lower_bound else "") + "）")
    return Section("精算と業務委託料", ("項目", "数量", "金額（円）", "うち配送料（円）"), rows, note=note)


SECTIONS = [shipping, onestop, settlement]
