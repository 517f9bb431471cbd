"""The monthly check lists (月次チェック作業, 000 §6(11)–(13), issue 21): drawn each month from the
registry stand-in and the counter's cases, then worked through item by item (checked, when, who)
and marked done.

- 高齢受給者証 (000 §6(11)①サ 高齢受給者証交付者確認): national-health-insurance members who
  reach 70 in the month. 70歳に達する日 is the day before the 70th birthday (app/counter/monthly/
  ages.py); the certificate applies from the first day of the following month (国民健康保険法
  §42①; the paragraph's item numbering was not verified).
- 次月75歳到達者 (000 §6(13)①ケ 次月年齢到達者名簿資格確認): residents who are 75 from a day of the
  next month. 高齢者の医療の確保に関する法律 §50①一: everyone living in the 広域連合's area aged 75
  or over is insured; the insurance starts on the 75th birthday (資格取得の時期 is §52 of the same
  law — not verified here), for a birth on 29 February on 1 March of a common year.
- 送付先・口座情報の入力確認 (000 §6(13)②カ): the month's late-elderly cases that enter an account
  or a mailing address, and the NHI 送付先変更 (000 §6(11)①ク), to check against what was keyed
  into the city's system.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.refusal import Refusal
from app.counter.models import Case, CaseState, Procedure
from app.counter.monthly.ages import births_reaching, first_day_of_age, month_bounds, next_month, reaching_day
from app.counter.monthly.models import MonthlyList, MonthlyListItem, MonthlyListKind
from app.extensions import db
from app.registry import services as registry
from app.web.paging import Page, paged

SUBJECT = "monthly_list"
ELDERLY_RECIPIENT_AGE = 70
LATE_ELDERLY_AGE = 75
#: The procedures whose cases put an account or a mailing address into the city's system.
ACCOUNT_MAILING_PROCEDURES = (
    "nhi_mailing_address",  # 000 §6(11)①ク
    "late_elderly_refund_account",  # 000 §6(13)①オ
    "late_elderly_direct_debit",  # 000 §6(13)①カ
    "late_elderly_payment_method",  # 000 §6(13)①キ
    "late_elderly_funeral",  # 000 §6(13)②ア
    "late_elderly_medical_expense",  # 000 §6(13)②ウ
    "late_elderly_high_cost",  # 000 §6(13)②エ
    "late_elderly_high_cost_care",  # 000 §6(13)②オ
)
SPEC = {
    MonthlyListKind.elderly_recipient: "000 §6(11)①サ",
    MonthlyListKind.late_elderly_next_month: "000 §6(13)①ケ",
    MonthlyListKind.account_mailing: "000 §6(13)②カ",
}


class MonthlyListError(Refusal):
    pass


@dataclass(frozen=True)
class Entry:
    """One line a list's query finds: a resident or a case, and the day that puts it there."""

    due_on: date
    resident_id: int | None = None
    case_id: int | None = None


# --- the queries --------------------------------------------------------------------------------

def reaching_in(years: int, first: date, last: date, *, nhi_only: bool, by: User | None) -> list[Entry]:
    """Residents who reach `years` (年齢に達する日) on a day from `first` to `last`."""
    low, high = births_reaching(years, first, last)
    people = registry.born_between(low, high, "月次チェック（年齢到達者）", by=by)
    return [Entry(reaching_day(p.birth_date, years), resident_id=p.id) for p in people
            if first <= reaching_day(p.birth_date, years) <= last and (p.nhi_member or not nhi_only)]


def aged_from_in(years: int, first: date, last: date, *, by: User | None) -> list[Entry]:
    """Residents whose first day of being `years` old falls from `first` to `last`."""
    low, high = births_reaching(years, first, last)
    people = registry.born_between(low, high, "月次チェック（年齢到達者）", by=by)
    return [Entry(first_day_of_age(p.birth_date, years), resident_id=p.id) for p in people
            if first <= first_day_of_age(p.birth_date, years) <= last]


def account_mailing_cases(first: date, last: date) -> list[Entry]:
    query = (select(Case.id, Case.created_at, Case.subject_resident_id, Case.requester_resident_id)
             .join(Procedure, Procedure.id == Case.procedure_id)
             .where(Procedure.code.in_(ACCOUNT_MAILING_PROCEDURES), Case.state != CaseState.withdrawn,
                    Case.created_at >= datetime.combine(first, time.min),
                    Case.created_at < datetime.combine(last + timedelta(days=1), time.min))
             .order_by(Case.created_at, Case.id))
    return [Entry(created.date(), resident_id=subject or requester, case_id=case_id)
            for case_id, created, subject, requester in db.session.execute(query)]


def entries(kind: MonthlyListKind, month: date, *, by: User | None) -> list[Entry]:
    """What the list of `kind` for `month` holds, from the registry and the cases now."""
    first, last = month_bounds(month)
    if kind is MonthlyListKind.elderly_recipient:
        return reaching_in(ELDERLY_RECIPIENT_AGE, first, last, nhi_only=True, by=by)
    if kind is MonthlyListKind.late_elderly_next_month:
        return aged_from_in(LATE_ELDERLY_AGE, *month_bounds(next_month(first)), by=by)
    return account_mailing_cases(first, last)


