"""寄附の使い道 (issue 16 §1): the list of uses the city offers, per fiscal year, which the
office edits; every donation keeps the use as the donor chose it (Donation.use). A portal's
text that is not in the year's list is kept as it came and shown as such, never dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year, now
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.models import Donation
from app.furusato.services import FurusatoError, name_of
from app.furusato.status_models import DonationUse

NAME_MAX = 200


@dataclass
class UseInput:
    fiscal_year: int | None
    name: str
    sort_order: int | None
    active: bool = True


def uses_of(year: int, *, active_only: bool = False) -> list[DonationUse]:
    """The year's uses in the order the city lists them."""
    query = select(DonationUse).where(DonationUse.fiscal_year == year)
    if active_only:
        query = query.where(DonationUse.active.is_(True))
    return list(db.session.scalars(query.order_by(DonationUse.sort_order, DonationUse.id)))


def names_for(day: date) -> list[str]:
    """What intake offers for a donation applied on `day`: its fiscal year's active uses."""
    return [u.name for u in uses_of(fiscal_year(day), active_only=True)]


def in_list(donation: Donation) -> bool:
    """Whether the donation's use is one of its fiscal year's list ("" counts as in: none chosen)."""
    if not donation.use:
        return True
    return db.session.scalar(select(DonationUse.id).where(
        DonationUse.fiscal_year == fiscal_year(donation.applied_on), DonationUse.name == donation.use)) is not None


def intake_problems(use: str, applied_on: date | None) -> list[Problem]:
    """Staff choose from the year's list (a portal's text may be anything: it is kept as is)."""
    if not use.strip() or applied_on is None:
        return []
    if nz.nfkc(use).strip() not in names_for(applied_on):
        return [Problem("use", f"寄附の使い道を{fiscal_year(applied_on)}年度の一覧から選んでください。")]
    return []


def _problems(data: UseInput, current: DonationUse | None) -> list[Problem]:
    problems = []
    name = nz.nfkc(data.name).strip()
    if data.fiscal_year is None or not 2000 <= data.fiscal_year <= 2100:
        problems.append(Problem("fiscal_year", "年度を西暦で入力してください（例：2026）。"))
    if not name:
        problems.append(Problem("name", "使い道の名称を入力してください。"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", f"使い道の名称は{NAME_MAX}文字以内で入力してください。"))
    elif data.fiscal_year is not None:
        twin = db.session.scalar(select(DonationUse).where(DonationUse.fiscal_year == data.fiscal_year,
                                                           DonationUse.name == name))
        if twin is not None and twin is not current:
            problems.append(Problem("name", f"「{name}」は{data.fiscal_year}年度の一覧に既にあります。"))
    if data.sort_order is not None and not 0 <= data.sort_order <= 9999:
        problems.append(Problem("sort_order", "表示順は0から9999までの数で入力してください。"))
    return problems


def add_use(data: UseInput, by: User | None) -> DonationUse:
    """A new use at the end of the year's list (or at the order given)."""
    problems = _problems(data, None)
    if problems:
        raise FurusatoError.of(problems)
    assert data.fiscal_year is not None
    order = data.sort_order
    if order is None:
        order = (db.session.scalar(select(func.max(DonationUse.sort_order))
                                   .where(DonationUse.fiscal_year == data.fiscal_year)) or 0) + 10
    use = DonationUse(fiscal_year=data.fiscal_year, name=nz.nfkc(data.name).strip(), sort_order=order,
                      active=data.active, updated_by=name_of(by))
    db.session.add(use)
    db.session.flush()
    audit.record("create", "furusato_use", use.id, f"寄附の使い道を追加 {use.fiscal_year}年度「{use.name}」", by=by)
    return use


def update_use(use: DonationUse, data: UseInput, by: User | None) -> DonationUse:
    """Rename, reorder or stop offering a use. Donations keep the text they were given."""
    data.fiscal_year = use.fiscal_year
    problems = _problems(data, use)
    if problems:
        raise FurusatoError.of(problems)
    before = f"「{use.name}」順{use.sort_order}{'' if use.active else '（停止）'}"
    use.name, use.active, use.updated_by, use.updated_at = nz.nfkc(data.name).strip(), data.active, name_of(by), now()
    if data.sort_order is not None:
        use.sort_order = data.sort_order
    db.session.flush()
    after = f"「{use.name}」順{use.sort_order}{'' if use.active else '（停止）'}"
    audit.record("update", "furusato_use", use.id, f"寄附の使い道を変更 {use.fiscal_year}年度 {before}→{after}", by=by)
    return use


def copy_year(source: int, target: int, by: User | None) -> list[DonationUse]:
    """Start a year's list from another year's (the names a new year usually keeps)."""
    if uses_of(target):
        raise FurusatoError(f"{target}年度の一覧は既にあります。", "fiscal_year")
    made = [DonationUse(fiscal_year=target, name=u.name, sort_order=u.sort_order, active=u.active,
                        updated_by=name_of(by)) for u in uses_of(source)]
    if not made:
        raise FurusatoError(f"{source}年度の一覧がありません。", "fiscal_year")
    db.session.add_all(made)
    db.session.flush()
    audit.record("create", "furusato_use", target,
                 f"寄附の使い道 {source}年度の一覧から{target}年度を作成（{len(made)}件）", by=by)
    return made
