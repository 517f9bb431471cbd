"""コールセンター (004 §7(8)): every inquiry from a donor, a supplier or a would-be supplier,
by phone, mail or e-mail — when, who took it, the donor (matched), its category, what was said
and done, its state and follow-up date. The city reads them (§7(8)イ).

The centre's hours (§7(8)ア: 月〜金 9:00〜17:00, extended at year end as the city decides) follow
the office calendar: its office days (app/core/calendar.py), and the city's special openings
(the year-end extension is entered there), at the centre's own hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, or_, select

from app.auth import audit
from app.auth.models import User
from app.core import calendar
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.calls.models import CallerKind, Inquiry, InquiryCategory, InquiryChannel, InquiryState
from app.furusato.models import Donor
from app.staff.paging import Page, paged

SUBJECT = "furusato_inquiry"
CALL_OPENS, CALL_CLOSES = time(9, 0), time(17, 0)  # 004 §7(8)ア
MATCHES = 10


class InquiryRefused(Refusal):
    pass


def call_hours(day: date) -> tuple[time, time] | None:
    """The call centre's hours on a day: 9:00–17:00 on the office calendar's office days and
    special openings; None when closed."""
    return (CALL_OPENS, CALL_CLOSES) if calendar.office_hours(day) is not None else None


def hours_label(at: datetime) -> str:
    """What the inquiry page says of the centre now."""
    hours = call_hours(at.date())
    if hours is not None and hours[0] <= at.time() < hours[1]:
        return f"受付時間中（本日 {hours[0]:%H:%M}〜{hours[1]:%H:%M}）"
    day = at.date() if hours is not None and at.time() < hours[0] else calendar.next_office_day(at.date())
    return f"受付時間外（次の受付：{calendar.day_label(day)} {CALL_OPENS:%H:%M}〜）"


@dataclass
class InquiryInput:
    channel: str
    caller_kind: str
    caller_name: str
    caller_contact: str
    donor_id: int | None
    category: str
    said: str
    done: str
    state: str
    follow_up_on: date | None


def _problems(data: InquiryInput) -> list[Problem]:
    problems = []
    for name, enum, label in (("channel", InquiryChannel, "受付方法"), ("caller_kind", CallerKind, "相手"),
                              ("category", InquiryCategory, "分類"), ("state", InquiryState, "状態")):
        if not enum.has(getattr(data, name)):
            problems.append(Problem(name, f"{label}を一覧から選んでください。"))
    if not data.said.strip():
        problems.append(Problem("said", "問い合わせの内容を入力してください。"))
    if data.donor_id is not None and db.session.get(Donor, data.donor_id) is None:
        problems.append(Problem("donor_id", f"寄附者番号 {data.donor_id} の寄附者はいません。"))
    if data.state == InquiryState.follow_up and data.follow_up_on is None:
        problems.append(Problem("follow_up_on", "「折り返し予定」のときは、折り返しの日を入力してください。"))
    if data.follow_up_on is not None and data.follow_up_on < today():
        problems.append(Problem("follow_up_on", "折り返しの日は今日以降の日にしてください。"))
    if data.state == InquiryState.closed and not data.done.strip():
        problems.append(Problem("done", "「完了」のときは、対応の内容を入力してください。"))
    return problems


def _audit_donor(inquiry: Inquiry, what: str, by: User | None) -> None:
    audit.record("create" if what == "記録" else "update", SUBJECT, inquiry.id,
                 f"問い合わせ #{inquiry.id}（{inquiry.category.label}）を{what}", by=by)
    if inquiry.donor_id is not None:
        audit.record("update", "furusato_donor", inquiry.donor_id, f"問い合わせ #{inquiry.id}を{what}", by=by)


def record(data: InquiryInput, *, by: User) -> Inquiry:
    """Record an inquiry; every problem refused at once, nothing kept then."""
    if problems := _problems(data):
        raise InquiryRefused.of(problems)
    inquiry = Inquiry(received_at=now(), taken_by_id=by.id, channel=data.channel, caller_kind=data.caller_kind,
                      caller_name=data.caller_name.strip(), caller_contact=data.caller_contact.strip(),
                      donor_id=data.donor_id, category=data.category, said=data.said.strip(), done=data.done.strip(),
                      state=data.state,
                      follow_up_on=data.follow_up_on if data.state == InquiryState.follow_up else None,
                      closed_at=now() if data.state == InquiryState.closed else None)
    db.session.add(inquiry)
    db.session.flush()
    _audit_donor(inquiry, "記録", by)
    return inquiry


def update(inquiry: Inquiry, data: InquiryInput, *, by: User) -> Inquiry:
    """The follow-up: what was done, the state, the next date (the caller and what was said stay)."""
    data.said = data.said or inquiry.said
    if problems := _problems(data):
        raise InquiryRefused.of(problems)
    inquiry.done, inquiry.state = data.done.strip(), InquiryState(data.state)
    inquiry.follow_up_on = data.follow_up_on if data.state == InquiryState.follow_up else None
    inquiry.closed_at = now() if data.state == InquiryState.closed else None
    if data.donor_id is not None:
        inquiry.donor_id = data.donor_id
    db.session.flush()
    _audit_donor(inquiry, "更新", by)
    return inquiry


def read(inquiry_id: int, *, by: User) -> Inquiry | None:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is not None:
        audit.record("read", SUBJECT, inquiry.id, f"問い合わせ #{inquiry.id}", by=by)
    return inquiry


def _listed(state: str) -> Select[tuple[Inquiry]]:
    query = select(Inquiry)
    if InquiryState.has(state):
        query = query.where(Inquiry.state == state)
    return query.order_by(Inquiry.received_at.desc(), Inquiry.id.desc())


def listing(state: str = "", page: int = 1, *, by: User) -> Page[Inquiry]:
    """One page of inquiries, the newest first (a read of each listed, audited)."""
    shown = paged(_listed(state), page)
    audit.read_list(SUBJECT, (i.id for i in shown.rows), f"問い合わせの一覧（{page}ページ）", by=by)
    return shown


def follow_ups_due(day: date) -> int:
    """Inquiries waiting for a call back on or before `day` (the office's work list)."""
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count(Inquiry.id)).where(
        Inquiry.state == InquiryState.follow_up, Inquiry.follow_up_on <= day)) or 0)


def match_donors(text: str, *, by: User) -> list[Donor]:
    """Donors the caller may be: by phone number, or by kana (as the caller spells their name)."""
    digits, kana = nz.phone_digits(text), nz.kana_key(text)
    conditions = []
    if len(digits) >= 6:
        conditions.append(Donor.phone_key == digits)
    if kana and not digits:
        conditions.append(Donor.kana_key == kana)
    if not conditions:
        return []
    found = list(db.session.scalars(select(Donor).where(or_(*conditions), Donor.merged_into_id.is_(None))
                                    .order_by(Donor.last_donation_at.desc(), Donor.id).limit(MATCHES)))
    audit.read_list("furusato_donor", (d.id for d in found), "問い合わせの寄附者照合", by=by)
    return found


def of_donor(donor_id: int) -> list[Inquiry]:
    return list(db.session.scalars(select(Inquiry).where(Inquiry.donor_id == donor_id)
                                   .order_by(Inquiry.received_at.desc())))
