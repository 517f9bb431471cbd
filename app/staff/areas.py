"""取扱区域 (handling areas): where a programme's personal data is handled, with the measures
that protect it, reported to the city in writing before the work starts (004 特記事項 §4(1);
the counter's 作業場所 is the space the city designates, 000 別紙 §4(1)). The terminals that
handle the data are tied to an area (app/devices Terminal.handling_area_id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now
from app.core.refusal import Problem
from app.devices.models import Terminal
from app.extensions import db
from app.staff import register
from app.staff.models import HandlingArea
from app.staff.programmes import reaches
from app.staff.refusals import StaffError
from app.web.paging import Page, paged


@dataclass(frozen=True)
class AreaInput:
    name: str
    place: str
    measures: str
    active: bool = True


def get_area(area_id: int) -> HandlingArea | None:
    return db.session.get(HandlingArea, area_id)


def areas(programme: str, page: int = 1) -> Page[HandlingArea]:
    return paged(select(HandlingArea).where(HandlingArea.programme == programme)
                 .order_by(HandlingArea.active.desc(), HandlingArea.name, HandlingArea.id), page)


def active_areas(programme: str | None = None) -> list[HandlingArea]:
    """The areas in use (of one programme, or of all), for the report and the terminal form."""
    query = select(HandlingArea).where(HandlingArea.active.is_(True))
    if programme:
        query = query.where(HandlingArea.programme == programme)
    return list(db.session.scalars(query.order_by(HandlingArea.programme, HandlingArea.name)))


def _problems(data: AreaInput) -> list[Problem]:
    problems = []
    for name, value, label in (("name", data.name, "名称"), ("place", data.place, "場所"),
                               ("measures", data.measures, "安全管理措置")):
        if not value.strip():
            problems.append(Problem(name, f"{label}を入力してください。"))
    return problems


def save_area(programme: str, area: HandlingArea | None, data: AreaInput, *, by: User) -> HandlingArea:
    """Report a new area (004 特記事項 §4(1): before the work starts), or change one. An area
    the city has already seen changes only with its prior approval (§4(2)): the change is a new
    row, inactive until the city approves it, and the area stays as it was until then."""
    register.require_edit(by, programme)
    if problems := _problems(data):
        raise StaffError.of(problems)
    if area is not None and area.approved_at is not None:
        if pending_change(area) is not None:
            raise StaffError("この取扱区域には承認待ちの変更申請があります。市の承認を待ってください。")
        area = HandlingArea(programme=programme, name="", place="", measures="", active=False, replaces_id=area.id)
        db.session.add(area)
        detail = "取扱区域の変更申請"
    elif area is None:
        area = HandlingArea(programme=programme, name="", place="", measures="")
        db.session.add(area)
        detail = "取扱区域の報告"
    else:
        detail = "取扱区域の修正（市の確認前）"
    area.name, area.place, area.measures = data.name.strip(), data.place.strip(), data.measures.strip()
    if not area.pending:
        area.active = bool(data.active)
    db.session.flush()
    audit.record("update", "staff_handling_area", area.id, f"{detail} {area.name}（{area.place}）", by=by,
                 programme=area.programme)
    return area


def pending_change(area: HandlingArea) -> HandlingArea | None:
    return db.session.scalar(select(HandlingArea).where(HandlingArea.replaces_id == area.id,
                                                        HandlingArea.approved_at.is_(None)))


def may_approve(user: User, area: HandlingArea) -> bool:
    return area.approved_at is None and user.role == Role.city_staff and reaches(user, area.programme)


def approve(area: HandlingArea, *, by: User) -> None:
    """The city has seen the report, or approves the change: the new area takes the old one's
    place, and the terminals that stood in the old one now stand in the new one."""
    if not may_approve(by, area):
        raise StaffError("取扱区域を承認できるのは、この業務の担当の市職員です（未承認のものに限ります）。")
    area.approved_at, area.approved_by_id = now(), by.id
    if area.replaces is not None:
        area.active, area.replaces.active = True, False
        db.session.execute(update(Terminal).where(Terminal.handling_area_id == area.replaces.id)
                           .values(handling_area_id=area.id))
    audit.record("approve", "staff_handling_area", area.id,
                 f"取扱区域の{'変更を承認' if area.replaces else '報告を確認'} {area.name}", by=by,
                 programme=area.programme)
