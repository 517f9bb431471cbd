"""Order runs (出荷依頼, issue 18 §3): a supplier's open lines ordered at once, at least twice a
week (004 §7(6)イ 「返礼品提供事業者からの返礼品の発送は、原則、週2回以上行うこと。…本市の承諾を
得た場合はその限りでない。」), on the weekdays of the supplier's schedule (fewer where the city
approved an exception: gifts/models.Supplier). A run
writes the supplier's order sheet (PDF and CSV) and moves its lines to 発注済.

A supplier without a valid undertaking is not ordered from, and a line for a gift that is not
approved or listed (paused, ended) stops the run: the message names the line, nothing changes.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date

from huey import crontab
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core import pdf
from app.core.calendar import next_office_day
from app.core.dates import today
from app.core.refusal import Problem
from app.core.spreadsheet import writer
from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.gifts.models import Supplier
from app.furusato.services import FurusatoError
from app.furusato.shipping import lines as shipment_lines
from app.furusato.shipping.models import LineState, OrderRun, ShipmentLine
from app.tasks.engine import periodic

log = logging.getLogger(__name__)


def run_problems(supplier: Supplier, open_lines: list[ShipmentLine], day: date) -> list[Problem]:
    problems: list[Problem] = []
    missing = gifts.missing_undertakings(supplier, day)
    if missing:
        problems.append(Problem("supplier", f"{supplier.name}は有効な誓約書（{'、'.join(k.label for k in missing)}）が"
                                "ないため発注できません（仕様書 7(6)ケ）。"))
    for line in open_lines:
        if line.gift.state not in gifts.ORDERABLE:
            problems.append(Problem("gift", f"出荷明細 L{line.id}（{line.reference}）：返礼品「{line.gift.name}」は"
                                    f"{line.gift.state.label}のため発注できません。"))
    return problems


def open_lines_of(supplier: Supplier) -> list[ShipmentLine]:
    return list(db.session.scalars(select(ShipmentLine).where(
        ShipmentLine.supplier_id == supplier.id, ShipmentLine.state == LineState.open).order_by(ShipmentLine.id)))


def run_order(supplier: Supplier, by: User | None, day: date | None = None) -> OrderRun | None:
    """Order the supplier's open lines (after making the lines of newly paid donations). None
    when there is nothing to order."""
    day = day or today()
    shipment_lines.collect(by)
    pending = open_lines_of(supplier)
    if not pending:
        return None
    problems = run_problems(supplier, pending, day)
    if problems:
        raise FurusatoError.of(problems, f"{supplier.name}への発注はできません。何も変更していません。")
    run = OrderRun(supplier_id=supplier.id, ship_on=next_office_day(day), line_count=len(pending),
                   username=by.username if by is not None else "(system)")
    db.session.add(run)
    db.session.flush()
    for line in pending:
        line.state, line.run_id = LineState.ordered, run.id
    audit.record("create", "furusato_order_run", run.id, f"{supplier.name}へ出荷依頼 {len(pending)}件", by=by)
    return run


@dataclass(frozen=True)
class RunOutcome:
    supplier: Supplier
    run: OrderRun | None
    refused: str = ""


def run_suppliers(suppliers: list[Supplier], by: User | None, day: date | None = None) -> list[RunOutcome]:
    """Each supplier in its own savepoint: one refused supplier does not stop the others."""
    outcomes = []
    for supplier in suppliers:
        savepoint = db.session.begin_nested()
        try:
            outcomes.append(RunOutcome(supplier, run_order(supplier, by, day)))
            savepoint.commit()
        except FurusatoError as exc:
            savepoint.rollback()
            outcomes.append(RunOutcome(supplier, None, "；".join(p.message for p in exc.problems)))
    return outcomes


def due_suppliers(day: date) -> list[Supplier]:
    """Suppliers whose order day is `day` and who have had no run that day."""
    ran = set(db.session.scalars(select(OrderRun.supplier_id).where(OrderRun.ship_on == next_office_day(day))))
    return [s for s in gifts.suppliers() if day.weekday() in s.weekdays and s.id not in ran]


@periodic(crontab(hour="9", minute="0"), "furusato.shipping.order_runs", at_start=True)
def scheduled_runs() -> None:
    """Each morning: the runs of the suppliers whose order day it is (004 §7(6)イ)."""
    for outcome in run_suppliers(due_suppliers(today()), None):
        if outcome.refused:
            log.warning("order run refused for supplier %s: %s", outcome.supplier.code, outcome.refused)


def latest_run() -> OrderRun | None:
    return db.session.scalar(select(OrderRun).order_by(OrderRun.id.desc()).limit(1))


def runs(limit: int = 50) -> list[OrderRun]:
    return list(db.session.scalars(select(OrderRun).order_by(OrderRun.id.desc()).limit(limit)))


def lines_of(run: OrderRun) -> list[ShipmentLine]:
    return list(db.session.scalars(select(ShipmentLine).where(ShipmentLine.run_id == run.id).order_by(ShipmentLine.id)))


# --- the order sheet -------------------------------------------------------------------------

SHEET_HEADER = ("管理番号", "注文番号", "返礼品コード", "返礼品名", "数量", "温度帯", "お届け先氏名", "郵便番号",
                "住所", "建物名", "電話番号", "お届け希望日", "配達時間帯")


def _sheet_rows(run: OrderRun) -> list[list[str]]:
    return [[f"L{line.id}", line.reference, line.gift.code, line.gift.name, str(line.quantity),
             line.gift.shipping_class.label, line.name, line.postal_code, line.address, line.building, line.phone,
             line.wish_date.isoformat() if line.wish_date else "",
             line.time_band.label if hasattr(line.time_band, "label") else ""] for line in lines_of(run)]


def sheet_csv(run: OrderRun, by: User | None) -> bytes:
    """The order sheet as CSV (Shift_JIS, as the suppliers' spreadsheets open it)."""
    out = io.StringIO()
    w = writer(out, lineterminator="\r\n")
    w.writerow(SHEET_HEADER)
    w.writerows(_sheet_rows(run))
    audit.record("export", "furusato_order_run", run.id, f"出荷依頼書CSV {run.line_count}件", by=by)
    return out.getvalue().encode("cp932", errors="replace")


def sheet_pdf(run: OrderRun, by: User | None) -> bytes:
    """The order sheet as an A4 PDF with the embedded font."""
    style = pdf.styles()
    supplier = run.supplier
    story = [Paragraph(f"出荷依頼書　{pdf.text(supplier.name)} 御中", style["title"]),
             Paragraph(f"依頼番号 {run.id}　依頼日 {run.ordered_at:%Y-%m-%d}　出荷予定日 {run.ship_on:%Y-%m-%d}"
                       f"　{run.line_count}件", style["body"]), Spacer(1, 4 * mm)]
    heads = ("管理番号", "返礼品", "数量", "温度帯", "お届け先", "希望日・時間帯")
    cells = [[Paragraph(h, style["label"]) for h in heads]]
    for row in _sheet_rows(run):
        cells.append([Paragraph(pdf.text(v), style["small"]) for v in (
            row[0], f"{row[2]} {row[3]}", row[4], row[5], f"{row[6]}様 〒{row[7]} {row[8]}{row[9]} {row[10]}",
            f"{row[11]} {row[12]}")])
    table = Table(cells, colWidths=[18 * mm, 42 * mm, 10 * mm, 12 * mm, 64 * mm, 28 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    audit.record("export", "furusato_order_run", run.id, f"出荷依頼書PDF {run.line_count}件", by=by)
    return pdf.build(story, f"出荷依頼書 {run.id}", "Yakuba")

