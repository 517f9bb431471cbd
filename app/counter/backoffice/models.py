"""Tables of the back-office ledgers: 旅券 (000 §6(8)), 住居番号の通知 (000 §6(7)), 進達
(000 §6(11)⑪) and 不着保険証 (000 §6(11) ク)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class PassportKind(Labelled):
    ten_years = "ten_years", "一般旅券（10年）"
    five_years = "five_years", "一般旅券（5年）"
    amended = "amended", "記載事項変更旅券"


class PassportApplication(db.Model):
    """One line of the passport ledger: received at the counter (000 §6(8)①②), sent to the
    prefecture, arrived with its issue date, handed out with the identity checked (③), or
    returned to the prefecture once it lapsed uncollected (旅券法 §18①二)."""

    __tablename__ = "counter_passport_applications"
    __table_args__ = (
        one_of("kind", PassportKind),
        CheckConstraint("handed_on IS NULL OR returned_on IS NULL", name="handed_or_returned"),
        Index("ix_counter_passport_applications_uncollected", "handed_on", "returned_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_address: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PassportKind] = mapped_column(StrEnumType(PassportKind, 20))
    received_on: Mapped[date]
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_on: Mapped[date | None]  # to the prefecture
    arrived_on: Mapped[date | None]
    issued_on: Mapped[date | None]  # 発行日 printed in the passport
    handed_on: Mapped[date | None]
    identity_document: Mapped[str] = mapped_column(String(100), default="")
    identity_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_on: Mapped[date | None]  # the lapsed passport back to the prefecture
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    identity_checked_by: Mapped[User | None] = relationship(foreign_keys=[identity_checked_by_id])


class HouseNumberNotice(db.Model):
    """A 住居番号 assigned to a building and notified to its owner or occupant (000 §6(7)): a
    number is given once within its 街区 (住居表示に関する法律 §2一)."""

    __tablename__ = "counter_house_number_notices"
    __table_args__ = (UniqueConstraint("fiscal_year", "serial"), UniqueConstraint("block", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    serial: Mapped[int]
    block: Mapped[str] = mapped_column(String(200))  # 町名・街区符号: 山彦市本町一丁目3番
    number: Mapped[str] = mapped_column(String(20))  # 住居番号: 12 or 12-3
    building: Mapped[str] = mapped_column(String(200), default="")
    person_name: Mapped[str] = mapped_column(String(100))
    person_role: Mapped[str] = mapped_column(String(20))  # 所有者 / 占有者
    applied_on: Mapped[date]
    issued_on: Mapped[date]
    handed_on: Mapped[date | None]  # 通知書等の引渡し (000 §6(7)②)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    issued_by: Mapped[User] = relationship()

    @property
    def notice_number(self) -> str:
        return f"{self.fiscal_year}-{self.serial:04d}"

    @property
    def address(self) -> str:
        return f"{self.block}{self.number}号"


class Destination(Labelled):
    city_department = "city_department", "市の担当課"
    other_office = "other_office", "他の行政機関"


class Forwarding(db.Model):
    """進達 (000 §6(11)⑪): papers the counter received and forwarded, to whom and when, with the
    answer expected by a day and the answer when it came."""

    __tablename__ = "counter_forwardings"
    __table_args__ = (one_of("destination_kind", Destination),
                      CheckConstraint("due_on >= sent_on", name="due_after_sent"),
                      Index("ix_counter_forwardings_open", "answered_on", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(String(200))
    person_name: Mapped[str] = mapped_column(String(100), default="")  # whom the papers are about
    destination_kind: Mapped[Destination] = mapped_column(StrEnumType(Destination, 20))
    destination: Mapped[str] = mapped_column(String(100))
    sent_on: Mapped[date]
    due_on: Mapped[date]
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[date | None]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    sent_by: Mapped[User] = relationship(foreign_keys=[sent_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class CardKind(Labelled):
    nhi = "nhi", "国民健康保険被保険者証"
    late_elderly = "late_elderly", "後期高齢者医療被保険者証"
    elderly = "elderly", "高齢受給者証"
    limit = "limit", "限度額適用認定証"


class ReturnReason(Labelled):
    unknown = "unknown", "宛所に尋ねあたらず"
    moved = "moved", "転居先不明"
    kept = "kept", "保管期間経過"
    refused = "refused", "受取拒絶"
    other = "other", "その他"


class AddressCheck(Labelled):
    same = "same", "住民記録の住所と一致"
    differs = "differs", "住民記録の住所と相違"
    left = "left", "転出・消除済"


class ReturnedCard(db.Model):
    """不着保険証 (000 §6(11) ク「整理管理、委託者への引渡し」): a card the post brought back, its
    follow-up (address check with the registry, call) and its end: handed over or destroyed,
    never both (the CHECK says so on both databases)."""

    __tablename__ = "counter_returned_cards"
    __table_args__ = (
        one_of("kind", CardKind), one_of("reason", ReturnReason), one_of("address_check", AddressCheck, blank=True),
        CheckConstraint("handed_on IS NULL OR destroyed_on IS NULL", name="handed_or_destroyed"),
        Index("ix_counter_returned_cards_open", "handed_on", "destroyed_on", "returned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CardKind] = mapped_column(StrEnumType(CardKind, 20))
    person_name: Mapped[str] = mapped_column(String(100))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    mailed_address: Mapped[str] = mapped_column(String(200))
    returned_on: Mapped[date]
    reason: Mapped[ReturnReason] = mapped_column(StrEnumType(ReturnReason, 20))
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    address_checked_on: Mapped[date | None]
    address_check: Mapped[AddressCheck | str] = mapped_column(StrEnumType(AddressCheck, 20), default="")
    registry_address: Mapped[str] = mapped_column(String(200), default="")
    called_on: Mapped[date | None]
    call_note: Mapped[str] = mapped_column(String(200), default="")
    handed_on: Mapped[date | None]
    handed_to: Mapped[str] = mapped_column(String(100), default="")
    destroyed_on: Mapped[date | None]
    destroyed_reason: Mapped[str] = mapped_column(String(200), default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.handed_on is None and self.destroyed_on is None
