"""The name the audit log shows beside a resident record (app/auth/objects.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.auth.objects import names_of
from app.extensions import db
from app.registry.models import Resident


@names_of("resident")
def residents(ids: Collection[int]) -> dict[int, str]:
    return {r.id: r.name for r in db.session.scalars(select(Resident).where(Resident.id.in_(ids)))}
