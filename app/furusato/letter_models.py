"""The thank-you letter's template (one per fiscal year) and where the window envelope's address
block is printed (a single row): the office edits both on /furusato/settings/letter
(app/furusato/letter_settings.py; issue 16 §2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.extensions import db


class LetterTemplateRow(db.Model):
    """お礼状の本文 of a fiscal year; a year without one uses the latest earlier year's."""

    __tablename__ = "furusato_letter_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EnvelopeSettings(db.Model):
    """The address block's place on the A4 sheet (mm from its top-left corner) and the office
    the letter names for questions: a single row."""

    __tablename__ = "furusato_envelope_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_left_mm: Mapped[float] = mapped_column(default=25.0)
    address_top_mm: Mapped[float] = mapped_column(default=18.0)
    office_name: Mapped[str] = mapped_column(String(100), default="")
    office_phone: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
