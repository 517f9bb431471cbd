"""The names the audit log shows beside a visit or a case (app/auth/objects.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.auth.objects import names_of
from app.counter.models import Case, Procedure, Visit
from app.extensions import db


@names_of("visit")
def visits(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Visit.id, Visit.visitor_name).where(Visit.id.in_(ids))).all())


@names_of("case")
def cases(ids: Collection[int]) -> dict[int, str]:
    rows = db.session.execute(select(Case.id, Procedure.name, Case.requester_name).join(Case.procedure)
                              .where(Case.id.in_(ids)))
    return {i: "、".join(part for part in (procedure, requester) if part) for i, procedure, requester in rows}


@names_of("procedure")
def procedures(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Procedure.id, Procedure.name).where(Procedure.id.in_(ids))).all())
