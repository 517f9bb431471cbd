"""コールセンター (004 §7(8)): every inquiry from a donor, a supplier or a would-be supplier,
by phone, mail or e-mail — when, who took it, the donor (matched), its category, what was said
and done, its state and follow-up date. The city reads them (§7(8)イ).

The centre's hours (§7(8)ア: 月〜金 9:00〜17:00, extended at year end as the city decides) follow
the office calendar: its office days (app/core/calendar.py), and the city's special openings
(the year-end extension is entered there), at the centre's own hours.

A complaint about a gift (004 §7(8)ウ「返礼品に関する苦情については、速やかに状況の確認を行い、
…苦情の解消に向けた調整を行うとともに、適宜、発注者に報告を行うこと。」) opens a shipping problem
on the donor's shipment line chosen on the form, marked as a complaint so the city sees it; the
problem points back at the inquiry.
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
from app.furusato.models import Donation, Donor
from app.furusato.shipping import problems as shipping_problems
from app.furusato.shipping.models import ProblemKind, ShipmentLine, ShippingProblem
from app.web.paging import Page, paged

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
    shipment_line_id: int | None = None  # a gift complaint: the donor's line it is about
    problem_kind: str = ""


def _line_problems(data: InquiryInput) -> list[Problem]:
    """A complaint about a gift names one of the donor's own lines, ordered or shipped."""
    if data.shipment_line_id is None:
        return []
    problems = []
    if data.category != InquiryCategory.complaint:
        problems.append(Problem("shipment_line_id", "出荷明細は、分類が「苦情」のときだけ選べます。"))
    line = db.session.get(ShipmentLine, data.shipment_line_id)
    donor_of_line = db.session.scalar(select(Donation.donor_id).where(Donation.id == line.donation_id)) if (
        line is not None and line.donation_id is not None) else None
    if line is None or data.donor_id is None or donor_of_line != data.donor_id:
        problems.append(Problem("shipment_line_id",
                                f"出荷明細 L{data.shipment_line_id} はこの寄附者の明細ではありません。"))
    elif not shipping_problems.may_record(line):
        problems.append(Problem("shipment_line_id", f"出荷明細 L{line.id} は{line.state.label}です"
                                "（発注済・発送済の明細だけ苦情を記録できます）。"))
    if not ProblemKind.has(data.problem_kind):
        problems.append(Problem("problem_kind", "苦情の種類（遅延・破損など）を選んでください。"))
    return problems


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
    return problems + _line_problems(data)


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
    if data.shipment_line_id is not None:
        _open_problem(inquiry, data, by)
    return inquiry


def _open_problem(inquiry: Inquiry, data: InquiryInput, by: User) -> ShippingProblem:
    """The shipping problem a gift complaint opens (§7(8)ウ), marked as a complaint for the city."""
    line = db.session.get(ShipmentLine, data.shipment_line_id)
    assert line is not None  # checked by _line_problems  # noqa: S101
    contact = f"{inquiry.channel.label}で受付（問い合わせ #{inquiry.id}）{inquiry.caller_contact}".strip()
    item = shipping_problems.record_problem(line, shipping_problems.ProblemInput(
        data.problem_kind, inquiry.said, donor_contact=contact, complaint=True), by)
    item.inquiry_id = inquiry.id
    db.session.flush()
    return item


def donor_lines(donor_id: int | None, *, by: User) -> list[ShipmentLine]:
    """The donor's shipment lines, newest first, to choose the one a complaint is about (an
    audited read: each carries a ship-to)."""
    if donor_id is None:
        return []
    found = list(db.session.scalars(select(ShipmentLine).join(Donation, Donation.id == ShipmentLine.donation_id)
                                    .where(Donation.donor_id == donor_id)
                                    .order_by(ShipmentLine.id.desc()).limit(50)))
    audit.read_list("furusato_shipment_line", (line.id for line in found), "問い合わせの出荷明細の選択", by=by)
    return found


def problems_of(inquiry: Inquiry) -> list[ShippingProblem]:
    return list(db.session.scalars(select(ShippingProblem).where(ShippingProblem.inquiry_id == inquiry.id)
                                   .order_by(ShippingProblem.id)))


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
