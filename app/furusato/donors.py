"""Donors across portals and years: one person, however many portals they use (004 §7(3)ア).

The import matches automatically only on strong keys (normalised kana together with the birth
date, the phone number, or the postal code and address). Weaker likenesses (the same kana and
postal code with the address written differently; the same phone number under another kana,
as families share a landline) are offered to a person on a review screen, who merges or
dismisses. A merge moves the donations and remembers which, so it can be undone; both are
audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.models import Donation, Donor, DonorMatchDismissal, DonorMerge


class DonorError(Refusal):
    """A merge or un-merge refused, in Japanese."""


def _name(by: User | None) -> str:
    return by.username if by is not None else "(system)"


def current(donor: Donor) -> Donor:
    """The donor a merged donor now lives on."""
    seen = set()
    while donor.merged_into_id is not None and donor.id not in seen:
        seen.add(donor.id)
        donor = db.session.get(Donor, donor.merged_into_id) or donor
    return donor


def apply_keys(donor: Donor) -> None:
    keys = nz.match_keys(donor.kana, donor.birth_date, donor.phone, donor.postal_code, donor.address)
    donor.kana_key, donor.key_birth, donor.key_phone = keys.kana, keys.birth, keys.phone
    donor.key_address, donor.key_postal, donor.phone_key = keys.address, keys.postal, keys.phone_only


def find_or_create(rec: dict[str, Any]) -> Donor:
    """The donor for a donation entered by staff, matched like the import does."""
    keys = nz.match_keys(rec["kana"], rec.get("birth_date"), rec.get("phone", ""), rec.get("postal_code", ""),
                         rec.get("address", ""))
    strong = [(column, value) for column, value in (
        (Donor.key_birth, keys.birth), (Donor.key_phone, keys.phone), (Donor.key_address, keys.address)) if value]
    if strong:
        found = db.session.scalar(select(Donor).where(or_(*(c == v for c, v in strong))).order_by(Donor.id).limit(1))
        if found is not None:
            donor = current(found)
            refresh_from(donor, rec)
            return donor
    donor = Donor()
    refresh_from(donor, rec)
    db.session.add(donor)
    db.session.flush()
    return donor


def refresh_from(donor: Donor, rec: dict[str, Any]) -> None:
    applied: datetime = rec["applied_at"]
    if donor.last_donation_at is None or applied >= donor.last_donation_at:
        for name in ("name", "kana", "phone", "email", "postal_code", "prefecture", "address"):
            if rec.get(name):
                setattr(donor, name, rec[name])
        donor.last_donation_at = applied
    if donor.birth_date is None and rec.get("birth_date"):
        donor.birth_date = rec["birth_date"]
    donor.updated_at = now()
    apply_keys(donor)


def get(donor_id: int | None) -> Donor | None:
    return db.session.get(Donor, donor_id) if donor_id is not None else None


def read(donor_id: int, *, by: User | None) -> Donor | None:
    """A donor's record, audited as a read of personal data."""
    donor = db.session.get(Donor, donor_id)
    if donor is not None:
        audit.record("read", "furusato_donor", donor.id, donor.name, by=by)
    return donor


def donations_of(donor: Donor) -> list[Donation]:
    return list(db.session.scalars(
        select(Donation).where(Donation.donor_id == donor.id).order_by(Donation.applied_at.desc())))


# --- likely matches ------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    a: Donor
    b: Donor
    reasons: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.reasons)


def _agreements(a: Donor, b: Donor) -> tuple[str, ...]:
    reasons = []
    if a.kana_key and a.kana_key == b.kana_key:
        reasons.append("フリガナ")
    if nz.name_key(a.name) and nz.name_key(a.name) == nz.name_key(b.name):
        reasons.append("氏名")
    if a.birth_date and a.birth_date == b.birth_date:
        reasons.append("生年月日")
    if a.phone_key and a.phone_key == b.phone_key:
        reasons.append("電話番号")
    if nz.postal_digits(a.postal_code) and nz.postal_digits(a.postal_code) == nz.postal_digits(b.postal_code):
        reasons.append("郵便番号")
    if nz.address_key(a.address) and nz.address_key(a.address) == nz.address_key(b.address):
        reasons.append("住所")
    return tuple(reasons)


