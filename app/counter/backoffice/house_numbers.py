"""住居表示 (000 §6(7)): the 住居番号 assigned on an application (①) and notified to the building's
owner or occupant with the 住居番号通知書, which is then handed over (②).

住居表示に関する法律 (昭和37年法律第119号) §2一: in the 街区方式 an address is the 町名, the
街区符号 and the 住居番号 of the building, so a number is given once within its 街区 (the
service and a unique constraint say so); §3③: the numbers are notified to the persons
concerned (checked against a reproduction of the text, iuris.jp / elaws.jp; e-Gov not opened).
How a new building's number is applied for and notified is the city's 住居表示事務取扱規則:
not verified, this ledger follows the common practice (application, notice, hand-over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year
from app.core.refusal import Problem
from app.core.text import width
from app.counter.backoffice.common import BackofficeError, audited_page, clean, day_between, required
from app.counter.backoffice.models import HouseNumberNotice
from app.extensions import db
from app.web.paging import Page

KIND = "house_number_notice"
ROLES = ("所有者", "占有者")
NUMBER = re.compile(r"^[1-9][0-9]{0,4}(-[1-9][0-9]{0,3})?$")  # 12 or 12-3 (枝番)


@dataclass(frozen=True)
class NoticeInput:
    block: str
    number: str
    building: str
    person_name: str
    person_role: str
    applied_on: date | None
    issued_on: date | None


def _taken(block: str, number: str) -> HouseNumberNotice | None:
    return db.session.scalar(select(HouseNumberNotice).where(HouseNumberNotice.block == block,
                                                             HouseNumberNotice.number == number))


def issue(data: NoticeInput, *, today: date, by: User) -> HouseNumberNotice:
    block, number = clean(width(data.block)), width(data.number).strip().replace("－", "-").replace("ー", "-")
    problems = required(data, (("block", "町名・街区符号"), ("number", "住居番号"),
                               ("person_name", "所有者・占有者の氏名")))
    if number and not NUMBER.match(number):
        problems.append(Problem("number", "住居番号は 12 または 12-3 のように数字で入力してください。"))
    elif block and number and (earlier := _taken(block, number)) is not None:
        problems.append(Problem("number", f"{block}{number}号は通知済です（通知番号{earlier.notice_number}）。"))
    if data.person_role not in ROLES:
        problems.append(Problem("person_role", "所有者か占有者かを選んでください。"))
    problems += day_between("applied_on", "申請日", data.applied_on, None, today, "")
    problems += day_between("issued_on", "通知日", data.issued_on, data.applied_on, today, "申請日")
    if problems:
        raise BackofficeError.of(problems)
    assert data.applied_on is not None and data.issued_on is not None
    year = fiscal_year(data.issued_on)
    serial = (db.session.scalar(select(func.max(HouseNumberNotice.serial))
                                .where(HouseNumberNotice.fiscal_year == year)) or 0) + 1
    notice = HouseNumberNotice(fiscal_year=year, serial=serial, block=block, number=number,
                               building=clean(data.building), person_name=clean(data.person_name),
                               person_role=data.person_role, applied_on=data.applied_on, issued_on=data.issued_on,
                               issued_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        raise BackofficeError(f"{block}{number}号は他の窓口で通知されたところです。", "number") from None
    audit.record("create", KIND, notice.id, f"住居番号通知 {notice.notice_number} {notice.address} "
                                            f"{notice.person_name}", by=by)
    return notice


def read(notice_id: int, *, by: User) -> HouseNumberNotice | None:
    notice = db.session.get(HouseNumberNotice, notice_id)
    if notice is not None:
        audit.record("read", KIND, notice.id, f"住居番号通知 {notice.notice_number} {notice.person_name}", by=by)
    return notice


def hand_over(notice: HouseNumberNotice, handed_on: date | None, *, today: date, by: User) -> None:
    problems = [Problem("", "この通知書は引渡し済です。")] if notice.handed_on else []
    problems += day_between("handed_on", "引渡日", handed_on, notice.issued_on, today, "通知日")
    if problems:
        raise BackofficeError.of(problems)
    notice.handed_on = handed_on
    db.session.flush()
    audit.record("update", KIND, notice.id, f"住居番号通知書の引渡し {notice.notice_number} {handed_on:%Y-%m-%d}",
                 by=by)


def ledger_query() -> Select[tuple[HouseNumberNotice]]:
    return select(HouseNumberNotice).order_by(HouseNumberNotice.fiscal_year.desc(), HouseNumberNotice.serial.desc())


def ledger_page(page: int, *, by: User) -> Page[HouseNumberNotice]:
    return audited_page(ledger_query(), page, KIND, "住居番号通知の台帳", by=by)
