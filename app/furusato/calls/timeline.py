"""The donor's page shows everything about them on one timeline (004 §7(8)): donations,
certificates, returned mail and inquiries. SOURCES is a list: shipments and one-stop
applications add theirs with one line each (a function donor id -> entries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.furusato.calls import services as calls
from app.furusato.models import Certificate, Donation
from app.furusato.returns_models import ReturnedMail


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # what it is, in Japanese (寄附, 受領証明書, 問い合わせ, …)
    text: str
    link: str = ""


Source = Callable[[int], list[Entry]]


def donations(donor_id: int) -> list[Entry]:
    rows = db.session.scalars(select(Donation).where(Donation.donor_id == donor_id))
    return [Entry(d.applied_at, "寄附", f"{d.portal.name} {d.order_id} {d.amount:,}円（{d.status.label}）"
                  + (f" {d.gift_name}" if d.gift_name else ""), url_for("furusato.donation", donation_id=d.id))
            for d in rows]


def certificates(donor_id: int) -> list[Entry]:
    rows = db.session.scalars(select(Certificate).where(Certificate.donor_id == donor_id))
    entries = []
    for c in rows:
        what = "再発行" if c.reissue_of_id else "発行"
        entries.append(Entry(c.issued_at, "受領証明書", f"{c.fiscal_year}年度 第{c.number}号を{what}"))
        if c.posted_at:
            entries.append(Entry(c.posted_at, "受領証明書", f"{c.fiscal_year}年度 第{c.number}号を発送"))
    return entries


def returned_mail(donor_id: int) -> list[Entry]:
    rows = db.session.scalars(select(ReturnedMail).where(ReturnedMail.donor_id == donor_id))
    return [Entry(datetime.combine(r.returned_on, time.min), "郵便物の戻り", r.reason_text,
                  url_for("furusato.returned_mail", return_id=r.id)) for r in rows]


def inquiries(donor_id: int) -> list[Entry]:
    return [Entry(i.received_at, "問い合わせ",
                  f"{i.category.label}（{i.channel.label}・{i.state.label}）：{i.said[:60]}",
                  url_for("furusato.inquiry", inquiry_id=i.id)) for i in calls.of_donor(donor_id)]


#: Where the donor's timeline comes from; add one line for a new kind of record.
SOURCES: list[Source] = [donations, certificates, returned_mail, inquiries]


def timeline(donor_id: int) -> list[Entry]:
    """Every entry of every source, the newest first (the caller has audited the donor's read)."""
    entries = [entry for source in SOURCES for entry in source(donor_id)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
