"""保存期間と廃棄 (004 §8; 特記事項 §12).

- The city sets a retention period per kind of record, 5 to 7 years (issue 19 §5; 5 years until
  it does). A record's period is counted from its own date (申込日, 受付日): it has passed when
  that date is more than the period before today.
- A daily periodic sweep lists, per kind, how many records passed their period (RetentionSweep).
- Disposal of what passed its period is the one mechanism of both programmes
  (app/staff/disposal.py: applied for, approved by the city, carried out as a task, recorded);
  each kind of record here is one of its kinds, registered at the end of this module: the
  count is what passed the period, the request covers the records older than the cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from huey import crontab
from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato.retention.kinds import KINDS, Aged, due_count
from app.furusato.retention.models import RETAINED, RetentionPeriod, RetentionSweep
from app.staff import disposal
from app.staff.models import DisposalKind, DisposalRequest
from app.staff.programmes import Programme
from app.tasks import services as tasks
from app.tasks.engine import periodic
from app.web.paging import Page

PROGRAMME = Programme.furusato.value
MIN_YEARS, MAX_YEARS, DEFAULT_YEARS = 5, 7, 5


class RetentionRefused(Refusal):
    pass


def years_of(kind: DisposalKind) -> int:
    period = db.session.get(RetentionPeriod, kind)
    return period.years if period else DEFAULT_YEARS


def cutoff(kind: DisposalKind, day: date) -> date:
    """Records dated before this day have passed their period on `day`."""
    years = years_of(kind)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def set_period(kind: str, years: int | None, *, by: User) -> RetentionPeriod:
    """The city sets a kind's period (5 to 7 years)."""
    if by.role != Role.city_staff:
        raise RetentionRefused("保存期間を定めるのは市職員です。")
    problems = []
    if kind not in RETAINED:
        problems.append(Problem("kind", "記録の種類を一覧から選んでください。"))
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        problems.append(Problem("years", f"保存期間は{MIN_YEARS}年から{MAX_YEARS}年の間で入力してください。"))
    if problems:
        raise RetentionRefused.of(problems)
    assert years is not None
    period = db.session.get(RetentionPeriod, kind) or RetentionPeriod(kind=kind, years=years)
    before = period.years if period in db.session else None
    period.years, period.updated_at, period.updated_by_id = years, now(), by.id
    db.session.add(period)
    db.session.flush()
    audit.record("update", "furusato_retention", kind,
                 f"{DisposalKind(kind).label}の保存期間：{before or DEFAULT_YEARS}年→{years}年", by=by)
    return period


@dataclass(frozen=True)
class KindLine:
    kind: DisposalKind
    years: int
    before: date
    due: int
    oldest: date | None
    last_sweep: RetentionSweep | None


def overview(day: date) -> list[KindLine]:
    """Each kind with its period, what passed it today, and the last sweep."""
    lines = []
    for kind in RETAINED:
        before = cutoff(kind, day)
        count, oldest = due_count(kind, before)
        last = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind)
                                 .order_by(RetentionSweep.swept_on.desc(), RetentionSweep.id.desc()).limit(1))
        lines.append(KindLine(kind, years_of(kind), before, count, oldest, last))
    return lines


@periodic(crontab(hour="2", minute="40"), "furusato.retention_sweep", at_start=True)
def sweep(day: date | None = None) -> list[RetentionSweep]:
    """The daily list of what passed its period, per kind (one row per kind and day)."""
    day = day or today()
    rows = []
    for kind in RETAINED:
        before = cutoff(kind, day)
        count, oldest = due_count(kind, before)
        row = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind,
                                                             RetentionSweep.swept_on == day))
        if row is None:
            row = RetentionSweep(kind=kind, swept_on=day, before=before, count=count, oldest=oldest)
            db.session.add(row)
        row.before, row.count, row.oldest = before, count, oldest
        rows.append(row)
    db.session.flush()
    return rows


def due_total() -> int:
    """What the last sweep found past its period and no disposal has been applied for yet
    (the supervisor's work list)."""
    total = 0
    for kind in RETAINED:
        last = db.session.scalar(select(RetentionSweep).where(RetentionSweep.kind == kind)
                                 .order_by(RetentionSweep.swept_on.desc()).limit(1))
        total += last.count if last is not None and not disposal.pending(PROGRAMME, kind) else 0
    return total


# --- disposal: the kinds of app/staff/disposal.py -------------------------------------------

def default_input(kind: DisposalKind) -> disposal.DisposalInput:
    spec = KINDS[kind]
    return disposal.DisposalInput(kind, f"保存期間（{years_of(kind)}年）を過ぎた{kind.label}", spec.medium,
                                  spec.method, today())


def requests(page: int = 1) -> Page[DisposalRequest]:
    return disposal.requests(PROGRAMME, RETAINED, page)


def waiting_decision() -> int:
    return disposal.waiting_decision(PROGRAMME, RETAINED)


def _count(kind: DisposalKind, programme: str, before: date | None) -> int:
    assert before is not None
    return due_count(kind, before)[0]


def _dispose(aged: Aged, request: DisposalRequest, ctx: tasks.TaskContext) -> disposal.Disposed:
    assert request.before is not None
    ctx.progress(0, 1, phase="廃棄しています", unit="件")
    done = aged.dispose(request.before)
    ctx.progress(1, 1, phase="完了")
    return done


for _kind, _aged in KINDS.items():
    disposal.kind(_kind, disposal.Kind(
        (PROGRAMME,), partial(_count, _kind), partial(_dispose, _aged), _aged.medium, _aged.method,
        "/furusato/retention/disposals/{id}", before=partial(cutoff, _kind)))
