"""The 住居番号通知書 (000 §6(7)②; 住居表示に関する法律 §3③: the numbers are notified to the persons
concerned), a PDF with the embedded font (app/core/pdf.py), dated in 和暦."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.core import pdf
from app.core.services import get_municipality
from app.counter.backoffice.common import BackofficeError
from app.counter.backoffice.models import HouseNumberNotice

DEPARTMENT = "市民課"


def notice_pdf(notice: HouseNumberNotice) -> bytes:
    city = get_municipality()
    if city is None:
        raise BackofficeError("自治体設定（市の名称・市長名）が登録されていません。管理者に連絡してください。")
    s = pdf.styles()
    rows = [("通知番号", notice.notice_number), ("住居表示（住所）", notice.address), ("町名・街区符号", notice.block),
            ("住居番号", f"{notice.number}号"), ("建物の名称", notice.building or "―"),
            (notice.person_role, notice.person_name), ("申請日", pdf.document_date(notice.applied_on))]
    table = Table([[Paragraph(label, s["cell"]), Paragraph(pdf.text(value), s["cell"])] for label, value in rows],
                  colWidths=[42 * mm, 130 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story: list[Flowable] = [
        Paragraph("住居番号通知書", s["title"]),
        Paragraph(pdf.document_date(notice.issued_on), s["right"]),
        Spacer(0, 4 * mm),
        Paragraph(f"{pdf.text(notice.person_name)}　様", s["body"]),
        Spacer(0, 4 * mm),
        Paragraph("住居表示に関する法律に基づき、次の建物の住居番号を定めましたので通知します。", s["body"]),
        Spacer(0, 4 * mm),
        table,
        Spacer(0, 6 * mm),
        Paragraph("住所の表示には上記の住居表示を用いてください。住居番号表示板は建物の入口など見やすい場所に"
                  "掲示してください。", s["small"]),
        Spacer(0, 10 * mm),
        Paragraph(f"{pdf.text(city.name)}長　{pdf.text(city.mayor_name)}", s["right"]),
    ]
    return pdf.build(story, f"住居番号通知書 {notice.notice_number}", city.name,
                     pdf.page_decorator(city.name, DEPARTMENT, f"通知番号 {notice.notice_number}"))
