"""Seal registration (印鑑登録, 000 §6(2)): applications, the seal record and certificates.

How the domain meets the others:
- registry: the applicant is picked from the resident registry; `resident_id` and
  `household_id` point at it, and name, kana, birth date and address are a snapshot of the
  registry record at reception (the record takes a fresh one at approval);
- counter: an application opened from a counter case keeps `case_id`; the case's own review is
  not used, the city reviews the application here (000 §7(2));
- register: issuing a certificate opens a bill (source type "seal_certificate"); when the
  cashier takes it, the register's paid hook sets the certificate's `payment_id`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.counter.models import Case
from app.extensions import db


class ApplicationKind(Labelled):
    registration = "registration", "印鑑登録申請"
    abolition = "abolition", "印鑑登録廃止申請"
    loss = "loss", "印鑑登録証亡失届"


ENDINGS = (ApplicationKind.abolition, ApplicationKind.loss)  # what ends a seal record


class ApplicationState(Labelled):
    received = "received", "受付"
    inquiry = "inquiry", "照会中"
    review = "review", "審査待ち"
    returned = "returned", "差戻し"
    approved = "approved", "承認済"
    expired = "expired", "期限切れ"
    withdrawn = "withdrawn", "取下げ"


OPEN_STATES = (ApplicationState.received, ApplicationState.inquiry, ApplicationState.review,
               ApplicationState.returned)
CLOSED_STATES = (ApplicationState.approved, ApplicationState.expired, ApplicationState.withdrawn)
#: The states in which the counter still works on an application (impression, inquiry, withdrawal).
AT_COUNTER = (ApplicationState.received, ApplicationState.inquiry, ApplicationState.returned)
#: The states from which the counter asks the city to review.
REVIEWABLE = (ApplicationState.received, ApplicationState.returned)


class ApplicantKind(Labelled):
    self = "self", "本人"
    proxy = "proxy", "代理人"


class IdentityPath(Labelled):
    photo_id = "photo_id", "官公署発行の写真付き本人確認書類（即日登録）"
    inquiry = "inquiry", "照会書・回答書による確認（文書照会）"


class IdDocument(Labelled):
    my_number_card = "my_number_card", "マイナンバーカード"
    driver_license = "driver_license", "運転免許証"
    passport = "passport", "旅券"
    residence_card = "residence_card", "在留カード・特別永住者証明書"
    other_photo_id = "other_photo_id", "その他官公署発行の写真付き証明書"


class RecordStatus(Labelled):
    active = "active", "登録中"
    abolished = "abolished", "廃止"


class SealApplication(db.Model):
    """One registration, abolition or loss notification, from the counter to city review."""

    __tablename__ = "seal_applications"
    __table_args__ = (
        one_of("kind", ApplicationKind),
        one_of("state", ApplicationState),
        one_of("applicant_kind", ApplicantKind),
        one_of("identity_path", IdentityPath),
        one_of("id_document", IdDocument, blank=True),
        one_of("reply_id_document", IdDocument, blank=True),
        Index("ix_seal_applications_state", "state", "id"),
        Index("ix_seal_applications_resident", "resident_id"),
        Index("ix_seal_applications_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApplicationKind] = mapped_column(StrEnumType(ApplicationKind, 20))
    state: Mapped[ApplicationState] = mapped_column(StrEnumType(ApplicationState, 12),
                                                    default=ApplicationState.received)
    # the applicant in the registry, and a snapshot of the record (see the module docstring)
    resident_id: Mapped[int] = mapped_column(ForeignKey("registry_residents.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id"))
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    address: Mapped[str] = mapped_column(String(200))
    applicant_kind: Mapped[ApplicantKind] = mapped_column(StrEnumType(ApplicantKind, 10),
                                                          default=ApplicantKind.self)
    proxy_name: Mapped[str] = mapped_column(String(100), default="")
    identity_path: Mapped[IdentityPath] = mapped_column(StrEnumType(IdentityPath, 12),
                                                        default=IdentityPath.photo_id)
    id_document: Mapped[IdDocument | str] = mapped_column(StrEnumType(IdDocument, 20), default="")
    # the impression and its checks (registration only)
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    dpi: Mapped[int | None]
    side_mm: Mapped[float | None]
    check_ok: Mapped[bool | None]
    check_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    confirm_name: Mapped[bool] = mapped_column(default=False)
    confirm_not_rubber: Mapped[bool] = mapped_column(default=False)
    confirm_no_title: Mapped[bool] = mapped_column(default=False)
    # the inquiry letter path (照会書・回答書)
    inquiry_sent_on: Mapped[date | None]
    reply_deadline: Mapped[date | None]
    reply_received_on: Mapped[date | None]
    reply_id_document: Mapped[IdDocument | str] = mapped_column(StrEnumType(IdDocument, 20), default="")
    # the seal record this registration created, or the one an abolition or loss ends
    record_id: Mapped[int | None] = mapped_column(ForeignKey("seal_records.id"))
    review_requested_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    # the counter case the application was opened from, if any
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_cases.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    record: Mapped[SealRecord | None] = relationship(foreign_keys=[record_id])
    case: Mapped[Case | None] = relationship()


    @property
    def applicant_label(self) -> str:
        label = self.applicant_kind.label
        return f"{label}（{self.proxy_name}）" if self.applicant_kind == ApplicantKind.proxy else label

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_registration(self) -> bool:
        return self.kind == ApplicationKind.registration

    @property
    def by_inquiry(self) -> bool:
        """A registration whose identity is confirmed by the inquiry letter (照会書・回答書)."""
        return self.is_registration and self.identity_path == IdentityPath.inquiry


class SealRecord(db.Model):
    """印鑑登録原票: the registered impression, its measured size and the card (印鑑登録証)."""

    __tablename__ = "seal_records"
    __table_args__ = (one_of("status", RecordStatus), Index("ix_seal_records_household", "household_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("registry_residents.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id"))
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    address: Mapped[str] = mapped_column(String(200))
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    dpi: Mapped[int]
    side_mm: Mapped[float]
    status: Mapped[RecordStatus] = mapped_column(StrEnumType(RecordStatus, 12), default=RecordStatus.active)
    card_valid: Mapped[bool] = mapped_column(default=True)
    registered_on: Mapped[date]
    abolished_on: Mapped[date | None]
    abolition_reason: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)


    @property
    def is_active(self) -> bool:
        return self.status == RecordStatus.active


class SealCertificate(db.Model):
    """One issue of 印鑑登録証明書 on presentation of the card, with its fee line: the register
    collects it as a bill and, once paid, its hook fills in `payment_id`."""

    __tablename__ = "seal_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("seal_records.id"), index=True)
    card_number: Mapped[str] = mapped_column(String(16))
    copies: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    address: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fee_code: Mapped[str] = mapped_column(String(40), default="seal_certificate")
    unit_fee: Mapped[int]
    amount: Mapped[int]
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    record: Mapped[SealRecord] = relationship()
