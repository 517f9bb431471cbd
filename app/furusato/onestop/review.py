"""Review of a one-stop application (issue 17 §2): the checklist, deficient or accepted.

The checklist's items: the form complete; 番号確認 and 身元確認 by an accepted combination of
documents (documents.py, id_documents.yaml with its source); the two declarations of the form
(地方税法附則第7条: no tax return needed, at most five municipalities; paragraphs not checked
here, see applications.py); the donations it covers exist, are the donor's and were paid in the
year. `automatic` is the part a machine decides, the rest is what the reviewer ticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select, update

from app.auth import audit
from app.auth.models import User
from app.core.dates import now, today
from app.extensions import db
from app.furusato.models import Donation
from app.furusato.onestop import documents
from app.furusato.onestop.applications import PAID, OneStopError, _touch
from app.furusato.onestop.models import (
    OPEN_STATES,
    ApplicationState,
    DeficiencyReason,
    MatchState,
    NoticeKind,
    OneStopApplication,
    OneStopDonation,
    OneStopNotice,
)


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str = ""
    reason: DeficiencyReason | None = None  # what a failed item makes the deficiency


def checklist(application: OneStopApplication) -> list[Item]:
    combo = documents.accepted_by(application.document_codes)
    donations = [c.donation for c in application.covered]
    paid = [d for d in donations if d.status in PAID and d.paid_on and d.paid_on.year == application.tax_year]
    given = "、".join(documents.labels().get(c, c) for c in application.document_codes) or "なし"
    return [
        Item("form", "申請書の記載事項（氏名・住所・生年月日・個人番号など）がそろっている",
             application.form_complete and bool(application.name and application.address and application.birth_date
                                                and application.number_tail),
             reason=DeficiencyReason.form_incomplete),
        Item("documents", "番号確認・身元確認の書類が認められた組み合わせである", combo is not None,
             f"{combo.label}（{combo.source}）" if combo else f"添付：{given}",
             reason=DeficiencyReason.identity_document),
        Item("declaration", "確定申告が不要であり、寄附先が5団体以下である旨のチェックがある",
             application.declared_no_return and application.declared_five_or_fewer,
             reason=DeficiencyReason.declaration),
        Item("donations", f"対象の寄附が{application.tax_year}年に入金済みである",
             application.match == MatchState.matched and bool(donations) and len(paid) == len(donations),
             f"寄附{len(donations)}件（うち{application.tax_year}年入金済み{len(paid)}件）",
             reason=DeficiencyReason.donation_missing),
    ]


def passes(application: OneStopApplication) -> bool:
    return all(item.ok for item in checklist(application))


def mark_deficient(application: OneStopApplication, reason: str, note: str, *, by: User | None) -> None:
    if application.state not in OPEN_STATES:
        raise OneStopError(f"{application.state.label}の申請は不備にできません。")
    try:
        application.deficiency = DeficiencyReason(reason)
    except ValueError as exc:
        raise OneStopError("不備の理由を選んでください。", "reason") from exc
    application.state, application.deficient_at, application.deficiency_note = (
        ApplicationState.deficient, now(), note.strip())
    _touch(application)
    audit.record("update", "furusato_onestop", application.id, f"不備：{application.deficiency.label}", by=by)


def accept(application: OneStopApplication, *, by: User | None) -> None:
    """受理: every item of the checklist holds (all problems named at once)."""
    if application.state not in OPEN_STATES:
        raise OneStopError(f"{application.state.label}の申請は受理できません。")
    failed = [item for item in checklist(application) if not item.ok]
    if failed:
        raise OneStopError("確認できていない項目があります：" + "／".join(i.label for i in failed))
    application.state, application.accepted_at = ApplicationState.accepted, now()
    application.accepted_by = by.username if by else "(system)"
    application.deficiency, application.deficiency_note = "", ""
    _touch(application)
    audit.record("approve", "furusato_onestop", application.id, "受理", by=by)


def correct(application: OneStopApplication, *, documents_added: list[str], form_complete: bool | None = None,
            declarations: bool | None = None, by: User | None) -> None:
    """The donor's corrected papers arrived: what they add to the checklist."""
    if documents_added:
        application.id_documents = ",".join(dict.fromkeys([*application.document_codes, *documents_added]))
    if form_complete is not None:
        application.form_complete = form_complete
    if declarations is not None:
        application.declared_no_return = application.declared_five_or_fewer = declarations
    _touch(application)
    audit.record("update", "furusato_onestop", application.id, "補正書類の受付", by=by)


