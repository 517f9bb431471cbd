"""旅券 (000 §6(8)): the passport ledger. Applications are received at the counter (①②), sent to
the prefecture, arrive with their issue date, and are handed out with the identity checked and
the documents given back (③: 一般旅券受領書交付及び身元確認資料の返還).

旅券法 §18①二: a passport not collected within six months of its issue date lapses when the six
months have passed (checked against a reproduction of the text in force from 2022-04-01,
iuris.jp; e-Gov not opened). The six months are counted as 民法 §140 (the first day is not
counted) and §143② (the period ends on the day before the day of the sixth month that
corresponds to its first day, or on that month's last day when it has none): a passport issued
on 10 June is past six months from 11 December; one issued on 30 or 31 August from 1 March.
The lapsed ones are listed for return to the prefecture and cannot be handed out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.counter.backoffice.common import BackofficeError, audited_page, clean, day_between, required
from app.counter.backoffice.models import PassportApplication, PassportKind
from app.extensions import db
from app.web.paging import Page

KIND = "passport_application"
UNCOLLECTED_MONTHS = 6  # 旅券法 §18①二


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lapses_on(issued_on: date) -> date:
    """The first day the uncollected passport has no effect (旅券法 §18①二, 民法 §140・§143②)."""
    return add_months(issued_on, UNCOLLECTED_MONTHS) + timedelta(days=1)


def past_six_months(application: PassportApplication, today: date) -> bool:
    return (application.issued_on is not None and application.handed_on is None
            and application.returned_on is None and lapses_on(application.issued_on) <= today)


def last_lapsed_issue(today: date) -> date:
    """The latest issue date whose passport has lapsed by `today` (lapses_on never goes back as
    the issue date goes forward, so the lapsed ones are those issued up to this day)."""
    day = add_months(today, -UNCOLLECTED_MONTHS)
    while lapses_on(day) > today:
        day -= timedelta(days=1)
    while lapses_on(day + timedelta(days=1)) <= today:
        day += timedelta(days=1)
    return day


def state_label(application: PassportApplication, today: date) -> str:
    if application.returned_on:
        return f"未交付失効・県へ返納（{application.returned_on:%Y-%m-%d}）"
    if application.handed_on:
        return f"交付済（{application.handed_on:%Y-%m-%d}）"
    if past_six_months(application, today):
        return "発行後6か月経過（失効・県へ返納）"
    if application.arrived_on:
        return "交付待ち"
    if application.sent_on:
        return "県で審査・作成中"
    return "受付済（県へ未送付）"


@dataclass(frozen=True)
class ApplicationInput:
    applicant_name: str
    applicant_address: str
    kind: str
    received_on: date | None
    note: str = ""


def receive(data: ApplicationInput, *, today: date, by: User) -> PassportApplication:
    problems = required(data, (("applicant_name", "申請者の氏名"), ("applicant_address", "申請者の住所")))
    if not PassportKind.has(data.kind):
        problems.append(Problem("kind", "旅券の種類を一覧から選んでください。"))
    problems += day_between("received_on", "受付日", data.received_on, None, today, "")
    if problems:
        raise BackofficeError.of(problems)
    assert data.received_on is not None
    application = PassportApplication(applicant_name=clean(data.applicant_name),
                                      applicant_address=data.applicant_address.strip(), kind=PassportKind(data.kind),
                                      received_on=data.received_on, received_by_id=by.id, note=data.note.strip())
    db.session.add(application)
    db.session.flush()
    audit.record("create", KIND, application.id, f"旅券申請の受付 {application.applicant_name}", by=by)
    return application


def read(application_id: int, *, by: User) -> PassportApplication | None:
    application = db.session.get(PassportApplication, application_id)
    if application is not None:
        audit.record("read", KIND, application.id, f"旅券 {application.applicant_name}", by=by)
    return application


@dataclass(frozen=True)
class StepInput:
    day: date | None = None
    issued_on: date | None = None
    identity_document: str = ""


def send(application: PassportApplication, data: StepInput, *, today: date, by: User) -> None:
    problems = [Problem("", "この申請は県へ送付済です。")] if application.sent_on else []
    problems += day_between("day", "県への送付日", data.day, application.received_on, today, "受付日")
    if problems:
        raise BackofficeError.of(problems)
    application.sent_on = data.day
    _changed(application, f"県へ送付 {data.day:%Y-%m-%d}", by)


def arrive(application: PassportApplication, data: StepInput, *, today: date, by: User) -> None:
    problems = []
    if application.sent_on is None:
        problems.append(Problem("", "県へ送付していない申請です。先に送付日を記録してください。"))
    elif application.arrived_on:
        problems.append(Problem("", "この旅券は到着済です。"))
    problems += day_between("day", "到着日", data.day, application.sent_on, today, "県への送付日")
    if data.issued_on is None:
        problems.append(Problem("issued_on", "旅券の発行日を入力してください。"))
    elif application.sent_on and not application.sent_on <= data.issued_on <= (data.day or today):
        problems.append(Problem("issued_on", "発行日は県への送付日から到着日までの日付にしてください。"))
    if problems:
        raise BackofficeError.of(problems)
    application.arrived_on, application.issued_on = data.day, data.issued_on
    _changed(application, f"旅券到着 {data.day:%Y-%m-%d}（発行日 {data.issued_on:%Y-%m-%d}）", by)


def hand_out(application: PassportApplication, data: StepInput, *, today: date, by: User) -> None:
    """Handed to the applicant with the identity checked by `by` (000 §6(8)③). A lapsed passport
    (旅券法 §18①二) is not handed out: it goes back to the prefecture."""
    problems = []
    if application.arrived_on is None:
        problems.append(Problem("", "旅券がまだ到着していません。"))
    elif application.handed_on or application.returned_on:
        problems.append(Problem("", "この旅券は交付済または県へ返納済です。"))
    elif application.issued_on and data.day and data.day >= lapses_on(application.issued_on):
        problems.append(Problem("day", f"発行日から6か月を経過し失効しています（旅券法第18条第1項第2号、"
                                       f"{lapses_on(application.issued_on):%Y-%m-%d}から）。交付できません。"))
    problems += day_between("day", "交付日", data.day, application.arrived_on, today, "到着日")
    if not data.identity_document.strip():
        problems.append(Problem("identity_document", "本人確認書類を入力してください。"))
    if problems:
        raise BackofficeError.of(problems)
    application.handed_on, application.identity_document = data.day, clean(data.identity_document)
    application.identity_checked_by_id = by.id
    _changed(application, f"旅券交付 {data.day:%Y-%m-%d}（本人確認：{application.identity_document}）", by)


def return_to_prefecture(application: PassportApplication, data: StepInput, *, today: date, by: User) -> None:
    problems = []
    if not past_six_months(application, data.day or today):
        problems.append(Problem("", "発行後6か月を経過した未交付の旅券だけを県へ返納できます。"))
    problems += day_between("day", "県への返納日", data.day, application.arrived_on, today, "到着日")
    if problems:
        raise BackofficeError.of(problems)
    application.returned_on = data.day
    _changed(application, f"未交付失効 県へ返納 {data.day:%Y-%m-%d}", by)


def _changed(application: PassportApplication, what: str, by: User) -> None:
    db.session.flush()
    audit.record("update", KIND, application.id, f"{what} {application.applicant_name}", by=by)


def ledger_query() -> Select[tuple[PassportApplication]]:
    return select(PassportApplication).order_by(PassportApplication.received_on.desc(), PassportApplication.id.desc())


def uncollected_query(today: date) -> Select[tuple[PassportApplication]]:
    """Arrived, not handed out, not yet returned, and past six months today (旅券法 §18①二)."""
    return (select(PassportApplication)
            .where(PassportApplication.handed_on.is_(None), PassportApplication.returned_on.is_(None),
                   PassportApplication.issued_on <= last_lapsed_issue(today))
            .order_by(PassportApplication.issued_on, PassportApplication.id))


def ledger_page(page: int, *, by: User) -> Page[PassportApplication]:
    return audited_page(ledger_query(), page, KIND, "旅券の受付・交付簿", by=by)


def uncollected_page(today: date, page: int, *, by: User) -> Page[PassportApplication]:
    return audited_page(uncollected_query(today), page, KIND, "発行後6か月を経過した未交付の旅券", by=by)
