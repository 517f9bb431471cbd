"""Tables of the staff register, the handling areas, the incidents, the contract's end and the
disposal requests of both programmes (廃棄・消去, app/staff/disposal.py).

Every row belongs to one programme (`counter` or `furusato`): the two contracts may have two
contractors, and each city section sees its own contractor only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.dates import now, today
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db
from app.staff.programmes import Programme


class Post(Labelled):
    """004 特記事項 §3(1); the counter's contract calls them 管理責任者・業務従事者 (000 別紙 §3)."""

    lead = "lead", "作業責任者"
    worker = "worker", "作業従事者"


class ChangeState(Labelled):
    requested = "requested", "承認待ち"
    approved = "approved", "承認済み"
    rejected = "rejected", "不承認"


class WorkerChangeKind(Labelled):
    joined = "joined", "従事開始"
    left = "left", "従事終了"


class IncidentKind(Labelled):
    """The kinds of 事故 the counter-reports issue (#20) names, and the donation programme's."""

    leak = "leak", "個人情報の漏えい・流出"
    wrong_person = "wrong_person", "誤交付・誤送付"
    lost = "lost", "書類・媒体の紛失"
    misuse = "misuse", "目的外利用・不正アクセス"
    cash_difference = "cash_difference", "現金過不足"
    other = "other", "その他"


class IncidentState(Labelled):
    reported = "reported", "市へ報告済み（確認待ち）"
    acknowledged = "acknowledged", "市が確認"
    closed = "closed", "完了（再発防止策を記録）"


class DisposalState(Labelled):
    requested = "requested", "承認待ち"
    approved = "approved", "承認済み"
    rejected = "rejected", "不承認"
    running = "running", "廃棄中"
    done = "done", "廃棄済み"


class DisposalKind(Labelled):
    """What a disposal request disposes of: all of a programme's personal data at the contract's
    end (app/staff/erasure.py), or one kind of the donation office's records past its retention
    period (app/furusato/retention/kinds.py). Each kind's rules are data of app/staff/disposal.py."""

    contract_end = "contract_end", "契約終了時の個人情報（全件）"
    donation = "donation", "寄附の記録（申込・入金・修正・疑義対応）"
    inquiry = "inquiry", "問い合わせの記録"
    onestop = "onestop", "ワンストップ特例申請の個人番号・申請書画像（引渡し後）"


