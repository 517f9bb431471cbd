"""取扱区域 (handling areas): where a programme's personal data is handled, with the measures
that protect it, reported to the city in writing before the work starts (004 特記事項 §4(1);
the counter's 作業場所 is the space the city designates, 000 別紙 §4(1)). The terminals that
handle the data are tied to an area (app/devices Terminal.handling_area_id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.extensions import db
from app.staff import register
from app.staff.models import HandlingArea
from app.staff.paging import Page, paged
from app.staff.refusals import StaffError


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
    """Record or change an area. A change of the area needs the city's prior approval in
    writing (004 特記事項 §4(2)): the record here is what is reported; the approval itself is
    given on paper (the PDF of the areas) — see the report."""
    register.require_edit(by, programme)
    if problems := _problems(data):
        raise StaffError.of(problems)
    if area is None:
        area = HandlingArea(programme=programme, name="", place="", measures="")
        db.session.add(area)
    area.name, area.place, area.measures = data.name.strip(), data.place.strip(), data.measures.strip()
    area.active = bool(data.active)
    db.session.flush()
    audit.record("update", "staff_handling_area", area.id, f"取扱区域 {area.name}（{area.place}）", by=by)
    return area
