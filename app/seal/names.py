"""The names the audit log shows beside a seal application or record (app/auth/objects.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.auth.objects import names_of
from app.extensions import db
from app.registry.models import Resident
from app.seal.models import SealApplication, SealRecord


@names_of("seal_application")
def applications(ids: Collection[int]) -> dict[int, str]:
    rows = db.session.execute(select(SealApplication.id, Resident.family_name, Resident.given_name)
                              .join(Resident, Resident.id == SealApplication.resident_id)
                              .where(SealApplication.id.in_(ids)))
    return {i: f"{family}\u3000{given}" for i, family, given in rows}


@names_of("seal_record")
def records(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(SealRecord.id, SealRecord.name).where(SealRecord.id.in_(ids))).all())