class StaffDocument(db.Model):
    """An uploaded paper: a signed pledge (誓約書) or a training material, a PDF or an image.
    Kept in the database like the seal images and import files, so it is written or rolled
    back with the row that names it."""

    __tablename__ = "staff_documents"
    __table_args__ = (one_of("programme", Programme),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StaffEntry(db.Model):
    """One person's term in a programme's register: 作業責任者 or 作業従事者 from `start_on` to
    `end_on` (the last day; None while they work). A login account may be tied to it: once the
    term has ended, that account cannot log in."""

    __tablename__ = "staff_entries"
    __table_args__ = (
        one_of("programme", Programme),
        one_of("post", Post),
        Index("ix_staff_entries_programme_post", "programme", "post"),
        Index("ix_staff_entries_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    post: Mapped[Post] = mapped_column(StrEnumType(Post, 10))
    name: Mapped[str] = mapped_column(String(100))
    duty: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pledge_signed_on: Mapped[date | None]
    pledge_document_id: Mapped[int | None] = mapped_column(ForeignKey("staff_documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    user: Mapped[User | None] = relationship()
    pledge_document: Mapped[StaffDocument | None] = relationship()

    def ended(self, on: date | None = None) -> bool:
        return self.end_on is not None and self.end_on < (on or today())

    def current(self, on: date | None = None) -> bool:
        day = on or today()
        return self.start_on <= day and not self.ended(day)

    @property
    def programme_label(self) -> str:
        return Programme(self.programme).label

    @property
    def pledged(self) -> bool:
        return self.pledge_signed_on is not None and self.pledge_document_id is not None


class LeadChange(db.Model):
    """A request to change the 作業責任者: filed in writing before the change and approved by
    the city (004 特記事項 §3(3), 000 別紙 §3(3)); until then the present one stays."""

    __tablename__ = "staff_lead_changes"
    __table_args__ = (one_of("programme", Programme), one_of("state", ChangeState),
                      Index("ix_staff_lead_changes_programme", "programme", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    current_entry_id: Mapped[int] = mapped_column(ForeignKey("staff_entries.id"))
    name: Mapped[str] = mapped_column(String(100))
    duty: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ChangeState] = mapped_column(StrEnumType(ChangeState, 12), default=ChangeState.requested)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    new_entry_id: Mapped[int | None] = mapped_column(ForeignKey("staff_entries.id"))

    current_entry: Mapped[StaffEntry] = relationship(foreign_keys=[current_entry_id])
    new_entry: Mapped[StaffEntry | None] = relationship(foreign_keys=[new_entry_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class WorkerChange(db.Model):
    """A change of 作業従事者, reported in writing to the city (004 特記事項 §3(4), 000 別紙
    §3(4)): written when one starts or ends, and seen by the city."""

    __tablename__ = "staff_worker_changes"
    __table_args__ = (one_of("programme", Programme), one_of("kind", WorkerChangeKind),
                      Index("ix_staff_worker_changes_programme", "programme"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[int] = mapped_column(ForeignKey("staff_entries.id"))
    kind: Mapped[WorkerChangeKind] = mapped_column(StrEnumType(WorkerChangeKind, 10))
    effective_on: Mapped[date]
    reported_at: Mapped[datetime] = mapped_column(default=now)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seen_at: Mapped[datetime | None]

    entry: Mapped[StaffEntry] = relationship()
    seen_by: Mapped[User | None] = relationship(foreign_keys=[seen_by_id])


class Training(db.Model):
    """A session of the education the contractor gives every worker, with its plan (実施計画),
    date, material and who attended (004 特記事項 §5, 000 別紙 §5, 000 §12)."""

    __tablename__ = "staff_trainings"
    __table_args__ = (one_of("programme", Programme), Index("ix_staff_trainings_programme", "programme", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text)
    held_on: Mapped[date]
    material_document_id: Mapped[int | None] = mapped_column(ForeignKey("staff_documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    material: Mapped[StaffDocument | None] = relationship()
    attendees: Mapped[list[StaffEntry]] = relationship(secondary="staff_training_attendance",
                                                       order_by="StaffEntry.name")


class TrainingAttendance(db.Model):
    __tablename__ = "staff_training_attendance"

    training_id: Mapped[int] = mapped_column(ForeignKey("staff_trainings.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("staff_entries.id"), primary_key=True)


class HandlingArea(db.Model):
    """取扱区域: where the programme's personal data is handled, reported to the city before
    the work starts (004 特記事項 §4(1); 作業場所, 000 別紙 §4)."""

    __tablename__ = "staff_handling_areas"
    __table_args__ = (one_of("programme", Programme), Index("ix_staff_handling_areas_programme", "programme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    measures: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    # The city saw the report (§4(1)) or approved the change (§4(2)); a change of an area the
    # city has seen is a new row that replaces it once approved, until then inactive.
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("staff_handling_areas.id"))

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    replaces: Mapped[HandlingArea | None] = relationship(remote_side=[id], foreign_keys=[replaces_id])

    @property
    def pending(self) -> bool:
        """A change applied for and not approved yet."""
        return self.replaces_id is not None and self.approved_at is None

    @property
    def status(self) -> str:
        if self.pending:
            return "変更申請中（市の承認待ち）"
        if not self.active:
            return "廃止・変更済み"
        return "使用中" if self.approved_at else "使用中（市の確認待ち）"

    @property
    def programme_label(self) -> str:
        return Programme(self.programme).label


class Incident(db.Model):
    """An incident (事故), reported to the city at once with the data concerned, how many, where
    and what happened (004 特記事項 §15(1), 000 別紙 §14(1)); the city acknowledges it and gives
    its instruction; it stays open until its prevention measures are recorded."""

    __tablename__ = "staff_incidents"
    __table_args__ = (one_of("programme", Programme), one_of("kind", IncidentKind), one_of("state", IncidentState),
                      Index("ix_staff_incidents_programme_state", "programme", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    kind: Mapped[IncidentKind] = mapped_column(StrEnumType(IncidentKind, 20))
    state: Mapped[IncidentState] = mapped_column(StrEnumType(IncidentState, 20), default=IncidentState.reported)
    occurred_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    what_happened: Mapped[str] = mapped_column(Text)
    data_involved: Mapped[str] = mapped_column(Text)
    people_count: Mapped[int]
    actions_taken: Mapped[str] = mapped_column(Text)
    prevention: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(default=now)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    city_instruction: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]

    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])


class DisposalRequest(db.Model):
    """廃棄申請 and, once carried out, 廃棄記録 (004 特記事項 §12(2)・(5); 000 別紙 §11) of either
    programme: the items, medium, quantity, method and planned date applied for in writing
    beforehand; the city's decision (承諾); who carried it out, when, and how much."""

    __tablename__ = "disposal_requests"
    __table_args__ = (one_of("programme", Programme), one_of("kind", DisposalKind), one_of("state", DisposalState),
                      Index("ix_disposal_requests_programme_state", "programme", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(20))
    kind: Mapped[DisposalKind] = mapped_column(StrEnumType(DisposalKind, 20))
    before: Mapped[date | None]  # a kind with a retention period: the records older than this day
    items: Mapped[str] = mapped_column(Text)
    medium: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[str] = mapped_column(String(200))  # as stated on the request (「全件」「寄附者3名」)
    count: Mapped[int | None]  # how many records there were when applied for
    method: Mapped[str] = mapped_column(Text)
    planned_on: Mapped[date]
    state: Mapped[DisposalState] = mapped_column(StrEnumType(DisposalState, 12), default=DisposalState.requested)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    finished_at: Mapped[datetime | None]
    disposed_records: Mapped[int | None]
    deleted_files: Mapped[int | None]
    # The id a contract-end request had in staff_erasure_requests before the two tables became
    # this one: the audit rows of then name it ("staff_erasure", that id) and cannot be rewritten.
    erasure_id: Mapped[int | None]

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    executed_by: Mapped[User | None] = relationship(foreign_keys=[executed_by_id])

    @property
    def programme_label(self) -> str:
        return Programme(self.programme).label