def read_matches(*, by: User) -> list[Candidate]:
    """The candidates page (名寄せ): a read of both donors of every pair shown."""
    candidates = likely_matches()
    audit.read_list("furusato_donor", sorted({d.id for c in candidates for d in (c.a, c.b)}), "名寄せ候補",
                    by=by)
    return candidates


def likely_matches(limit: int = 50) -> list[Candidate]:
    """Pairs of live donors that share a weak key and have not been dismissed, best first."""
    live = Donor.merged_into_id.is_(None)
    groups: list[tuple[Any, str]] = []
    for column in (Donor.key_postal, Donor.phone_key):
        keys = db.session.scalars(
            select(column).where(live, column.is_not(None)).group_by(column)
            .having(func.count() > 1).limit(limit * 2)).all()
        groups.extend((column, k) for k in keys)
    dismissed = {(d.donor_a_id, d.donor_b_id) for d in db.session.scalars(select(DonorMatchDismissal))}
    seen: set[tuple[int, int]] = set()
    out: list[Candidate] = []
    for column, key in groups:
        donors = db.session.scalars(select(Donor).where(live, column == key).order_by(Donor.id).limit(10)).all()
        for i, a in enumerate(donors):
            for b in donors[i + 1:]:
                pair = (a.id, b.id)
                if pair in seen or pair in dismissed:
                    continue
                seen.add(pair)
                out.append(Candidate(a, b, _agreements(a, b)))
    out.sort(key=lambda c: (-c.score, c.a.id))
    return out[:limit]


def dismiss(a: Donor, b: Donor, by: User | None) -> None:
    low, high = sorted((a.id, b.id))
    exists = db.session.scalar(select(DonorMatchDismissal.id).where(
        DonorMatchDismissal.donor_a_id == low, DonorMatchDismissal.donor_b_id == high))
    if exists is None:
        db.session.add(DonorMatchDismissal(donor_a_id=low, donor_b_id=high, created_by=_name(by)))
    audit.record("update", "furusato_donor", f"{low},{high}", "別人として確認（統合候補から除外）", by=by)


@dataclass(frozen=True)
class MergeInput:
    """A merge as asked on the review screen: donor ids and the reason."""

    target: int | None
    source: int | None
    reason: str


def merge(target: Donor, source: Donor, reason: str, by: User | None) -> DonorMerge:
    """Merge `source` into `target`: its donations move, and it points at the target."""
    if target.id == source.id:
        raise DonorError("同じ寄附者どうしは統合できません。")
    if target.merged_into_id is not None or source.merged_into_id is not None:
        raise DonorError("既に統合済みの寄附者は統合できません。統合先の寄附者を選んでください。")
    if not reason.strip():
        raise DonorError("統合の理由を入力してください。", "reason")
    moved = list(db.session.scalars(select(Donation.id).where(Donation.donor_id == source.id)))
    db.session.execute(update(Donation).where(Donation.id.in_(moved)).values(donor_id=target.id))
    source.merged_into_id = target.id
    for name in ("birth_date", "phone", "email"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    apply_keys(target)
    record = DonorMerge(target_id=target.id, source_id=source.id, donation_ids=json.dumps(moved),
                        reason=reason.strip(), merged_by=_name(by))
    db.session.add(record)
    db.session.flush()
    db.session.expire_all()
    audit.record("merge", "furusato_donor", target.id,
                 f"寄附者#{source.id}を#{target.id}に統合（寄附{len(moved)}件）理由：{reason.strip()}", by=by)
    return record


def unmerge(record: DonorMerge, by: User | None) -> None:
    if record.undone_at is not None:
        raise DonorError("この統合は既に解除されています。")
    source = db.session.get(Donor, record.source_id)
    assert source is not None
    ids = json.loads(record.donation_ids)
    db.session.execute(update(Donation).where(Donation.id.in_(ids), Donation.donor_id == record.target_id)
                       .values(donor_id=source.id))
    source.merged_into_id = None
    record.undone_at, record.undone_by = now(), _name(by)
    db.session.flush()
    db.session.expire_all()
    audit.record("unmerge", "furusato_donor", record.target_id,
                 f"寄附者#{record.source_id}の統合を解除（寄附{len(ids)}件を戻す）", by=by)


def merges_of(donor: Donor) -> list[DonorMerge]:
    return list(db.session.scalars(select(DonorMerge).where(
        or_(DonorMerge.target_id == donor.id, DonorMerge.source_id == donor.id)).order_by(DonorMerge.merged_at)))

