"""The counter manual (業務マニュアル, 000 §10 "業務手順を明らかにした書類等": at the contract, when a
procedure is revised, at its end): the procedure catalog's entries as the counter uses them (the
database's catalog, admin edits included), each with who may apply, the identity check, the
documents to collect, what is entered, the fee, the city's review and what is handed over."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from sqlalchemy import select

from app.core import pdf
from app.core import services as core_services
from app.core.dates import today
from app.counter import catalog
from app.counter.models import Category, Procedure
from app.extensions import db
from app.queue.models import ServiceCategory
from app.register.fees import rates_on
from app.reports.documents import GRID, HEAD


def _rows(procedure: Procedure, fees: dict[str, str], windows: dict[str, str]) -> list[tuple[str, str]]:
    fields = "、".join(f["label"] + ("（必須）" if f.get("required") else "") for f in procedure.fields)
    rows = [
        ("担当課・発券の業務",
         f"{procedure.department_label}・{windows.get(procedure.ticket_category, '（発券なし）')}"),
        ("根拠", f"仕様書 {procedure.spec_ref}"),
        ("申請できる方", "、".join(kind.label for kind in procedure.applicant_kinds)),
        ("本人確認", procedure.identity.label + (f"（代替：{procedure.identity_alternative.label}）"
                                                if procedure.identity_alternative else "")),
        ("代理の権限", procedure.proxy_authority.label),
        ("受け取る書類", "、".join(procedure.documents) or "なし"),
        ("入力項目", fields or "なし"),
        ("手数料", fees.get(procedure.fee_code, "なし") if procedure.fee_code else "なし"),
        ("市職員の審査", "要（審査依頼のうえ承認後に交付）" if procedure.review_required else "不要"),
        ("交付・引渡し", "、".join(procedure.handover) or "なし"),
    ]
    return rows


def _entry(procedure: Procedure, fees: dict[str, str], windows: dict[str, str],
           st: dict) -> Flowable:  # type: ignore[type-arg]
    grid = PdfTable([[Paragraph(pdf.text(k), st["label"]), Paragraph(pdf.text(v), st["cell"])]
                     for k, v in _rows(procedure, fees, windows)], colWidths=[36 * mm, 138 * mm])
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (0, -1), HEAD),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([Paragraph(pdf.text(procedure.name), st["heading"]), grid, Spacer(1, 2 * mm)])


def contents() -> list[tuple[str, list[Procedure]]]:
    """The manual's chapters: the active procedures by category, in the catalog's order."""
    by_category: dict[Category, list[Procedure]] = {}
    for procedure in catalog.list_procedures():
        by_category.setdefault(procedure.category, []).append(procedure)
    return [(category.label, items) for category, items in by_category.items()]


def counter_manual() -> bytes:
    """The manual of every active procedure, by category, with a table of contents."""
    st = pdf.styles()
    municipality = core_services.get_municipality()
    city = municipality.name if municipality else ""
    contractor = municipality.contractor_name if municipality else ""
    rates = rates_on(today())
    fees = {code: f"{rate.label} {rate.amount:,}円／{rate.unit}" for code, rate in rates.items()}
    chapters = contents()
    procedures = [p for _label, items in chapters for p in items]
    windows = {c.code: c.name for c in db.session.scalars(select(ServiceCategory))}
    story: list[Flowable] = [Paragraph("窓口業務 業務マニュアル", st["title"]),
                             Paragraph(f"{pdf.text(city)}　受託者 {pdf.text(contractor)}", st["right"]),
                             Paragraph(f"{pdf.document_date(today())}現在の手続カタログ（{len(procedures)}手続）",
                                       st["body"]), Spacer(1, 4 * mm), Paragraph("目次", st["heading"])]
    for label, items in chapters:
        story.append(Paragraph(f"{pdf.text(label)}（{len(items)}手続）：" +
                               pdf.text("、".join(p.name for p in items)), st["small"]))
    for label, items in chapters:
        story.append(PageBreak())
        story.append(Paragraph(pdf.text(label), st["title"]))
        for procedure in items:
            story.append(CondPageBreak(60 * mm))
            story.append(_entry(procedure, fees, windows, st))
    return pdf.build(story, "業務マニュアル", contractor or "Yakuba",
                     on_page=pdf.page_decorator(city, "窓口業務 業務マニュアル"))
