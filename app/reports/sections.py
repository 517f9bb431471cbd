"""The sections of the 業務報告書 (000 §10 "前月の処理・取扱件数"; issue 20 §1): each is a function
of a period that returns its tables, charts and headline figures, read from the domains' own
services where they have them (the queue's statistics, the register's day totals, the incident
count). The monthly report and the daily day sheet are the same sections over a month or a day.

Adding a section is one line in SECTIONS.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import Programme
from app.counter.models import Case, CaseAction, CaseEvent, CaseState, Category, Procedure, Visit
from app.extensions import db
from app.queue import stats
from app.register import services as register_services
from app.register.models import PaymentMethod, RegisterDay
from app.seal.models import ApplicationKind, ApplicationState, SealApplication
from app.staff import incidents
from app.staff.models import Incident, IncidentKind

Cell = str | int


@dataclass(frozen=True)
class Period:
    """The days a report covers, both ends included."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (a half-open bound for timestamps)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[list[Cell]]
    total: list[Cell] | None = None


@dataclass(frozen=True)
class Chart:
    """What app/core/charts.py draws: a bar, line or pie chart of these figures."""

    kind: str  # "bar", "line" or "pie"
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    unit: str = ""


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _yen(value: int) -> str:
    return f"{value:,}"


# --- visitors, tickets, waits ------------------------------------------------------------------

def queue_section(period: Period) -> Section:
    """来庁者・番号札: tickets by category (as issued) and by hour of issue, waits and service
    times, from the queue's own statistics (app/queue/stats.py)."""
    tickets = stats.tickets_of(period.start, period.end)
    summary = stats.summarize(period.start, tickets)
    visits = db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.created_at >= period.start_at, Visit.created_at < period.end_at)) or 0
    section = Section("queue", "来庁者・番号札・待ち時間")
    rows, names = [], []
    for category in summary.categories:
        bucket = summary.by_category.get(category.id)
        if bucket is None:
            continue
        names.append(category.name)
        rows.append([category.name, bucket.tickets, bucket.finished, bucket.no_show, bucket.transferred,
                     _minutes(bucket.avg_wait), _minutes(bucket.p90_wait), _minutes(bucket.avg_service),
                     _minutes(bucket.p90_service)])
    t = summary.total
    section.tables.append(Table(
        "業務別の番号札と待ち時間",
        ("業務", "発券数", "完了", "不在", "転送", "平均待ち(分)", "90%待ち(分)", "平均対応(分)", "90%対応(分)"),
        rows, ["合計", t.tickets, t.finished, t.no_show, t.transferred, _minutes(t.avg_wait), _minutes(t.p90_wait),
               _minutes(t.avg_service), _minutes(t.p90_service)]))
    by_hour: Tally[int] = Tally()
    for (_category, hour), bucket in summary.by_hour.items():
        by_hour[hour] += bucket.tickets
    hours = sorted(by_hour)
    section.tables.append(Table("時間帯別の発券数", ("時間帯", "発券数"),
                                [[f"{h}:00〜{h + 1}:00", by_hour[h]] for h in hours]))
    if rows:
        section.charts.append(Chart("bar", "業務別の発券数", tuple(names),
                                    (("発券数", tuple(float(r[1]) for r in rows)),), "枚"))
        section.charts.append(Chart("bar", "時間帯別の発券数", tuple(f"{h}時" for h in hours),
                                    (("発券数", tuple(float(by_hour[h]) for h in hours)),), "枚"))
        waits = [(r[0], float(r[5] or 0), float(r[7] or 0)) for r in rows]
        section.charts.append(Chart("bar", "業務別の平均待ち時間・対応時間", tuple(w[0] for w in waits),
                                    (("待ち時間", tuple(w[1] for w in waits)),
                                     ("対応時間", tuple(w[2] for w in waits))), "分"))
    section.figures = {
        "visits": visits, "tickets": t.tickets, "finished": t.finished, "no_show": t.no_show,
        "avg_wait": t.avg_wait, "p90_wait": t.p90_wait, "avg_service": t.avg_service,
        "by_category": {c.code: summary.by_category[c.id].tickets for c in summary.categories
                        if c.id in summary.by_category},
        "by_hour": dict(by_hour),
    }
    section.notes.append(f"受付した来庁者（案件の受付単位）：{visits:,}人")
    return section


