"""The sections of the monthly report (004 §10(1)) and of the analytics page: each is a function
of a Scope (a period, optionally one portal) that returns its figures as a table and its charts.

SECTIONS is the report's order. Another part of the programme (shipping, one-stop) adds its
section with one line: write `def shipping(scope: Scope) -> Section` and append it to SECTIONS.

Counting rules chosen here (the specification does not fix them): a donation counts in the
period of its 申込日 (applied_on) unless it was cancelled or refunded; a repeat donor is a donor
of the period who had given before the period began; 前年同期 is the same days one year earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from reportlab.graphics.shapes import Drawing
from sqlalchemy import ColumnElement, Select, func, select

from app.core.charts import Series, bar_chart, line_chart, pie_chart
from app.extensions import db
from app.furusato import certificates
from app.furusato.calls.models import Inquiry, InquiryCategory, InquiryState
from app.furusato.models import (
    Certificate,
    Donation,
    DonationState,
    Portal,
    SuspectFlag,
    SuspectReason,
)
from app.furusato.reports.models import StrategyMeeting

TOP = 15  # the longest lists (gifts, prefectures) show this many, the rest as その他
NOT_COUNTED = (DonationState.cancelled, DonationState.refunded)


@dataclass(frozen=True)
class Scope:
    """A period [start, end) and, for the analytics page, one portal (None: all)."""

    start: date
    end: date
    portal_id: int | None = None

    @property
    def last_year(self) -> Scope:
        return Scope(_year_before(self.start), _year_before(self.end), self.portal_id)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}〜{self.end - timedelta(days=1):%Y-%m-%d}"


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Section:
    """A heading, a table (header and rows of text and numbers), charts, and a note."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    charts: list[Drawing] = field(default_factory=list)
    note: str = ""


SectionFunction = Callable[[Scope], Section]


def _counted(scope: Scope) -> list[ColumnElement[bool]]:
    where = [Donation.applied_on >= scope.start, Donation.applied_on < scope.end, Donation.status.not_in(NOT_COUNTED)]
    if scope.portal_id is not None:
        where.append(Donation.portal_id == scope.portal_id)
    return where


def _grouped(scope: Scope, key: Any) -> Select[Any]:
    return (select(key, func.count(Donation.id), func.coalesce(func.sum(Donation.amount), 0))
            .where(*_counted(scope)).group_by(key))


def totals(scope: Scope) -> tuple[int, int]:
    """How many donations count in the scope, and their amount (yen)."""
    count, amount = db.session.execute(select(func.count(Donation.id), func.coalesce(func.sum(Donation.amount), 0))
                                       .where(*_counted(scope))).one()
    return int(count), int(amount)


def repeat_donors(scope: Scope) -> tuple[int, int]:
    """(donors of the scope, of whom gave before it began)."""
    donors = select(Donation.donor_id).where(*_counted(scope)).distinct().subquery()
    earlier = select(Donation.donor_id).where(Donation.applied_on < scope.start,
                                              Donation.status.not_in(NOT_COUNTED)).distinct().subquery()
    all_ = int(db.session.scalar(select(func.count()).select_from(donors)) or 0)
    repeat = int(db.session.scalar(select(func.count()).select_from(donors).where(
        donors.c.donor_id.in_(select(earlier.c.donor_id)))) or 0)
    return all_, repeat


def _ratio(now_: int, before: int) -> str:
    return f"{now_ / before * 100:.1f}%" if before else "—"


def summary(scope: Scope) -> Section:
    count, amount = totals(scope)
    last_count, last_amount = totals(scope.last_year)
    donors, repeat = repeat_donors(scope)
    rows = [("寄附件数（件）", count, last_count, _ratio(count, last_count)),
            ("寄附金額（円）", amount, last_amount, _ratio(amount, last_amount)),
            ("寄附者数（人）", donors, "", ""),
            ("うちリピーター（人）", repeat, "", _ratio(repeat, donors) + "（寄附者に占める割合）" if donors else "")]
    return Section("概要", ("項目", "当期", "前年同期", "前年同期比"), rows,
                   note="申込日で集計。キャンセル・返金は含みません。リピーターは当期より前にも寄附のある寄附者。")


