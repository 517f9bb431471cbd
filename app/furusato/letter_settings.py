"""What the office sets for the certificate envelopes (issue 16 §2): the letter's template per
fiscal year, the address block's place for its window envelopes, and the Issuer the renderer
signs with (the city's settings and its seal, app/core)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core import services as core
from app.core.dates import fiscal_year
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.envelopes import CertificateLine, Envelope, Issuer, Recipient
from app.furusato.letter import EnvelopeLayout, LetterRefused, LetterTemplate, check_template
from app.furusato.letter_models import EnvelopeSettings, LetterTemplateRow

LEFT_MM, TOP_MM = (0.0, 120.0), (0.0, 60.0)  # the block stays in the top third of the sheet


def template_for(fiscal_year: int) -> LetterTemplate:
    """The year's template, or the latest earlier year's, or the default text."""
    row = db.session.scalar(select(LetterTemplateRow).where(LetterTemplateRow.fiscal_year <= fiscal_year)
                            .order_by(LetterTemplateRow.fiscal_year.desc()).limit(1))
    return LetterTemplate(body=row.body, title=row.title) if row else LetterTemplate()


def save_template(fiscal_year: int, title: str, body: str, *, by: User | None) -> LetterTemplateRow:
    """Refused (nothing saved) when the text names an unknown placeholder or is empty."""
    template = LetterTemplate(body=body.replace("\r\n", "\n").strip(), title=title.strip())
    problems = [] if template.title else [Problem("title", "お礼状の表題を入力してください。")]
    try:
        check_template(template)
    except LetterRefused as refused:
        problems += refused.problems
    if problems:
        raise LetterRefused.of(problems)
    row = db.session.scalar(select(LetterTemplateRow).where(LetterTemplateRow.fiscal_year == fiscal_year))
    if row is None:
        row = LetterTemplateRow(fiscal_year=fiscal_year)
        db.session.add(row)
    row.title, row.body, row.updated_by_id = template.title, template.body, by.id if by else None
    db.session.flush()
    audit.record("update", "furusato_letter_template", row.id, f"{fiscal_year}年度のお礼状", by=by)
    return row


def preview_problems(template: LetterTemplate) -> list[str]:
    """Why a typed template cannot be printed (empty when it can), for the live preview."""
    try:
        check_template(template)
    except LetterRefused as refused:
        return [problem.message for problem in refused.problems]
    return []


def envelope_settings() -> EnvelopeSettings:
    """The single row (not saved until the office saves it)."""
    return db.session.scalar(select(EnvelopeSettings).limit(1)) or EnvelopeSettings(
        address_left_mm=EnvelopeLayout.address_left_mm, address_top_mm=EnvelopeLayout.address_top_mm,
        office_name="", office_phone="")


def layout() -> EnvelopeLayout:
    row = envelope_settings()
    return EnvelopeLayout(address_left_mm=row.address_left_mm, address_top_mm=row.address_top_mm)


@dataclass(frozen=True)
class LayoutInput:
    address_left_mm: float | None
    address_top_mm: float | None
    office_name: str
    office_phone: str


def layout_problems(data: LayoutInput) -> list[Problem]:
    problems = []
    for name, (low, high), label in (("address_left_mm", LEFT_MM, "左端から"), ("address_top_mm", TOP_MM, "上端から")):
        value = getattr(data, name)
        if value is None or not low <= value <= high:
            problems.append(Problem(name, f"宛名の位置（{label}）は {low:g}〜{high:g} mm で入力してください。"))
    return problems


def save_layout(data: LayoutInput, *, by: User | None) -> EnvelopeSettings:
    if problems := layout_problems(data):
        raise LetterRefused.of(problems)
    row = envelope_settings()
    db.session.add(row)
    row.address_left_mm, row.address_top_mm = float(data.address_left_mm or 0), float(data.address_top_mm or 0)
    row.office_name, row.office_phone = data.office_name.strip(), data.office_phone.strip()
    row.updated_by_id = by.id if by else None
    db.session.flush()
    audit.record("update", "furusato_envelope_settings", row.id,
                 f"宛名の位置 左{row.address_left_mm:g}mm 上{row.address_top_mm:g}mm", by=by)
    return row


def issuer() -> Issuer:
    """The city as the certificates sign: its settings, its seal (None until uploaded: the
    renderer then refuses the batch) and the office that answers questions."""
    city = core.get_municipality()
    office = envelope_settings()
    return Issuer(city_name=city.name if city else "", mayor_title="市長", mayor_name=city.mayor_name if city else "",
                  seal_png=city.seal_png if city else None, seal_mm=city.seal_mm if city else 21.0,
                  office_name=office.office_name or "ふるさと納税担当", office_address=city.address if city else "",
                  office_phone=office.office_phone, postal_code=(city.postal_code if city else "").replace("-", ""))


def sample_envelope(day: date) -> Envelope:
    """A made-up donor for the preview of the letter (never a real person's data)."""
    recipient = Recipient(name="見本　花子", postal_code="1000001",
                          address="東京都千代田区千代田1番1号　見本マンション101号室")
    line = CertificateLine(fiscal_year=fiscal_year(day), number=1, amount=30000, paid_on=day, applied_on=day,
                           use="子育て支援", gift="季節の果物詰め合わせ")
    return Envelope(recipient, (line,))
