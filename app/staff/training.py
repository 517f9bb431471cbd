"""Training records: the education every worker receives, with its plan (実施計画), date,
material and attendance (004 特記事項 §5; 000 別紙 §5 and 000 §12(1): 研修計画及び研修資料)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.core.refusal import Problem
from app.extensions import db
from app.staff import register, uploads
from app.staff.models import StaffEntry, Training
from app.staff.refusals import StaffError
from app.web.paging import Page, paged


@dataclass(frozen=True)
class TrainingInput:
    title: str
    plan: str
    held_on: date | None
    attendee_ids: list[int] = field(default_factory=list)


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


def trainings(programme: str, page: int = 1) -> Page[Training]:
    return paged(select(Training).where(Training.programme == programme)
                 .order_by(Training.held_on.desc(), Training.id.desc()), page)


def _attendees(programme: str, ids: list[int]) -> list[StaffEntry]:
    found = list(db.session.scalars(select(StaffEntry).where(StaffEntry.id.in_(ids or [-1]))))
    return [entry for entry in found if entry.programme == programme]


def record_training(programme: str, data: TrainingInput, material: uploads.Upload | None, *,
                    by: User) -> Training:
    """A training held (or planned: a future date records the plan, attendance comes later)."""
    register.require_edit(by, programme)
    problems = []
    if not data.title.strip():
        problems.append(Problem("title", "研修名を入力してください。"))
    if not data.plan.strip():
        problems.append(Problem("plan", "実施計画（目的・内容・対象）を入力してください。"))
    if data.held_on is None:
        problems.append(Problem("held_on", "実施日を入力してください。"))
    attendees = _attendees(programme, data.attendee_ids)
    if attendees and data.held_on is not None and data.held_on > today():
        problems.append(Problem("attendee_ids", "出席は実施日以降に記録してください。"))
    if problems:
        raise StaffError.of(problems)
    assert data.held_on is not None
    document = uploads.store(programme, material, "material", by=by) if material and material.data else None
    session = Training(programme=programme, title=data.title.strip(), plan=data.plan.strip(), held_on=data.held_on,
                       material_document_id=document.id if document else None, created_by_id=by.id)
    session.attendees = attendees
    db.session.add(session)
    db.session.flush()
    audit.record("create", "staff_training", session.id,
                 f"研修 {session.title} {session.held_on} 出席{len(attendees)}名", by=by, programme=session.programme)
    return session


def set_attendance(session: Training, attendee_ids: list[int], *, by: User) -> None:
    register.require_edit(by, session.programme)
    if session.held_on > today():
        raise StaffError("出席は実施日以降に記録してください。", "attendee_ids")
    session.attendees = _attendees(session.programme, attendee_ids)
    audit.record("update", "staff_training", session.id, f"研修 {session.title} 出席{len(session.attendees)}名", by=by,
                 programme=session.programme)


def material(session: Training, *, by: User) -> tuple[bytes, str, str]:
    if session.material is None:
        raise StaffError("この研修の資料は登録されていません。")
    audit.record("read", "staff_training", session.id, f"研修資料 {session.title}", by=by, programme=session.programme)
    return session.material.content, session.material.content_type, session.material.filename


def attended(entry: StaffEntry) -> list[Training]:
    """The trainings an entry attended, newest first (the roster's training status)."""
    return list(db.session.scalars(select(Training).where(Training.attendees.contains(entry))
                                   .order_by(Training.held_on.desc())))