def _portal_names() -> dict[int, str]:
    return dict(db.session.execute(select(Portal.id, Portal.name).order_by(Portal.sort_order, Portal.id)).all())


def by_portal(scope: Scope) -> Section:
    names = _portal_names()
    now_ = {p: (c, a) for p, c, a in db.session.execute(_grouped(scope, Donation.portal_id))}
    before = {p: (c, a) for p, c, a in db.session.execute(_grouped(scope.last_year, Donation.portal_id))}
    shown = [p for p in names if p in now_ or p in before]
    rows = [(names[p], now_.get(p, (0, 0))[0], now_.get(p, (0, 0))[1], before.get(p, (0, 0))[1]) for p in shown]
    chart = bar_chart("ポータル別の寄附金額", [names[p].removesuffix("ふるさと納税") for p in shown],
                      [Series("当期", [now_.get(p, (0, 0))[1] for p in shown]),
                       Series("前年同期", [before.get(p, (0, 0))[1] for p in shown])], unit="円")
    return Section("ポータル別", ("ポータル", "件数", "金額（円）", "前年同期の金額（円）"), rows, [chart])


def by_day(scope: Scope) -> Section:
    found = {d: (int(c), int(a)) for d, c, a in db.session.execute(_grouped(scope, Donation.applied_on))}
    days = scope.days
    rows = [(f"{d:%Y-%m-%d}", *found.get(d, (0, 0))) for d in days]
    chart = line_chart("日別の寄附件数", [f"{d.day}" for d in days],
                       [Series("件数", [found.get(d, (0, 0))[0] for d in days])], unit="件")
    return Section("日別", ("日", "件数", "金額（円）"), rows, [chart])


