"""Tables of the counter: the procedure catalog, visits, cases, their events and fee lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.extensions import db
from app.queue.models import Ticket

CATEGORIES: dict[str, str] = {
    "certificate": "証明書",
    "seal": "印鑑登録",
    "move": "住民異動",
    "my_number": "マイナンバーカード",
    "reburial": "改葬許可",
    "registry_survey": "住民基本台帳実態調査",
    "address_numbering": "住居表示",
    "passport": "旅券",
    "vehicle": "自動車臨時運行許可",
    "payment": "公金収納",
    "nhi": "国民健康保険",
    "medical_subsidy": "医療費給付",
    "late_elderly": "後期高齢者医療",
    "national_pension": "国民年金",
    "other": "その他",
}
REQUESTER_KINDS: dict[str, str] = {
    "self": "本人",
    "household": "同一世帯員",
    "proxy": "代理人",
    "third_party": "第三者",
    "official": "公用請求",
    "postal": "郵便請求",
}
THIRD_PARTY_REASONS: dict[str, str] = {
    "rights": "自己の権利を行使し、又は自己の義務を履行するために必要",
    "submission": "国又は地方公共団体の機関に提出する必要",
    "other": "その他正当な理由",
}


class Procedure(db.Model):
    """One entry of the procedure catalog (loaded from catalog.yaml, editable by admin)."""

    __tablename__ = "counter_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30))
    department: Mapped[str] = mapped_column(String(20))
    ticket_category: Mapped[str] = mapped_column(String(30))
    spec_ref: Mapped[str] = mapped_column(String(50))
    law: Mapped[str] = mapped_column(String(30))
    applicants: Mapped[list[str]] = mapped_column(JSON)
    identity: Mapped[str] = mapped_column(String(30))
    identity_alternative: Mapped[str] = mapped_column(String(30), default="")
    proxy_authority: Mapped[str] = mapped_column(String(30), default="power_of_attorney")
    documents: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fee_code: Mapped[str] = mapped_column(String(30), default="")
    review_required: Mapped[bool]
    handover: Mapped[list[str]] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    # set when an admin edits the entry: reloading catalog.yaml then leaves it as the admin made it
    admin_edited_at: Mapped[datetime | None]

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def department_label(self) -> str:
        from app.core.models import DEPARTMENTS

        return DEPARTMENTS.get(self.department, self.department)

    def field(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f["name"] == name), None)


class Visit(db.Model):
    """One visitor at the counter, carrying one or more cases; `ticket_id` is the numbered
    ticket they were called with (none for a visitor served without one)."""

    __tablename__ = "counter_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("queue_tickets.id"))
    ticket: Mapped[Ticket | None] = relationship()
    visitor_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cases: Mapped[list[Case]] = relationship(back_populates="visit", order_by="Case.id")


class Case(db.Model):
    """受付: one request or notification going through the workflow (000 §6, §7)."""

    __tablename__ = "counter_cases"
    __table_args__ = (
        Index("ix_counter_cases_state", "state"),
        Index("ix_counter_cases_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("counter_visits.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("counter_procedures.id"))
    state: Mapped[str] = mapped_column(String(20), default="received")
    state_since: Mapped[datetime] = mapped_column(default=now)
    held_from: Mapped[str] = mapped_column(String(20), default="")
    # 確認: who asks, and what was seen
    requester_kind: Mapped[str] = mapped_column(String(20), default="self")
    requester_name: Mapped[str] = mapped_column(String(100), default="")
    requester_kana: Mapped[str] = mapped_column(String(100), default="")
    requester_birth_date: Mapped[date | None]
    requester_sex: Mapped[str] = mapped_column(String(1), default="")
    requester_address: Mapped[str] = mapped_column(String(200), default="")
    requester_phone: Mapped[str] = mapped_column(String(30), default="")
    requester_resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    subject_resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    identity_docs: Mapped[list[str]] = mapped_column(JSON, default=list)
    identity_alternative_used: Mapped[bool] = mapped_column(default=False)
    card_read_at: Mapped[datetime | None]
    power_of_attorney: Mapped[bool] = mapped_column(default=False)
    third_party_reason_kind: Mapped[str] = mapped_column(String(20), default="")
    third_party_reason: Mapped[str] = mapped_column(Text, default="")
    third_party_documents: Mapped[str] = mapped_column(Text, default="")
    official_office: Mapped[str] = mapped_column(String(100), default="")
    official_basis: Mapped[str] = mapped_column(String(200), default="")
    content_checked: Mapped[bool] = mapped_column(default=False)
    documents_checked: Mapped[list[str]] = mapped_column(JSON, default=list)
    # 入力
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # 審査
    return_reason: Mapped[str] = mapped_column(Text, default="")
    returned: Mapped[bool] = mapped_column(default=False)
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    issued_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    closed_at: Mapped[datetime | None]

    visit: Mapped[Visit] = relationship(back_populates="cases")
    procedure: Mapped[Procedure] = relationship()
    operator: Mapped[User | None] = relationship(foreign_keys=[operator_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    fee_lines: Mapped[list[FeeLine]] = relationship(back_populates="case", order_by="FeeLine.id")


class CaseEvent(db.Model):
    """The case timeline: every step, who and when; state changes feed the time-in-state report."""

    __tablename__ = "counter_case_events"
    __table_args__ = (Index("ix_counter_case_events_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counter_cases.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")


class FeeLine(db.Model):
    """A fee the register collects for a case (000 §6(1)③イ, §6(10)). Amounts are integer yen;
    a 公用 request is free (official_free) but still listed so the register can count it."""

    __tablename__ = "counter_fee_lines"
    __table_args__ = (Index("ix_counter_fee_lines_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counter_cases.id"))
    fee_code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    unit_amount: Mapped[int]
    official_free: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)

    case: Mapped[Case] = relationship(back_populates="fee_lines")

    @property
    def amount(self) -> int:
        return 0 if self.official_free else self.quantity * self.unit_amount
