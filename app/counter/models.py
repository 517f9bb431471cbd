"""Tables of the counter: the procedure catalog, visits, cases, their events and fee lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db
from app.queue.models import Ticket
from app.registry.models import Sex


class Category(Labelled):
    certificate = "certificate", "証明書"
    seal = "seal", "印鑑登録"
    move = "move", "住民異動"
    my_number = "my_number", "マイナンバーカード"
    reburial = "reburial", "改葬許可"
    registry_survey = "registry_survey", "住民基本台帳実態調査"
    address_numbering = "address_numbering", "住居表示"
    passport = "passport", "旅券"
    vehicle = "vehicle", "自動車臨時運行許可"
    payment = "payment", "公金収納"
    nhi = "nhi", "国民健康保険"
    medical_subsidy = "medical_subsidy", "医療費給付"
    late_elderly = "late_elderly", "後期高齢者医療"
    national_pension = "national_pension", "国民年金"
    bereavement = "bereavement", "おくやみ"  # 000 §6(15)⑨ おくやみコーナー
    other = "other", "その他"


class RequesterKind(Labelled):
    """Who asks (000 §6(1)①ア, §7(1))."""

    self = "self", "本人"
    household = "household", "同一世帯員"
    proxy = "proxy", "代理人"
    third_party = "third_party", "第三者"
    official = "official", "公用請求"
    postal = "postal", "郵便請求"


# 住民基本台帳法 §12⑤・§12の3⑦: the individual number only on a request by the person or the household
MY_NUMBER_REQUESTERS = frozenset({RequesterKind.self, RequesterKind.household})


class ThirdPartyReason(Labelled):
    """The kinds of 正当な理由 of a third party (住民基本台帳法 §12の3①, 戸籍法 §10の2①)."""

    rights = "rights", "自己の権利を行使し、又は自己の義務を履行するために必要"
    submission = "submission", "国又は地方公共団体の機関に提出する必要"
    other = "other", "その他正当な理由"


class IdentityLevel(Labelled):
    """The identity check a procedure needs (戸籍法施行規則 §11の2 and its like)."""

    photo_or_two = "photo_or_two", "写真付き公的証明書1点、又はその他の書類2点"
    photo = "photo", "写真付き公的証明書1点"
    seal_card = "seal_card", "印鑑登録証の提示"
    none = "none", "不要（氏名・住所の確認のみ）"


class IdentityAlternative(Labelled):
    none = "", "なし"
    inquiry_letter = "inquiry_letter", "照会書（回答書）による確認"


class ProxyAuthority(Labelled):
    power_of_attorney = "power_of_attorney", "委任状"
    seal_card = "seal_card", "印鑑登録証"


class CaseState(Labelled):
    """受付 → 確認 → 入力 → 審査依頼 → 審査 → 交付 → 会計 → 完了, with 保留 and 取下げ
    (app/counter/workflow.py says which step may follow which)."""

    received = "received", "受付"
    checking = "checking", "確認"
    input = "input", "入力"
    review_requested = "review_requested", "審査依頼"
    in_review = "in_review", "審査"
    issue = "issue", "交付"
    payment = "payment", "会計"
    done = "done", "完了"
    withdrawn = "withdrawn", "取下げ"
    on_hold = "on_hold", "保留"


class CaseAction(Labelled):
    """What a line of the case's timeline records: a workflow step (workflow.ACTIONS) or a
    change within a state."""

    receive = "receive", "受付"
    start_check = "start_check", "確認開始"
    confirm_checks = "confirm_checks", "確認完了"
    request_review = "request_review", "審査依頼"
    finish_input = "finish_input", "入力完了"
    start_review = "start_review", "審査開始"
    approve = "approve", "承認"
    return_ = "return", "差戻し"
    issue = "issue", "交付"
    complete_payment = "complete_payment", "収納完了"
    reopen_payment = "reopen_payment", "収納取消（再収納）"
    refund = "refund", "収納取消（返金）"
    cancel_payment = "cancel_payment", "会計取消"
    hold = "hold", "保留"
    resume = "resume", "保留解除"
    withdraw = "withdraw", "取下げ"
    subject = "subject", "対象者の選択"
    requester_match = "requester_match", "照合"
    card_read = "card_read", "カード読取"
    input = "input", "入力"
    payment_void = "payment_void", "収納取消"


class Procedure(db.Model):
    """One entry of the procedure catalog (loaded from catalog.yaml, editable by admin)."""

    __tablename__ = "counter_procedures"
    __table_args__ = (
        one_of("category", Category),
        one_of("identity", IdentityLevel),
        one_of("identity_alternative", IdentityAlternative),
        one_of("proxy_authority", ProxyAuthority),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 30))
    department: Mapped[str] = mapped_column(String(20))
    ticket_category: Mapped[str] = mapped_column(String(30))
    spec_ref: Mapped[str] = mapped_column(String(50))
    law: Mapped[str] = mapped_column(String(30))
    applicants: Mapped[list[str]] = mapped_column(JSON)
    identity: Mapped[IdentityLevel] = mapped_column(StrEnumType(IdentityLevel, 30))
    identity_alternative: Mapped[IdentityAlternative] = mapped_column(StrEnumType(IdentityAlternative, 30),
                                                                      default=IdentityAlternative.none)
    proxy_authority: Mapped[ProxyAuthority] = mapped_column(StrEnumType(ProxyAuthority, 30),
                                                            default=ProxyAuthority.power_of_attorney)
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
    def applicant_kinds(self) -> list[RequesterKind]:
        return [RequesterKind(k) for k in self.applicants]

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

    @property
    def display_name(self) -> str:
        """Who the visitor is on screen: their name, or (received from a called ticket, before
        the card read gives the name) the ticket's number."""
        if self.visitor_name:
            return f"{self.visitor_name} 様"
        return f"番号札 {self.ticket.label} の方" if self.ticket else "（氏名未入力）"


