"""What waits for a person in the staff domain, as counts that link to the work (STYLE rule 20):
for a home page's work list. The city's staff: changes to approve, reports to read; the
supervisor: incidents to close, pledges missing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.auth.models import Role, User
from app.core.dates import today
from app.extensions import db
from app.staff import disposal, erasure, incidents, leads, register
from app.staff.models import Incident, IncidentState, StaffEntry
from app.staff.programmes import Programme, reaches


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    endpoint: str
    programme: str


def _count(query: object) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0  # type: ignore[attr-defined]


def _for_city(programme: str) -> list[Waiting]:
    change = leads.open_change(programme)
    erasures = disposal.waiting_decision(programme, erasure.KINDS)
    counts = (("作業責任者の変更申請（承認待ち）", 1 if change else 0, "staff.lead_changes"),
              ("作業従事者の変更報告（未確認）", register.unseen_changes(programme), "staff.worker_changes"),
              ("事故報告（未確認）", incidents.unacknowledged(programme), "staff_places.incidents_page"),
              ("個人情報の消去申請（承認待ち）", erasures, "staff_end.contract_end"))
    return [Waiting(label, n, endpoint, programme) for label, n, endpoint in counts]


def _for_supervisor(programme: str) -> list[Waiting]:
    unpledged = _count(select(StaffEntry.id).where(
        StaffEntry.programme == programme, StaffEntry.pledge_document_id.is_(None),
        or_(StaffEntry.end_on.is_(None), StaffEntry.end_on >= today())))
    open_incidents = _count(select(Incident.id).where(Incident.programme == programme,
                                                      Incident.state == IncidentState.acknowledged))
    return [Waiting("誓約書が未提出の従事者", unpledged, "staff.entries", programme),
            Waiting("再発防止策が未記録の事故", open_incidents, "staff_places.incidents_page", programme)]


def waiting(user: User) -> list[Waiting]:
    """The counts that are not zero, for each programme the user reaches."""
    found: list[Waiting] = []
    for programme in Programme:
        if not reaches(user, programme):
            continue
        if user.role == Role.city_staff:
            found += _for_city(programme)
        elif user.role == Role.supervisor:
            found += _for_supervisor(programme)
    return [w for w in found if w.count]