def _top(pairs: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    ranked = sorted(pairs, key=lambda r: (-r[2], r[0]))
    if len(ranked) <= TOP:
        return list(ranked)
    rest = ranked[TOP - 1:]
    return [*ranked[:TOP - 1], ("その他", sum(r[1] for r in rest), sum(r[2] for r in rest))]


def by_gift(scope: Scope) -> Section:
    rows = _top([(name or "（返礼品なし）", int(c), int(a))
                 for name, c, a in db.session.execute(_grouped(scope, Donation.gift_name))])
    chart = bar_chart("返礼品別の寄附件数（上位）", [r[0] for r in rows], [Series("件数", [r[1] for r in rows])],
                      unit="件")
    return Section("返礼品別", ("返礼品", "件数", "金額（円）"), rows, [chart])


def by_use(scope: Scope) -> Section:
    rows = _top([(use or "（指定なし）", int(c), int(a))
                 for use, c, a in db.session.execute(_grouped(scope, Donation.use))])
    charts = [pie_chart("寄附の使い道別の金額", [r[0][:14] for r in rows], [r[2] for r in rows])] if rows else []
    return Section("寄附の使い道別", ("使い道", "件数", "金額（円）"), rows, charts)


def by_region(scope: Scope) -> Section:
    rows = _top([(pref or "（不明）", int(c), int(a))
                 for pref, c, a in db.session.execute(_grouped(scope, Donation.prefecture))])
    chart = bar_chart("寄附者の地域別（都道府県）の件数", [r[0] for r in rows], [Series("件数", [r[1] for r in rows])],
                      unit="件")
    return Section("寄附者の地域別", ("都道府県", "件数", "金額（円）"), rows, [chart])


def _in(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """A timestamp column within the scope's days."""
    return [column >= datetime.combine(scope.start, time.min), column < datetime.combine(scope.end, time.min)]


def suspects(scope: Scope) -> Section:
    """疑義データ found in the period and resolved in it (004 §7(1)エ)."""
    def counts(column: Any) -> dict[str, int]:
        query = select(SuspectFlag.reason, func.count(SuspectFlag.id)).where(*_in(column, scope))
        if scope.portal_id is not None:
            query = query.join(Donation, Donation.id == SuspectFlag.donation_id).where(
                Donation.portal_id == scope.portal_id)
        return {r: int(c) for r, c in db.session.execute(query.group_by(SuspectFlag.reason))}

    found, cleared = counts(SuspectFlag.created_at), counts(SuspectFlag.cleared_at)
    rows = [(r.label, found.get(r, 0), cleared.get(r, 0)) for r in SuspectReason]
    rows.append(("合計", sum(found.values()), sum(cleared.values())))
    return Section("疑義データ", ("理由", "発見", "解消"), rows)


def certificate_figures(scope: Scope) -> Section:
    """寄附金受領証明書 posted in the period against their deadline (004 §7(4)ア, 2 weeks:
    certificates.due_date), and those still waiting past it at the period's end."""
    query = (select(Certificate.posted_at, Donation.paid_on).join(Donation, Donation.id == Certificate.donation_id)
             .where(*_in(Certificate.posted_at, scope), Certificate.reissue_of_id.is_(None)))
    if scope.portal_id is not None:
        query = query.where(Donation.portal_id == scope.portal_id)
    posted = on_time = 0
    for posted_at, paid_on in db.session.execute(query):
        posted += 1
        on_time += paid_on is not None and posted_at.date() <= certificates.due_date(paid_on)
    overdue = certificates.due_summary(scope.end).overdue
    rows = [("発送した受領証明書（枚）", posted), ("うち発送期限内（枚）", on_time),
            ("発送期限内の割合", _ratio(on_time, posted)), ("期末時点で発送期限を過ぎて未発送（件）", overdue)]
    return Section("受領証明書の発送", ("項目", "値"), rows, note="再発行を除きます。")


def inquiries(scope: Scope) -> Section:
    """コールセンター (004 §7(8)): inquiries received in the period by category."""
    got = {c: int(n) for c, n in db.session.execute(
        select(Inquiry.category, func.count(Inquiry.id)).where(*_in(Inquiry.received_at, scope))
        .group_by(Inquiry.category))}
    open_ = {c: int(n) for c, n in db.session.execute(
        select(Inquiry.category, func.count(Inquiry.id)).where(*_in(Inquiry.received_at, scope),
                                                               Inquiry.state != InquiryState.closed)
        .group_by(Inquiry.category))}
    rows = [(c.label, got.get(c, 0), open_.get(c, 0)) for c in InquiryCategory]
    rows.append(("合計", sum(got.values()), sum(open_.values())))
    charts = [bar_chart("問い合わせの分類別件数", [c.label for c in InquiryCategory],
                        [Series("件数", [got.get(c, 0) for c in InquiryCategory])], unit="件")]
    return Section("コールセンター（問い合わせ）", ("分類", "受付", "うち未完了"), rows, charts)


def meetings(scope: Scope) -> Section:
    """戦略会議 (004 §10(2)) held in the period."""
    held = db.session.scalars(select(StrategyMeeting).where(StrategyMeeting.held_on >= scope.start,
                                                                StrategyMeeting.held_on < scope.end)
                              .order_by(StrategyMeeting.held_on, StrategyMeeting.id))
    rows = [(f"{m.held_on:%Y-%m-%d}", m.title or "戦略会議", m.attendees, m.decisions, m.actions) for m in held]
    return Section("戦略会議", ("開催日", "件名", "出席者", "決定事項", "対応"), rows,
                   note="" if rows else "この期間の開催はありません。")


#: The monthly report's sections, in order. Add one line for a new part of the programme.
SECTIONS: list[SectionFunction] = [summary, by_portal, by_day, by_gift, by_use, by_region, suspects,
                                   certificate_figures, inquiries, meetings]
#: The analytics page: the sections with charts and figures (no meetings).
ANALYTICS: list[SectionFunction] = [summary, by_portal, by_day, by_gift, by_use, by_region, inquiries]

from app.furusato.settlement import report_sections  # noqa: E402  (shipping, one-stop, settlement)

SECTIONS += report_sections.SECTIONS