class Case(db.Model):
    """受付: one request or notification going through the workflow (000 §6, §7)."""

    __tablename__ = "counter_cases"
    __table_args__ = (
        Index("ix_counter_cases_state", "state"),
        Index("ix_counter_cases_created_at", "created_at"),
        one_of("state", CaseState),
        one_of("held_from", CaseState),
        one_of("requester_kind", RequesterKind),
        one_of("requester_sex", Sex),
        one_of("third_party_reason_kind", ThirdPartyReason),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("counter_visits.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("counter_procedures.id"))
    state: Mapped[CaseState] = mapped_column(StrEnumType(CaseState, 20), default=CaseState.received)
    state_since: Mapped[datetime] = mapped_column(default=now)
    held_from: Mapped[CaseState | None] = mapped_column(StrEnumType(CaseState, 20))  # set while on hold
    # 確認: who asks, and what was seen
    requester_kind: Mapped[RequesterKind] = mapped_column(StrEnumType(RequesterKind, 20), default=RequesterKind.self)
    requester_name: Mapped[str] = mapped_column(String(100), default="")
    requester_kana: Mapped[str] = mapped_column(String(100), default="")
    requester_birth_date: Mapped[date | None]
    requester_sex: Mapped[Sex | None] = mapped_column(StrEnumType(Sex, 1))
    requester_address: Mapped[str] = mapped_column(String(200), default="")
    requester_phone: Mapped[str] = mapped_column(String(30), default="")
    requester_resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    subject_resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    identity_docs: Mapped[list[str]] = mapped_column(JSON, default=list)
    identity_alternative_used: Mapped[bool] = mapped_column(default=False)
    card_read_at: Mapped[datetime | None]
    power_of_attorney: Mapped[bool] = mapped_column(default=False)
    third_party_reason_kind: Mapped[ThirdPartyReason | None] = mapped_column(StrEnumType(ThirdPartyReason, 20))
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

    @property
    def returned_for_correction(self) -> bool:
        """City staff returned the case and it waits for the operator's correction."""
        return self.returned and self.state == CaseState.input


class CaseEvent(db.Model):
    """The case timeline: every step, who and when; state changes feed the time-in-state report."""

    __tablename__ = "counter_case_events"
    __table_args__ = (
        Index("ix_counter_case_events_case_id", "case_id"),
        one_of("action", CaseAction),
        one_of("from_state", CaseState),
        one_of("to_state", CaseState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counter_cases.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[CaseAction] = mapped_column(StrEnumType(CaseAction, 30))
    from_state: Mapped[CaseState | None] = mapped_column(StrEnumType(CaseState, 20))  # none: the case's first line
    to_state: Mapped[CaseState] = mapped_column(StrEnumType(CaseState, 20))
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


from app.counter import inquiry_models  # noqa: E402,F401
from app.counter.ledgers import models as ledger_models  # noqa: E402,F401
