"""Delivery problems (issue 18 §3; 004 §7(6)オ: 配送遅延又は返礼品の破損等のトラブルは寄附者等へ
対応する, カ: 再出荷依頼はその都度実施する): a delay, damage, a wrong item or a parcel that came
back, recorded with how the donor was reached and what the supplier answered. Where the gift
must go again, a reshipment line (再送) to the same address goes into the supplier's next run.
Complaints are listed for the city (the issue asks for it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.services import FurusatoError
from app.furusato.shipping.models import LineSource, LineState, ProblemKind, ShipmentLine, ShippingProblem

PAGE_SIZE = 50


@dataclass
class ProblemInput:
    kind: str
    detail: str
    donor_contact: str = ""
    supplier_answer: str = ""
    complaint: bool = False
    reship: bool = False


def may_record(line: ShipmentLine) -> bool:
    """A problem is recorded on a line that was ordered or shipped."""
    return line.state in (LineState.ordered, LineState.shipped)


def record_problem(line: ShipmentLine, data: ProblemInput, by: User | None) -> ShippingProblem:
    problems: list[Problem] = []
    if not ProblemKind.has(data.kind):
        problems.append(Problem("kind", "事故・苦情の種類を選んでください。"))
    if not data.detail.strip():
        problems.append(Problem("detail", "内容を入力してください。"))
    if not may_record(line):
        problems.append(Problem("", f"出荷明細 L{line.id} は{line.state.label}です（発注済・発送済の明細だけ）。"))
    if problems:
        raise FurusatoError.of(problems)
    item = ShippingProblem(line_id=line.id, kind=ProblemKind(data.kind), detail=data.detail.strip(),
                           donor_contact=data.donor_contact.strip(), supplier_answer=data.supplier_answer.strip(),
                           complaint=data.complaint, recorded_by=by.username if by is not None else "(system)")
    if data.reship:
        again = ShipmentLine(donation_id=line.donation_id, gift_id=line.gift_id, supplier_id=line.supplier_id,
                             quantity=line.quantity, state=LineState.open, source=LineSource.reshipment,
                             reference=line.reference, name=line.name, postal_code=line.postal_code,
                             address=line.address, building=line.building, phone=line.phone, email=line.email,
                             time_band=line.time_band, reshipment_of_id=line.id)
        db.session.add(again)
        db.session.flush()
        item.reshipment_id = again.id
    db.session.add(item)
    db.session.flush()
    audit.record("create", "furusato_shipment_line", line.id,
                 f"配送の事故・苦情 {item.kind.label}" + ("（再送あり）" if data.reship else ""), by=by)
    return item


def problems_of(line: ShipmentLine) -> list[ShippingProblem]:
    return list(db.session.scalars(select(ShippingProblem).where(ShippingProblem.line_id == line.id)
                                   .order_by(ShippingProblem.id)))


def recent(page: int = 1, complaints_only: bool = False) -> tuple[list[ShippingProblem], int]:
    query = select(ShippingProblem)
    if complaints_only:
        query = query.where(ShippingProblem.complaint.is_(True))
    count = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.session.scalars(query.order_by(ShippingProblem.id.desc()).offset((page - 1) * PAGE_SIZE)
                              .limit(PAGE_SIZE))
    return list(rows), count