# --- drawing and working through ----------------------------------------------------------------

def get(list_id: int) -> MonthlyList | None:
    return db.session.get(MonthlyList, list_id)


def of_month(kind: MonthlyListKind, month: date) -> MonthlyList | None:
    return db.session.scalar(select(MonthlyList).where(MonthlyList.kind == kind,
                                                       MonthlyList.month == month.replace(day=1)))


def draw(kind: MonthlyListKind, month: date, *, by: User | None) -> tuple[MonthlyList, int]:
    """Draw the month's list, or draw it again: what the query finds now and the list lacks is
    added (a resident who moved in since); nothing checked is removed. Returns the list and how
    many items were added."""
    found = of_month(kind, month)
    if found is not None and found.done_at is not None:
        raise MonthlyListError("この一覧は完了しています。引き直すことはできません。")
    if found is None:
        found = MonthlyList(kind=kind, month=month.replace(day=1), drawn_by_id=by.id if by else None)
        db.session.add(found)
        db.session.flush()
    have = {(i.resident_id, i.case_id) for i in found.items}
    added = [e for e in entries(kind, month, by=by) if (e.resident_id, e.case_id) not in have]
    for e in added:
        db.session.add(MonthlyListItem(list_id=found.id, resident_id=e.resident_id, case_id=e.case_id,
                                       due_on=e.due_on))
    found.drawn_at, found.drawn_by_id = now(), by.id if by else None
    db.session.flush()
    db.session.expire(found, ["items"])
    audit.record("update", SUBJECT, found.id, f"{label(found)}を作成（追加{len(added)}件）", by=by)
    return found, len(added)


def label(found: MonthlyList) -> str:
    return f"{found.month.year}年{found.month.month}月分 {found.kind.label}"


def check(item: MonthlyListItem, note: str, *, by: User) -> None:
    """確認済: the item was checked against the city's system, by `by`, now."""
    if item.list.done_at is not None:
        raise MonthlyListError("この一覧は完了しています。")
    if item.checked_at is not None:
        raise MonthlyListError("この行はすでに確認済です。")
    item.checked_at, item.checked_by_id, item.note = now(), by.id, note.strip()[:500]
    audit.record("update", SUBJECT, item.list_id, f"{label(item.list)} 行#{item.id}を確認済に", by=by)
    db.session.flush()


def unchecked(found: MonthlyList) -> int:
    return int(db.session.scalar(select(func.count(MonthlyListItem.id)).where(
        MonthlyListItem.list_id == found.id, MonthlyListItem.checked_at.is_(None))) or 0)


def finish(found: MonthlyList, *, by: User) -> None:
    """完了: every item checked; the list is closed (who, when)."""
    if found.done_at is not None:
        raise MonthlyListError("この一覧はすでに完了しています。")
    if left := unchecked(found):
        raise MonthlyListError(f"未確認の行が{left}件あります。すべて確認してから完了にしてください。")
    found.done_at, found.done_by_id = now(), by.id
    audit.record("update", SUBJECT, found.id, f"{label(found)}を完了", by=by)
    db.session.flush()


# --- pages --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRow:
    item: MonthlyListItem
    name: str
    kana: str
    birth_date: date | None
    address: str


def items_page(found: MonthlyList, page: int, *, by: User) -> Page[ItemRow]:
    """A page of the list with the residents' names from the registry (one audit row)."""
    paging = paged(select(MonthlyListItem).where(MonthlyListItem.list_id == found.id)
                   .order_by(MonthlyListItem.due_on, MonthlyListItem.id), page)
    items: list[MonthlyListItem] = paging.rows
    people = registry.read_people([i.resident_id for i in items if i.resident_id], f"{label(found)}の表示", by=by)
    rows = []
    for i in items:
        p = people.get(i.resident_id) if i.resident_id else None
        rows.append(ItemRow(i, p.name if p else "", p.kana if p else "", p.birth_date if p else None,
                            p.address if p else ""))
    return Page(rows, paging.count, paging.page)


@dataclass(frozen=True)
class ListLine:
    kind: MonthlyListKind
    found: MonthlyList | None
    items: int
    checked: int


def lines_for(month: date) -> list[ListLine]:
    """Each kind's list of the month, with its counts (None when not drawn yet)."""
    lines = []
    for kind in MonthlyListKind:
        found = of_month(kind, month)
        items = checked = 0
        if found is not None:
            items = len(found.items)
            checked = sum(i.checked_at is not None for i in found.items)
        lines.append(ListLine(kind, found, items, checked))
    return lines


def open_lists() -> list[MonthlyList]:
    """Lists drawn and not done (the home page's work line)."""
    return list(db.session.scalars(select(MonthlyList).where(MonthlyList.done_at.is_(None))
                                   .order_by(MonthlyList.month, MonthlyList.id)))


def residents_of(found: MonthlyList) -> Iterable[int]:
    return [i.resident_id for i in found.items if i.resident_id is not None]