def _automatic_facts(year: int) -> Select[Any]:
    """Per received application of the year, the columns the checklist reads and the counts of
    its donations (all, and paid in the year): one query for the whole batch."""
    in_year = and_(Donation.status.in_(PAID), Donation.paid_on >= date(year, 1, 1),
                   Donation.paid_on <= date(year, 12, 31))
    covered = (select(OneStopDonation.application_id.label("application_id"), func.count().label("n"),
                      func.sum(case((in_year, 1), else_=0)).label("paid"))
               .join(Donation, Donation.id == OneStopDonation.donation_id)
               .join(OneStopApplication, OneStopApplication.id == OneStopDonation.application_id)
               .where(OneStopApplication.tax_year == year, OneStopApplication.state == ApplicationState.received)
               .group_by(OneStopDonation.application_id).subquery())
    a = OneStopApplication
    return (select(a.id, a.form_complete, a.name != "", a.address != "", a.birth_date.is_not(None), a.number_tail != "",
                   a.id_documents, a.declared_no_return, a.declared_five_or_fewer, a.match,
                   func.coalesce(covered.c.n, 0), func.coalesce(covered.c.paid, 0))
            .outerjoin(covered, covered.c.application_id == a.id)
            .where(a.tax_year == year, a.state == ApplicationState.received))


def review_all(year: int, *, by: User | None, chunk: int = 500) -> tuple[int, int]:
    """The automatic part of the review for the year's received applications: those whose
    checklist holds (the same items as `checklist`, read set-based: one query for the batch, one
    UPDATE per `chunk` accepted) are accepted; (accepted, left for a person)."""
    combos: dict[str, bool] = {}  # id_documents → an accepted combination (few distinct values)
    passing, left = [], 0
    for (id_, form_complete, named, addressed, born, tailed, codes, no_return, five, match, n,
         paid) in db.session.execute(_automatic_facts(year)):
        if codes not in combos:
            combos[codes] = documents.accepted_by([c for c in codes.split(",") if c]) is not None
        ok = (form_complete and named and addressed and born and tailed and combos[codes] and no_return and five
              and match == MatchState.matched and n > 0 and int(paid) == int(n))
        if ok:
            passing.append(id_)
        else:
            left += 1
    at, who = now(), (by.username if by else "(system)")
    for start in range(0, len(passing), chunk):
        db.session.execute(update(OneStopApplication).where(OneStopApplication.id.in_(passing[start:start + chunk]))
                           .values(state=ApplicationState.accepted, accepted_at=at, accepted_by=who)
                           .execution_options(synchronize_session="fetch"))
    if passing:
        audit.record("approve", "furusato_onestop", "list", f"{year}年分の自動審査：受理{len(passing)}件", by=by)
    return len(passing), left


# --- what the office's home page and the city see ---------------------------------------------

@dataclass(frozen=True)
class Counts:
    open: int
    deficient: int
    unacknowledged: int
    days_left: int  # to the handover deadline of 31 January (004 §7(11))


def default_year(on: date | None = None) -> int:
    """The year the office works on: until the handover at the end of January, last year's."""
    day = on or today()
    return day.year - 1 if day.month == 1 else day.year


def handover_deadline(tax_year: int) -> date:
    """申告特例通知書 to each home municipality by 31 January of the following year (004 §7(11))."""
    return date(tax_year + 1, 1, 31)


def counts(tax_year: int, on: date | None = None) -> Counts:
    def n(*conditions: object) -> int:
        return int(db.session.scalar(select(func.count()).select_from(OneStopApplication).where(
            OneStopApplication.tax_year == tax_year, *conditions)) or 0)

    acked = select(OneStopNotice.application_id).where(OneStopNotice.kind == NoticeKind.acknowledgement)
    return Counts(open=n(OneStopApplication.state == ApplicationState.received),
                  deficient=n(OneStopApplication.state == ApplicationState.deficient),
                  unacknowledged=n(OneStopApplication.state == ApplicationState.accepted,
                                   OneStopApplication.acknowledged_at.is_(None), OneStopApplication.id.not_in(acked)),
                  days_left=(handover_deadline(tax_year) - (on or today())).days)


def deficient_followup(tax_year: int, on: date | None = None) -> list[tuple[OneStopApplication, int]]:
    """The deficient applications with their age in days, oldest first."""
    day = on or today()
    rows = db.session.scalars(select(OneStopApplication).where(
        OneStopApplication.tax_year == tax_year, OneStopApplication.state == ApplicationState.deficient)
        .order_by(OneStopApplication.deficient_at))
    return [(a, (day - a.deficient_at.date()).days if a.deficient_at else 0) for a in rows]
