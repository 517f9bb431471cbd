"""Incidents (事故): recorded at once and so reported to the city with the data concerned, how
many people, where and what happened, and what was done (004 特記事項 §15(1); the counter's
clause is 000 別紙 §14(1), and 000 §14(2) asks any trouble to be reported without delay). The
city's staff of the programme acknowledge the report and give their instruction (甲の指示を仰ぐ);
the incident stays open until its prevention measures are recorded (§15(2)).

This is the incident log of both programmes: the counter's reports (issue #20) count and list
incidents through `count_between` and `incidents`, not a table of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now
from app.core.refusal import Problem
from app.extensions import db
from app.staff.models import Incident, IncidentKind, IncidentState
from app.staff.programmes import reaches
from app.staff.refusals import StaffError
from app.web.paging import Page, paged


@dataclass(frozen=True)
class IncidentInput:
    kind: str
    occurred_at: datetime | None
    place: str
    what_happened: str
    data_involved: str
    people_count: int | None
    actions_taken: str


def get_incident(incident_id: int) -> Incident | None:
    return db.session.get(Incident, incident_id)


def incidents(programme: str, page: int = 1, *, state: str = "") -> Page[Incident]:
    query = select(Incident).where(Incident.programme == programme)
    if IncidentState.has(state):
        query = query.where(Incident.state == state)
    return paged(query.order_by(Incident.reported_at.desc(), Incident.id.desc()), page)


def record_read(incident: Incident, *, by: User) -> None:
    """An incident report opened: it describes personal data and whom it concerns, audited."""
    audit.record("read", "staff_incident", incident.id, f"事故報告 第{incident.id}号", by=by,
                 programme=incident.programme)


def count_between(programme: str, start: datetime, end: datetime) -> int:
    """Incidents that occurred in [start, end): what a monthly report counts."""
    return db.session.scalar(select(func.count()).select_from(Incident).where(
        Incident.programme == programme, Incident.occurred_at >= start, Incident.occurred_at < end)) or 0


def unacknowledged(programme: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Incident).where(
        Incident.programme == programme, Incident.state == IncidentState.reported)) or 0


def may_report(user: User, programme: str) -> bool:
    """Anyone of the contractor's staff of the programme reports at once (直ちに)."""
    return reaches(user, programme) and user.role in (Role.operator, Role.supervisor)


def may_acknowledge(user: User, incident: Incident) -> bool:
    return (incident.state is IncidentState.reported and user.role == Role.city_staff
            and reaches(user, incident.programme))


def _problems(data: IncidentInput) -> list[Problem]:
    problems = []
    if not IncidentKind.has(data.kind):
        problems.append(Problem("kind", "事故の種別を選んでください。"))
    if data.occurred_at is None:
        problems.append(Problem("occurred_at", "発生日時を入力してください。"))
    elif data.occurred_at > now():
        problems.append(Problem("occurred_at", "発生日時に未来の日時は入力できません。"))
    for name, value, label in (("place", data.place, "発生場所"), ("what_happened", data.what_happened, "発生状況"),
                               ("data_involved", data.data_involved, "関わる個人情報の内容"),
                               ("actions_taken", data.actions_taken, "講じた措置")):
        if not value.strip():
            problems.append(Problem(name, f"{label}を入力してください。"))
    if data.people_count is None or data.people_count < 0:
        problems.append(Problem("people_count", "件数（人数）を0以上の数で入力してください。不明なら見込みの数を。"))
    return problems


def report(programme: str, data: IncidentInput, *, by: User) -> Incident:
    """Record an incident: recorded is reported (the city's staff see it at once)."""
    if not may_report(by, programme):
        raise StaffError("事故を報告できるのは、この業務の受託者の職員です。")
    if problems := _problems(data):
        raise StaffError.of(problems)
    assert data.occurred_at is not None and data.people_count is not None
    incident = Incident(programme=programme, kind=IncidentKind(data.kind), occurred_at=data.occurred_at,
                        place=data.place.strip(), what_happened=data.what_happened.strip(),
                        data_involved=data.data_involved.strip(), people_count=data.people_count,
                        actions_taken=data.actions_taken.strip(), reported_by_id=by.id)
    db.session.add(incident)
    db.session.flush()
    audit.record("create", "staff_incident", incident.id, f"事故報告 {incident.kind.label} {incident.people_count}名",
                 by=by, programme=incident.programme)
    return incident


def acknowledge(incident: Incident, instruction: str, *, by: User) -> None:
    """The city's staff have read the report; their instruction is kept with it."""
    if not may_acknowledge(by, incident):
        raise StaffError("事故報告を確認できるのは、この業務の担当の市職員です（未確認の報告に限ります）。")
    incident.state, incident.acknowledged_at, incident.acknowledged_by_id = IncidentState.acknowledged, now(), by.id
    incident.city_instruction = instruction.strip()
    audit.record("approve", "staff_incident", incident.id,
                 f"事故報告を確認 指示：{incident.city_instruction or 'なし'}", by=by, programme=incident.programme)


def may_close(user: User, incident: Incident) -> bool:
    return (incident.state is IncidentState.acknowledged and user.role == Role.supervisor
            and reaches(user, incident.programme))


def close(incident: Incident, prevention: str, *, by: User) -> None:
    """Closed once the city has acknowledged it and the prevention measures are recorded."""
    if not (by.role == Role.supervisor and reaches(by, incident.programme)):
        raise StaffError("再発防止策を記録できるのは、この業務の統括責任者です。")
    if incident.state is not IncidentState.acknowledged:
        waiting = incident.state is IncidentState.reported
        raise StaffError("市の確認を受けてから再発防止策を記録してください。" if waiting
                         else "この事故はすでに完了しています。")
    if not prevention.strip():
        raise StaffError("再発防止策を入力してください。", "prevention")
    incident.prevention, incident.state, incident.closed_at = prevention.strip(), IncidentState.closed, now()
    audit.record("update", "staff_incident", incident.id, "再発防止策を記録し完了", by=by, programme=incident.programme)