# --- cases ---------------------------------------------------------------------------------------

OUTCOMES = (("完了", (CaseState.done,)), ("取下げ", (CaseState.withdrawn,)))


def _outcome(state: CaseState) -> str:
    return next((label for label, states in OUTCOMES if state in states), "処理中")


def _cases(period: Period) -> list[Case]:
    return list(db.session.scalars(
        select(Case).where(Case.created_at >= period.start_at, Case.created_at < period.end_at)
        .options(selectinload(Case.procedure), selectinload(Case.fee_lines)).order_by(Case.id)))


def cases_section(period: Period) -> Section:
    """受付した案件を手続別・結果別に（完了・取下げ・処理中）."""
    table: dict[str, Tally[str]] = {}
    order: dict[str, int] = {}
    for case in _cases(period):
        name = case.procedure.name
        order.setdefault(name, case.procedure.sort_order)
        table.setdefault(name, Tally())[_outcome(case.state)] += 1
    labels = [label for label, _ in OUTCOMES] + ["処理中"]
    names = sorted(table, key=lambda n: (order[n], n))
    rows: list[list[Cell]] = [[n, *(table[n][label] for label in labels), sum(table[n].values())] for n in names]
    totals = [sum(table[n][label] for n in names) for label in labels]
    section = Section("cases", "手続別の処理件数")
    section.tables.append(Table("手続別・結果別の案件数", ("手続", *labels, "計"), rows,
                                ["合計", *totals, sum(totals)]))
    if names:
        top = tuple(sorted(names, key=lambda n: -sum(table[n].values()))[:10])
        section.charts.append(Chart("bar", "手続別の案件数（上位10）", top,
                                    tuple((label, tuple(float(table[n][label]) for n in top)) for label in labels),
                                    "件"))
    section.figures = {"cases": sum(totals), **{label: n for label, n in zip(labels, totals, strict=True)},
                       "by_procedure": {n: sum(table[n].values()) for n in names}}
    return section


def returns_section(period: Period) -> Section:
    """審査での差戻し: when, which procedure, and the reason the city gave."""
    events = list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.action == CaseAction.return_, CaseEvent.at >= period.start_at,
                                CaseEvent.at < period.end_at)
        .options(selectinload(CaseEvent.case).selectinload(Case.procedure)).order_by(CaseEvent.at, CaseEvent.id)))
    section = Section("returns", "差戻し（審査での補正）")
    section.tables.append(Table("差戻しの理由", ("日時", "手続", "理由"),
                                [[f"{e.at:%Y-%m-%d %H:%M}", e.case.procedure.name, e.note or "（理由の記載なし）"]
                                 for e in events]))
    by_procedure = Tally(e.case.procedure.name for e in events)
    section.figures = {"returns": len(events), "by_procedure": dict(by_procedure)}
    section.notes.append(f"差戻し {len(events):,}件")
    return section


def certificates_section(period: Period) -> Section:
    """交付した証明書を種類別に: the certificate cases issued in the period, counted in copies (通)
    from their fee lines (a case without a fee line counts one copy)."""
    cases = db.session.scalars(
        select(Case).join(Procedure).where(Procedure.category == Category.certificate, Case.issued_at.is_not(None),
                                           Case.issued_at >= period.start_at, Case.issued_at < period.end_at)
        .options(selectinload(Case.procedure), selectinload(Case.fee_lines)))
    copies: Tally[str] = Tally()
    official: Tally[str] = Tally()
    for case in cases:
        count = sum(line.quantity for line in case.fee_lines) or 1
        copies[case.procedure.name] += count
        official[case.procedure.name] += sum(line.quantity for line in case.fee_lines if line.official_free)
    names = sorted(copies, key=lambda n: -copies[n])
    section = Section("certificates", "証明書の交付")
    section.tables.append(Table("種類別の交付通数", ("証明書", "交付通数", "うち公用"),
                                [[n, copies[n], official[n]] for n in names],
                                ["合計", sum(copies.values()), sum(official.values())]))
    if names:
        section.charts.append(Chart("pie", "種類別の交付通数", tuple(names),
                                    (("通数", tuple(float(copies[n]) for n in names)),)))
    section.figures = {"copies": sum(copies.values()), "by_kind": dict(copies)}
    return section


