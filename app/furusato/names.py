"""The names the audit log shows beside a donation, a donor or a flag (app/auth/objects.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.auth.objects import names_of
from app.extensions import db
from app.furusato.models import Donation, Donor, SuspectFlag


@names_of("furusato_donation")
def donations(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Donation.id, Donation.name).where(Donation.id.in_(ids))).all())


@names_of("furusato_donor")
def donors(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Donor.id, Donor.name).where(Donor.id.in_(ids))).all())


@names_of("furusato_suspect")
def flags(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(SuspectFlag.id, Donation.name).join(Donation)
                                   .where(SuspectFlag.id.in_(ids))).all())
