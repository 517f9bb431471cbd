"""Reading one-stop applications (issue 17 §2: the city sees the state of every application at
any time, without the individual number): a paged list by state and one application; every
read is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.onestop.models import ApplicationState, OneStopApplication

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    rows: list[OneStopApplication]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def search(year: int, state: str = "", number: int = 1, *, by: User | None) -> Page:
    query = select(OneStopApplication).where(OneStopApplication.tax_year == year)
    if ApplicationState.has(state):
        query = query.where(OneStopApplication.state == state)
    count = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(db.session.scalars(query.order_by(OneStopApplication.received_on.desc(), OneStopApplication.id.desc())
                                   .limit(PAGE_SIZE).offset((max(number, 1) - 1) * PAGE_SIZE)))
    audit.read_list("furusato_onestop", [a.id for a in rows], f"ワンストップ特例申請の一覧（{year}年）", by=by)
    return Page(rows, count, number)


def read(application_id: int, *, by: User | None) -> OneStopApplication | None:
    application = db.session.get(OneStopApplication, application_id)
    if application is not None:
        audit.record("read", "furusato_onestop", application.id, f"{application.name}（ワンストップ特例申請）", by=by)
    return application


def by_ids(ids: list[int]) -> list[OneStopApplication]:
    return list(db.session.scalars(select(OneStopApplication).where(OneStopApplication.id.in_(ids))
                                   .order_by(OneStopApplication.id)))


def in_state(year: int, state: ApplicationState) -> list[OneStopApplication]:
    return list(db.session.scalars(select(OneStopApplication).where(
        OneStopApplication.tax_year == year, OneStopApplication.state == state).order_by(OneStopApplication.id)))
