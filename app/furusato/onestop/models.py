"""Tables of the one-stop applications (issue 17).

An application (寄附金税額控除に係る申告特例申請書) is of one donor and one tax year (the
calendar year of the donations it covers); it covers one or more donations of that year. The
individual number is only ever stored encrypted (onestop/vault.py): `number_cipher` holds the
token, `number_tail` the last four digits for the masked display (●●●●●●●●1234), which the
national practice shows on screens and letters (the full number is never shown but to a
事務取扱担当者).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class ApplicationState(Labelled):
    received = "received", "受付（審査待ち）"
    deficient = "deficient", "不備あり（補正待ち）"
    accepted = "accepted", "受理"
    withdrawn = "withdrawn", "取下げ（確定申告へ）"


OPEN_STATES = (ApplicationState.received, ApplicationState.deficient)


class IntakeChannel(Labelled):
    paper = "paper", "郵送（紙）"
    online = "online", "オンライン"


class MatchState(Labelled):
    matched = "matched", "照合済"
    uncertain = "uncertain", "要確認"
    unmatched = "unmatched", "該当なし"


class DeficiencyReason(Labelled):
    """The reasons a deficiency letter names (issue 17 §2)."""

    form_incomplete = "form_incomplete", "申請書の記載事項に不足があります"
    number_document = "number_document", "番号確認書類（個人番号の確認書類）が不足しています"
    identity_document = "identity_document", "身元確認書類（本人確認書類）が不足しています"
    declaration = "declaration", "申告特例の要件（確定申告不要・5団体以内）へのチェックがありません"
    donation_missing = "donation_missing", "申請書の寄附を確認できません"
    number_invalid = "number_invalid", "個人番号の記載に誤りがあります"


class NoticeKind(Labelled):
    deficiency = "deficiency", "不備のお知らせ"
    acknowledgement = "acknowledgement", "受付済み通知"


class NoticeMethod(Labelled):
    post = "post", "郵送"
    email = "email", "メール"


class NoticeState(Labelled):
    queued = "queued", "送付待ち"
    sent = "sent", "送付済"
    failed = "failed", "送信失敗"


class ChangeKind(Labelled):
    change = "change", "変更届"
    withdrawal = "withdrawal", "取下げ"
    correction = "correction", "職員による補正"


class OneStopApplication(db.Model):
    __tablename__ = "furusato_onestop_applications"
    __table_args__ = (one_of("state", ApplicationState), one_of("channel", IntakeChannel),
                      one_of("match", MatchState), one_of("deficiency", DeficiencyReason, blank=True),
                      one_of("ack_method", NoticeMethod, blank=True),
                      Index("ix_furusato_onestop_applications_year_state", "tax_year", "state"),
                      Index("ix_furusato_onestop_applications_home", "tax_year", "home_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_year: Mapped[int]  # 申告特例対象年: the calendar year of the donations
    channel: Mapped[IntakeChannel] = mapped_column(StrEnumType(IntakeChannel, 10))
    state: Mapped[ApplicationState] = mapped_column(StrEnumType(ApplicationState, 10),
                                                    default=ApplicationState.received)
    received_on: Mapped[date]
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    match: Mapped[MatchState] = mapped_column(StrEnumType(MatchState, 10), default=MatchState.unmatched)
    # The applicant as the form gives them (a 変更届 updates these, with history).
    name: Mapped[str] = mapped_column(String(100), default="")
    kana: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None]
    gender: Mapped[str] = mapped_column(String(2), default="")  # 男 / 女 as on the form; "" not given
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # The home municipality (住所地の市区町村): 6-digit code with its check digit, and its name.
    home_code: Mapped[str] = mapped_column(String(6), default="")
    home_name: Mapped[str] = mapped_column(String(50), default="")
    # The individual number, encrypted (vault.py); the tail for the mask; erased after retention.
    number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    number_tail: Mapped[str] = mapped_column(String(4), default="")
    number_erased_at: Mapped[datetime | None]
    # The review checklist (review.py).
    form_complete: Mapped[bool] = mapped_column(default=False)
    id_documents: Mapped[str] = mapped_column(String(200), default="")  # codes, comma-separated
    declared_no_return: Mapped[bool] = mapped_column(default=False)
    declared_five_or_fewer: Mapped[bool] = mapped_column(default=False)
    deficiency: Mapped[DeficiencyReason | str] = mapped_column(StrEnumType(DeficiencyReason, 20), default="")
    deficiency_note: Mapped[str] = mapped_column(Text, default="")
    deficient_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None]
    ack_method: Mapped[NoticeMethod | str] = mapped_column(StrEnumType(NoticeMethod, 10), default="")
    withdrawn_at: Mapped[datetime | None]
    # Handed over in a municipality's file; a change after that marks the next file a correction.
    handed_over_at: Mapped[datetime | None]
    changed_after_handover: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    covered: Mapped[list[OneStopDonation]] = relationship(back_populates="application",
                                                          order_by="OneStopDonation.id",
                                                          cascade="all, delete-orphan")
    donor = relationship("Donor")

    @property
    def masked_number(self) -> str:
        """●●●●●●●●1234, the only form of the number outside the vault; "" once erased."""
        return ("●" * 8 + self.number_tail) if self.number_tail and self.number_erased_at is None else ""

    @property
    def document_codes(self) -> list[str]:
        return [c for c in self.id_documents.split(",") if c]


class OneStopDonation(db.Model):
    """A donation an application covers (a donor sends one form per donation, or one for
    several; the office links each)."""

    __tablename__ = "furusato_onestop_donations"
    __table_args__ = (UniqueConstraint("application_id", "donation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("furusato_onestop_applications.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)

    application: Mapped[OneStopApplication] = relationship(back_populates="covered")
    donation = relationship("Donation")


class OneStopChange(db.Model):
    """History of an application: 変更届, 取下げ, staff corrections (field, before, after). The
    individual number appears here only masked."""

    __tablename__ = "furusato_onestop_changes"
    __table_args__ = (one_of("kind", ChangeKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("furusato_onestop_applications.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(StrEnumType(ChangeKind, 12))
    field: Mapped[str] = mapped_column(String(30), default="")
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date | None]
    at: Mapped[datetime] = mapped_column(default=now)
    by: Mapped[str] = mapped_column(String(64), default="")


class OneStopImage(db.Model):
    """A scanned page (or uploaded PDF/JPEG) of an application, encrypted like the number."""

    __tablename__ = "furusato_onestop_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("furusato_onestop_applications.id"), index=True)
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=now)
    erased_at: Mapped[datetime | None]


class OneStopNotice(db.Model):
    """A deficiency letter or an acknowledgement, by post (a PDF for the print room) or e-mail."""

    __tablename__ = "furusato_onestop_notices"
    __table_args__ = (one_of("kind", NoticeKind), one_of("method", NoticeMethod), one_of("state", NoticeState))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("furusato_onestop_applications.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(StrEnumType(NoticeKind, 20))
    method: Mapped[NoticeMethod] = mapped_column(StrEnumType(NoticeMethod, 10))
    state: Mapped[NoticeState] = mapped_column(StrEnumType(NoticeState, 10), default=NoticeState.queued)
    error: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]


class OneStopHandover(db.Model):
    """One municipality's 申告特例通知書 file of one year: what it held, and its handover to the
    city (when, how, by whom). A file built after a late change is marked a correction."""

    __tablename__ = "furusato_onestop_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_year: Mapped[int]
    home_code: Mapped[str] = mapped_column(String(6), index=True)
    home_name: Mapped[str] = mapped_column(String(50), default="")
    rows: Mapped[int]
    total: Mapped[int]  # yen
    correction: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(default=now)
    built_by: Mapped[str] = mapped_column(String(64), default="")
    handed_at: Mapped[datetime | None]
    handed_how: Mapped[str] = mapped_column(String(100), default="")
    handed_by: Mapped[str] = mapped_column(String(64), default="")


class PostalOverride(db.Model):
    """A postal code that spans municipalities: the address text that decides, and the code."""

    __tablename__ = "furusato_onestop_postal_overrides"
    __table_args__ = (UniqueConstraint("postal_code", "address_contains"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    postal_code: Mapped[str] = mapped_column(String(7))
    address_contains: Mapped[str] = mapped_column(String(100))
    home_code: Mapped[str] = mapped_column(String(6))
    home_name: Mapped[str] = mapped_column(String(50))


class OnlineFileState(Labelled):
    queued = "queued", "取込待ち"
    done = "done", "取込済み"
    refused = "refused", "取り込めませんでした"


class OneStopOnlineFile(db.Model):
    """An online service's file uploaded on the one-stop page (004 §7(11)オ), kept encrypted like
    the numbers it holds (vault.seal_bytes) until its import has run: the task that imports it
    gets only this row's id. When the import ends, imported or refused, the ciphertext is
    cleared (erased_at): the numbers live on sealed in the applications, and a refused file is
    sent again corrected. `problems` are the messages of the refused rows, which name the row
    and the column, never a value of the number's column."""

    __tablename__ = "furusato_onestop_online_files"
    __table_args__ = (one_of("state", OnlineFileState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    profile: Mapped[str] = mapped_column(String(100))  # the profile file's name in onestop/profiles
    size: Mapped[int]
    cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[OnlineFileState] = mapped_column(StrEnumType(OnlineFileState, 10), default=OnlineFileState.queued)
    received: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    application_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    uploaded_by = relationship("User")
