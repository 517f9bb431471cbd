"""The 臨時運行許可証 (道路運送車両法 §35④⑤: it states the purpose, the route and the period) and
the letter reminding a holder whose plate is past its return date (§35⑥), as PDFs with the
embedded font (app/core/pdf.py)."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.core import pdf
from app.core.models import Municipality
from app.core.services import get_municipality
from app.counter.ledgers.models import TemporaryPermit
from app.counter.ledgers.plates import LedgerError

DEPARTMENT = "市民課"


def _rows(permit: TemporaryPermit, cell: object) -> Table:
    values = [
        ("許可番号", permit.permit_number),
        ("臨時運行許可番号標", permit.plate.number),
        ("許可を受けた者", f"{permit.applicant_address}<br/>{pdf.text(permit.applicant_name)}"),
        ("車名", permit.vehicle_name),
        ("車台番号", permit.chassis_number),
        ("運行の目的", permit.purpose),
        ("運行の経路", permit.route),
        ("有効期間", f"{pdf.document_date(permit.period_from)}から{pdf.document_date(permit.period_to)}まで"),
        ("返納期限", f"{pdf.document_date(permit.due_return)}（有効期間満了の日から5日以内）"),
    ]
    rows = [[Paragraph(label, cell), Paragraph(value if label == "許可を受けた者" else pdf.text(value), cell)]
            for label, value in values]
    table = Table(rows, colWidths=[42 * mm, 130 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _city() -> Municipality:
    city = get_municipality()
    if city is None:
        raise LedgerError("自治体設定（市の名称・市長名）が登録されていません。管理者に連絡してください。")
    return city


def permit_pdf(permit: TemporaryPermit) -> bytes:
    city = _city()
    s = pdf.styles()
    story: list[Flowable] = [
        Paragraph("臨時運行許可証", s["title"]),
        Paragraph(f"{pdf.document_date(permit.issued_at.date())}", s["right"]),
        Spacer(0, 4 * mm),
        Paragraph("道路運送車両法第34条の規定により、次のとおり臨時運行を許可します。", s["body"]),
        Spacer(0, 4 * mm),
        _rows(permit, s["cell"]),
        Spacer(0, 6 * mm),
        Paragraph("注意　この許可証は運行中携帯し、番号標は車両の前面及び後面の見やすい位置に表示してください。"
                  "有効期間が満了したときは、その日から5日以内に許可証及び番号標を返納してください"
                  "（道路運送車両法第35条第6項）。", s["small"]),
        Spacer(0, 10 * mm),
        Paragraph(f"{pdf.text(city.name)}長　{pdf.text(city.mayor_name)}", s["right"]),
    ]
    return pdf.build(story, f"臨時運行許可証 {permit.permit_number}", city.name,
                     pdf.page_decorator(city.name, DEPARTMENT, f"許可番号 {permit.permit_number}"))


def reminder_pdf(permit: TemporaryPermit, today: date) -> bytes:
    city = _city()
    s = pdf.styles()
    story: list[Flowable] = [
        Paragraph(pdf.document_date(today), s["right"]),
        Spacer(0, 4 * mm),
        Paragraph(f"{pdf.text(permit.applicant_address)}<br/>{pdf.text(permit.applicant_name)}　様", s["body"]),
        Spacer(0, 4 * mm),
        Paragraph(f"{pdf.text(city.name)}長　{pdf.text(city.mayor_name)}", s["right"]),
        Spacer(0, 6 * mm),
        Paragraph("臨時運行許可番号標の返納について（督促）", s["heading"]),
        Paragraph("次の臨時運行許可について、有効期間が満了した日から5日以内の返納（道路運送車両法第35条第6項）が"
                  "まだ確認できません。至急、臨時運行許可証及び臨時運行許可番号標を市民課の窓口へ返納してください。"
                  "既に返納済みの場合は、行き違いですのでご容赦ください。", s["body"]),
        Spacer(0, 4 * mm),
        _rows(permit, s["cell"]),
    ]
    return pdf.build(story, f"返納督促 {permit.permit_number}", city.name,
                     pdf.page_decorator(city.name, DEPARTMENT, f"許可番号 {permit.permit_number}"))