# --- fees and the register's daily closes ----------------------------------------------------

def _register_days(period: Period) -> list[RegisterDay]:
    return list(db.session.scalars(
        select(RegisterDay).where(RegisterDay.business_date >= period.start, RegisterDay.business_date <= period.end)
        .options(selectinload(RegisterDay.terminal), selectinload(RegisterDay.closes))
        .order_by(RegisterDay.business_date, RegisterDay.terminal_id)))


def reconcile(day: RegisterDay, totals: register_services.DayTotals) -> str:
    """How a register day's payments stand against its daily close (日計): 一致 when the close's
    expected cash is what the payments give now; 不一致 otherwise; 日計未了 with no close, 再開中
    when a supervisor reopened the day and it is not closed again."""
    close = day.close
    if close is None:
        return "日計未了"
    if not day.closed:
        return "再開中"
    return "一致" if close.expected_cash == totals.expected_cash else "不一致"


def fees_section(period: Period) -> Section:
    """手数料等の収納: by fee and by payment method, summed from each register day's totals and
    set against that day's close (000 §6(10))."""
    by_fee: dict[tuple[str, str], list[int]] = {}
    by_method: dict[str, list[int]] = {}
    day_rows: list[list[Cell]] = []
    status: Tally[str] = Tally()
    total = 0
    for day in _register_days(period):
        totals = register_services.day_totals(day)
        for fee in totals.by_fee:
            entry = by_fee.setdefault((fee.fee_code, fee.label), [0, 0])
            entry[0] += fee.quantity
            entry[1] += fee.amount
        for method in totals.by_method:
            entry = by_method.setdefault(method.method, [0, 0])
            entry[0] += method.count
            entry[1] += method.amount
        total += totals.total
        state = reconcile(day, totals)
        status[state] += 1
        close = day.close
        day_rows.append([day.business_date.isoformat(), day.terminal.name, totals.payments, _yen(totals.total),
                         _yen(totals.expected_cash), _yen(close.expected_cash) if close else "",
                         _yen(close.counted_cash) if close else "", f"{close.difference:+,}" if close else "", state])
    order = {m: n for n, m in enumerate(PaymentMethod)}
    methods = sorted(by_method, key=lambda m: order.get(m, 99))
    fees = sorted(by_fee)
    section = Section("fees", "手数料等の収納と日計の照合")
    section.tables.append(Table("手数料別", ("手数料", "数量", "金額(円)"),
                                [[label, q, _yen(a)] for (_code, label), (q, a) in ((k, by_fee[k]) for k in fees)],
                                ["合計", sum(v[0] for v in by_fee.values()), _yen(total)]))
    section.tables.append(Table("支払方法別", ("支払方法", "件数", "金額(円)"),
                                [[PaymentMethod.label_of(m), by_method[m][0], _yen(by_method[m][1])] for m in methods],
                                ["合計", sum(v[0] for v in by_method.values()), _yen(total)]))
    section.tables.append(Table("日計との照合", ("日付", "レジ", "収納件数", "収納額", "予定有高(再計算)",
                                                 "日計の予定有高", "実査有高", "過不足", "照合"), day_rows))
    if fees:
        section.charts.append(Chart("bar", "手数料別の収納額", tuple(label for _c, label in fees),
                                    (("金額", tuple(float(by_fee[k][1]) for k in fees)),), "円"))
    if methods:
        section.charts.append(Chart("pie", "支払方法別の収納額", tuple(PaymentMethod.label_of(m) for m in methods),
                                    (("金額", tuple(float(max(0, by_method[m][1])) for m in methods)),)))
    section.figures = {"total": total, "by_fee": {code: a for (code, _l), (_q, a) in by_fee.items()},
                       "by_method": {str(m): v[1] for m, v in by_method.items()}, "days": len(day_rows),
                       "reconciliation": dict(status)}
    bad = status["不一致"] + status["日計未了"] + status["再開中"]
    section.notes.append("すべてのレジ日計と一致しています。" if not bad else
                         f"日計と一致しない、又は日計が済んでいない日が{bad}件あります（照合の欄を確認してください）。")
    return section


