"""Tables of the monthly back office (issue 21): the monthly lists and their items, the mail-out
batches and their letters, and the handovers to city staff.

Personal data is not copied here: an item names a resident (or a household, a case) by id and
the registry answers the name and address when a page or a letter needs them (audited there).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class MonthlyListKind(Labelled):
    """The monthly lists 000 §6(11)–(13) name (月次チェック作業)."""

    elderly_recipient = "elderly_recipient", "高齢受給者証の交付対象者（70歳到達）"
    late_elderly_next_month = "late_elderly_next_month", "次月75歳到達者（後期高齢者医療）"
    account_mailing = "account_mailing", "送付先・口座情報の入力確認"


class MonthlyList(db.Model):
    """One month's list of one kind: drawn (when, who), worked through item by item, done."""

    __tablename__ = "monthly_lists"
    __table_args__ = (UniqueConstraint("kind", "month"), one_of("kind", MonthlyListKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MonthlyListKind] = mapped_column(StrEnumType(MonthlyListKind, 30))
    month: Mapped[date]  # the first day of the month the list is of
    drawn_at: Mapped[datetime] = mapped_column(default=now)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[MonthlyListItem]] = relationship(back_populates="list", order_by="MonthlyListItem.id")
    drawn_by = relationship("User", foreign_keys=[drawn_by_id])
    done_by = relationship("User", foreign_keys=[done_by_id])


class MonthlyListItem(db.Model):
    """One person (or one case) on a list, and its check: who ticked it, when, with a note."""

    __tablename__ = "monthly_list_items"
    __table_args__ = (UniqueConstraint("list_id", "resident_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("monthly_lists.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_cases.id"))
    due_on: Mapped[date]  # the day that puts the item on the list (the age reached, the case's day)
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    list: Mapped[MonthlyList] = relationship(back_populates="items")
    checked_by = relationship("User", foreign_keys=[checked_by_id])


class MailOutState(Labelled):
    making = "making", "作成中"
    printable = "printable", "印刷可"
    posted = "posted", "発送済"


class LetterTemplate(Labelled):
    """The letters and cards a mail-out prints (app/counter/monthly/letters.py has their text)."""

    elderly_recipient = "elderly_recipient", "高齢受給者証の送付について"
    late_elderly = "late_elderly", "後期高齢者医療制度への移行のお知らせ"
    account_check = "account_check", "送付先・口座の登録内容のお知らせ"
    registry_survey = "registry_survey", "住民基本台帳 定期実態調査票"


class MailOut(db.Model):
    """A mail-out batch (封入・発送): its letters from one template, the PDF made in the
    background, the counts, the posting date; its letters carry the returns and replies."""

    __tablename__ = "monthly_mailouts"
    __table_args__ = (one_of("state", MailOutState), one_of("template", LetterTemplate))

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[LetterTemplate] = mapped_column(StrEnumType(LetterTemplate, 30))
    title: Mapped[str] = mapped_column(String(200))
    list_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_lists.id"))
    state: Mapped[MailOutState] = mapped_column(StrEnumType(MailOutState, 20), default=MailOutState.making)
    letters: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_by: Mapped[date | None]  # the survey: the replies asked for by then
    posted_on: Mapped[date | None]
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[MailOutItem]] = relationship(back_populates="mailout", order_by="MailOutItem.id")
    created_by = relationship("User", foreign_keys=[created_by_id])
    posted_by = relationship("User", foreign_keys=[posted_by_id])


class MailOutItem(db.Model):
    """One letter: to a resident, or to a household (the survey); returned by the post, or
    replied to (the survey's 調査票), with the day."""

    __tablename__ = "monthly_mailout_items"
    __table_args__ = (Index("ix_monthly_mailout_items_mailout", "mailout_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailout_id: Mapped[int] = mapped_column(ForeignKey("monthly_mailouts.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("registry_households.id"))
    day: Mapped[date | None]  # the date the letter speaks of (the age reached, the case's day)
    returned_on: Mapped[date | None]
    return_note: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None]
    reply_note: Mapped[str] = mapped_column(Text, default="")

    mailout: Mapped[MailOut] = relationship(back_populates="items")


class AnswerMethod(Labelled):
    in_person = "in_person", "対面"
    phone = "phone", "電話"
    memo = "memo", "書面・メモ"


class Handover(db.Model):
    """引継ぎ: work handed to city staff because the judgement is the city's (000 §7(2)):
    what, why, for which case or person, when and by whom; answered when, how, by whom."""

    __tablename__ = "counter_handovers"
    __table_args__ = (one_of("answer_method", AnswerMethod, blank=True),
                      Index("ix_counter_handovers_open", "answered_at", "handed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_cases.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("registry_residents.id"))
    handed_at: Mapped[datetime] = mapped_column(default=now)
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer_method: Mapped[AnswerMethod | str] = mapped_column(StrEnumType(AnswerMethod, 20), default="")
    answer: Mapped[str] = mapped_column(Text, default="")

    handed_by = relationship("User", foreign_keys=[handed_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])


class SubsidyKind(Labelled):
    """医療費給付 (000 §6(12)②; GLOSSARY `medical_subsidy`)."""

    child = "child", "子ども医療費"
    maternity = "maternity", "妊産婦医療費"
    severe_disability = "severe_disability", "重度心身障害者医療費"
    single_parent = "single_parent", "ひとり親家庭等医療費"


class SubsidyCheck(db.Model):
    """申請内容一次チェック of one medical-subsidy benefit application: what was there, what is
    missing (the rules' words, kept as they were on the day), and when it went to the city."""

    __tablename__ = "monthly_subsidy_checks"
    __table_args__ = (one_of("kind", SubsidyKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubsidyKind] = mapped_column(StrEnumType(SubsidyKind, 20))
    resident_id: Mapped[int] = mapped_column(ForeignKey("registry_residents.id"), index=True)
    received_on: Mapped[date]
    present: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(default=now)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("counter_handovers.id"))

    checked_by = relationship("User", foreign_keys=[checked_by_id])
