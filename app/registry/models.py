"""Tables of the local registry stand-in: households and residents (000 §6(3)①カ).

The individual number (個人番号) is deliberately not a column: it never enters this database
(DESIGN "Hardware", project rule). A real core system answers it through the adapter.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class Sex(Labelled):
    """ISO 5218, as the My Number card's card-face AP answers it (HARDWARE.md)."""

    male = "1", "男"
    female = "2", "女"
    not_applicable = "9", "適用不能"


class ResidentStatus(Labelled):
    active = "active", "住民"
    moved_out = "moved_out", "転出"
    deceased = "deceased", "死亡"


class PensionCategory(Labelled):
    """国民年金の被保険者の種別 (国民年金法 §7)."""

    none = "", "なし"
    first = "1", "第1号"
    second = "2", "第2号"
    third = "3", "第3号"


HEAD = "世帯主"
RELATIONSHIPS: tuple[str, ...] = (
    HEAD, "妻", "夫", "子", "父", "母", "孫", "兄", "姉", "弟", "妹", "祖父", "祖母",
    "子の妻", "子の夫", "妻の父", "妻の母", "同居人", "縁故者",
)


class Household(db.Model):
    __tablename__ = "registry_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    postal_code: Mapped[str] = mapped_column(String(7))
    address: Mapped[str] = mapped_column(String(200))
    created_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    members: Mapped[list[Resident]] = relationship(
        back_populates="household", order_by="Resident.id", foreign_keys="Resident.household_id")


class Resident(db.Model):
    __tablename__ = "registry_residents"
    __table_args__ = (
        Index("ix_registry_residents_birth_date", "birth_date"),
        Index("ix_registry_residents_kana", "family_kana", "given_kana"),
        Index("ix_registry_residents_household_id", "household_id"),
        one_of("sex", Sex),
        one_of("status", ResidentStatus),
        one_of("pension_category", PensionCategory),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id"))
    # declared before the `relationship` column (続柄), which shadows the function below it
    household: Mapped[Household] = relationship(back_populates="members", foreign_keys=[household_id])
    family_name: Mapped[str] = mapped_column(String(50))
    given_name: Mapped[str] = mapped_column(String(50))
    family_kana: Mapped[str] = mapped_column(String(100))
    given_kana: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(StrEnumType(Sex, 1))
    relationship: Mapped[str] = mapped_column(String(20))
    domicile: Mapped[str] = mapped_column(String(200), default="")
    domicile_head: Mapped[str] = mapped_column(String(100), default="")
    resident_since: Mapped[date]
    address_since: Mapped[date]
    notified_on: Mapped[date]
    previous_address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ResidentStatus] = mapped_column(StrEnumType(ResidentStatus, 20), default=ResidentStatus.active)
    left_on: Mapped[date | None]
    left_to: Mapped[str] = mapped_column(String(200), default="")
    nhi_member: Mapped[bool] = mapped_column(default=False)
    pension_category: Mapped[PensionCategory] = mapped_column(StrEnumType(PensionCategory, 1),
                                                              default=PensionCategory.none)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    @property
    def name(self) -> str:
        return f"{self.family_name}\u3000{self.given_name}"

    @property
    def kana(self) -> str:
        return f"{self.family_kana}\u3000{self.given_kana}"

    @property
    def is_head(self) -> bool:
        return self.relationship == HEAD