# --- seal registrations, incidents ---------------------------------------------------------------

def seal_section(period: Period) -> Section:
    """印鑑登録: applications received in the period by kind, and how many of them the city approved."""
    rows = db.session.execute(
        select(SealApplication.kind, SealApplication.state, func.count()).where(
            SealApplication.created_at >= period.start_at, SealApplication.created_at < period.end_at)
        .group_by(SealApplication.kind, SealApplication.state)).all()
    received: Tally[str] = Tally()
    approved: Tally[str] = Tally()
    for kind, state, count in rows:
        received[kind] += count
        if state == ApplicationState.approved:
            approved[kind] += count
    section = Section("seal", "印鑑登録")
    section.tables.append(Table("種類別の受付件数", ("種類", "受付", "うち承認済"),
                                [[kind.label, received[kind], approved[kind]] for kind in ApplicationKind],
                                ["合計", sum(received.values()), sum(approved.values())]))
    section.figures = {"received": {str(k): received[k] for k in ApplicationKind},
                       "approved": sum(approved.values())}
    return section


def incidents_section(period: Period) -> Section:
    """事故 (000 別紙 §14): the counter's incidents that occurred in the period, by kind and state;
    what happened stays in the incident report itself (it may describe personal data)."""
    found = list(db.session.scalars(select(Incident).where(
        Incident.programme == Programme.counter, Incident.occurred_at >= period.start_at,
        Incident.occurred_at < period.end_at).order_by(Incident.occurred_at, Incident.id)))
    section = Section("incidents", "事故")
    section.tables.append(Table("事故報告", ("発生日時", "報告番号", "種類", "状態"),
                                [[f"{i.occurred_at:%Y-%m-%d %H:%M}", f"第{i.id}号", i.kind.label, i.state.label]
                                 for i in found]))
    count = incidents.count_between(Programme.counter, period.start_at, period.end_at)
    section.figures = {"incidents": count, "by_kind": {str(k): sum(1 for i in found if i.kind == k)
                                                       for k in IncidentKind}}
    section.notes.append(f"事故 {count}件" if count else "この期間の事故はありません。")
    return section


def inquiries_section(period: Period) -> Section:
    """問い合わせ・苦情 (000 §6(15)②, §10): received in the period by channel and category, handed to
    city staff, complaints still open, and the time they took (app/counter/inquiries.py)."""
    from app.counter.inquiries import inquiry_summary
    from app.counter.inquiry_models import InquiryChannel

    figures = inquiry_summary(db.session, period.start, period.end)
    section = Section("inquiries", "問い合わせ・苦情", figures=figures)
    section.tables.append(Table("受付方法別", ("受付方法", "件数"),
                                [[InquiryChannel(k).label, n] for k, n in sorted(figures["by_channel"].items())]))
    section.tables.append(Table("業務区分別", ("区分", "件数"),
                                [[Category(k).label, n] for k, n in sorted(figures["by_category"].items())]))
    section.notes.append(f"問い合わせ {figures['inquiries']}件、苦情 {figures['complaints']}件（未回答 "
                         f"{figures['complaints_open']}件）、市職員への引継ぎ {figures['handed_to_city']}件、"
                         f"平均対応時間 {figures['average_minutes']}分")
    return section


def bereavement_section(period: Period) -> Section:
    """おくやみコーナー (000 §6(15)⑨): reservations and visits of the period, the counter cases the
    corner opened and the procedures it handed over, by department (app/bereavement/summary.py)."""
    from app.bereavement.models import ReservationChannel
    from app.bereavement.summary import bereavement_summary

    figures = bereavement_summary(db.session, period.start, period.end)
    section = Section("bereavement", "おくやみコーナー", figures=figures)
    section.tables.append(Table("予約と来庁", ("項目", "件数"), [
        ["予約", figures["reservations"]], ["来庁", figures["visits"]], ["取消", figures["cancelled"]],
        ["窓口で受け付けた手続", figures["cases_opened"]], ["担当課へ引き継いだ手続", figures["handed_over"]]]))
    section.tables.append(Table("予約の受付方法", ("受付方法", "件数"),
                                [[ReservationChannel(k).label, n] for k, n in sorted(figures["by_channel"].items())]))
    section.tables.append(Table("引継ぎ先の課", ("課", "件数"),
                                [[d, n] for d, n in sorted(figures["handed_over_by_department"].items())]))
    return section


def monthly_checks_section(period: Period) -> Section:
    """月次チェック作業と封入・発送 (000 §6(11)–(13)), and the handovers to city staff
    (app/counter/monthly/summary.py)."""
    from app.counter.monthly.summary import monthly_checks_summary

    summary = monthly_checks_summary(db.session, period.start, period.end)
    section = Section("monthly_checks", "月次チェック作業・発送・市職員への引継ぎ")
    section.tables.append(Table("月次チェックの一覧", ("一覧", "対象", "確認済", "完了した一覧"),
                                [[c.kind.label, c.items, c.checked, c.done] for c in summary.lists]))
    section.tables.append(Table("発送と引継ぎ", ("項目", "件数"), [
        ["発送した封入・発送", summary.mailouts_posted], ["発送通数", summary.letters_posted],
        ["返戻", summary.letters_returned], ["調査の回答", summary.survey_replies],
        ["医療費助成の一次チェック", summary.subsidy_checked], ["うち不足あり", summary.subsidy_incomplete],
        ["市職員への引継ぎ", summary.handovers_handed], ["うち回答済", summary.handovers_answered],
        ["期末に未回答", summary.handovers_open]]))
    section.figures = {"letters_posted": summary.letters_posted, "handovers_open": summary.handovers_open,
                       "subsidy_checked": summary.subsidy_checked}
    return section


def backoffice_section(period: Period) -> Section:
    """旅券 (000 §6(8)), 住居番号の通知 (§6(7)), 進達 (§6(11)⑪) and 不着保険証 (§6(11) ク): what
    each ledger took in and finished, and what was open at the period's end
    (app/counter/backoffice/summary.py)."""
    from app.counter.backoffice.summary import backoffice_summary

    f = backoffice_summary(db.session, period.start, period.end)
    section = Section("backoffice", "旅券・住居表示・進達・不着保険証", figures=f)
    section.tables.append(Table("台帳別の件数", ("台帳", "受付・発送", "完了", "期末に未了"), [
        ["旅券（受付／交付・県へ返納／発行後6か月経過で未交付）", f["passports_received"],
         f["passports_handed"] + f["passports_returned"], f["passports_past_six_months"]],
        ["住居番号の通知（通知／引渡し）", f["house_numbers_issued"], f["house_numbers_handed"], ""],
        ["進達（進達／回答／回答期限超過）", f["forwardings_sent"], f["forwardings_answered"],
         f["forwardings_overdue"]],
        ["不着保険証（返戻／引渡し・廃棄／未処理）", f["cards_returned"], f["cards_handed"] + f["cards_destroyed"],
         f["cards_open"]]]))
    return section


SectionFunction = Callable[[Period], Section]

#: The report's sections, in order.
SECTIONS: list[SectionFunction] = [
    queue_section,
    cases_section,
    returns_section,
    certificates_section,
    fees_section,
    seal_section,
    incidents_section,
    inquiries_section,
    bereavement_section,
    monthly_checks_section,
    backoffice_section,
]

#: The one-page day sheet (日報) shows the day's counter work; the month's back-office sections
#: (inquiries, the bereavement corner, the monthly checks) are in the monthly report.
DAY_SECTIONS: list[SectionFunction] = [queue_section, cases_section, returns_section, certificates_section,
                                       fees_section, seal_section, incidents_section]


def collect(period: Period, sections: list[SectionFunction] | None = None) -> list[Section]:
    return [fn(period) for fn in (SECTIONS if sections is None else sections)]
