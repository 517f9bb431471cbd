"""The rules of the queue: tickets, calls at the counters and at the cashier (000 §11 別表:
窓口案内表示システム, 会計呼び出し表示システム; the ticket machine in front of them, issue 4).

Every change that a display, a kiosk or a counter page shows is announced through the event
publisher (DESIGN "Live updates"); calls are also rows in `queue_calls`, so a display that lost
its connection catches up from the database.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.auth import audit
from app.auth.models import User
from app.core import calendar, events
from app.core.dates import now
from app.core.models import Counter
from app.core.refusal import Problem, Refusal
from app.devices.models import Terminal
from app.extensions import db
from app.queue import boards, closing, kiosk_limit
from app.queue.models import (
    AT_COUNTER,
    Board,
    Call,
    CallSequence,
    Priority,
    QueueSettings,
    ServiceCategory,
    Ticket,
    TicketAction,
    TicketEvent,
    TicketSequence,
    TicketSource,
    TicketState,
    category_counters,
)
from app.queue.queue_settings import settings

CHANGED = "queue:changed"
RECENT_SERVICE_SAMPLE = 20


def calls_channel(board: str) -> str:
    return f"queue:calls:{board}"


def _changed() -> None:
    """Tell the displays, kiosks and counter pages that the queue changed: once per
    transaction, however many changes it makes (each is one NOTIFY on PostgreSQL). A call is
    itself a change to the streams of its board, so `_record_call` announces only the call."""
    transaction = db.session().get_transaction()
    if db.session.info.get("queue_changed_in") is not transaction:
        db.session.info["queue_changed_in"] = transaction
        events.publish(CHANGED, {})


class QueueError(Refusal):
    """A queue rule said no (a ticket in the wrong state, a counter that is busy)."""


# -- settings (read through queue_settings.settings) and categories ----------------------------
@dataclass(frozen=True)
class SettingsInput:
    recalls_before_no_show: int
    cashier_place: str


def save_settings(data: SettingsInput, by: User | None = None) -> QueueSettings:
    problems = []
    if not 0 <= data.recalls_before_no_show <= 10:
        problems.append(Problem("recalls_before_no_show", "再呼出の回数は0〜10回で入力してください。"))
    if not data.cashier_place.strip():
        problems.append(Problem("cashier_place", "会計の呼出先を入力してください。"))
    if problems:
        raise QueueError.of(problems)
    row = db.session.get(QueueSettings, 1)
    if row is None:
        row = QueueSettings(id=1)
        db.session.add(row)
    row.recalls_before_no_show = data.recalls_before_no_show
    row.cashier_place = data.cashier_place.strip()
    db.session.flush()
    audit.record("update", "queue_settings", 1,
                 f"不在までの再呼出{data.recalls_before_no_show}回・会計{row.cashier_place}", by=by)
    return row


def list_categories(active_only: bool = False) -> list[ServiceCategory]:
    query = select(ServiceCategory).order_by(ServiceCategory.sort_order, ServiceCategory.id)
    if active_only:
        query = query.where(ServiceCategory.active.is_(True))
    return list(db.session.scalars(query))


def category_by_code(code: str) -> ServiceCategory | None:
    return db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))


@dataclass(frozen=True)
class CategoryInput:
    code: str
    name: str
    letter: str
    counter_ids: tuple[int, ...]
    description: str = ""
    opens: time | None = None
    closes: time | None = None
    minutes_per_ticket: int = 10
    sort_order: int = 0
    active: bool = True


def _category_problems(category: ServiceCategory | None, data: CategoryInput,
                       counters: list[Counter]) -> list[Problem]:
    code, name, letter = data.code.strip(), data.name.strip(), data.letter.strip().upper()
    problems = []
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        problems.append(Problem("code", "コードは半角英数字とアンダースコアで入力してください（例：certificate）。"))
    elif (same_code := category_by_code(code)) is not None and same_code is not category:
        problems.append(Problem("code", f"コード「{code}」は既にあります。"))
    if not name:
        problems.append(Problem("name", "名称を入力してください。"))
    if not (1 <= len(letter) <= 2 and letter.isascii() and letter.isalpha()):
        problems.append(Problem("letter", "番号札の記号は半角英字1〜2文字で入力してください（例：A）。"))
    if data.opens and data.closes and data.opens >= data.closes:
        problems.append(Problem("closes", "受付終了は受付開始より後の時刻にしてください。"))
    if not 1 <= data.minutes_per_ticket <= 240:
        problems.append(Problem("minutes_per_ticket", "1人あたりの目安時間は1〜240分で入力してください。"))
    if data.active and not counters:
        problems.append(Problem("counter_ids", "受け付ける窓口を1つ以上選んでください。"))
    return problems


def save_category(category: ServiceCategory | None, data: CategoryInput, by: User | None = None) -> ServiceCategory:
    """Add or change a category; every problem of the input is refused at once."""
    counters = list(db.session.scalars(select(Counter).where(Counter.id.in_(data.counter_ids))))
    problems = _category_problems(category, data, counters)
    if problems:
        raise QueueError.of(problems)
    code, name, letter = data.code.strip(), data.name.strip(), data.letter.strip().upper()
    if category is None:
        category = ServiceCategory(code=code)
        db.session.add(category)
    category.code, category.name, category.letter = code, name, letter
    category.description = data.description.strip()
    category.opens, category.closes = data.opens, data.closes
    category.minutes_per_ticket, category.sort_order = data.minutes_per_ticket, data.sort_order
    category.active = data.active
    category.counters = counters
    db.session.flush()
    audit.record("update", "queue_category", category.id,
                 f"{code} {name} {letter} 窓口{','.join(str(c.number) for c in counters)}", by=by)
    _changed()
    return category


@dataclass(frozen=True)
class Availability:
    open: bool
    message: str = ""


def availability(category: ServiceCategory, at: datetime) -> Availability:
    """Whether the kiosk issues tickets for a category now: office hours (000 §5 through the
    office calendar), then the category's own time-of-day limits."""
    if not calendar.is_open(at):
        opening = calendar.next_opening(at)
        return Availability(False, f"次の開庁は{opening:%-m月%-d日}（{calendar.WEEKDAYS_JA[opening.weekday()]}）"
                                   f"{opening:%-H:%M}からです。")
    if not category.active or not any(c.active for c in category.counters):
        return Availability(False, "現在受け付けていません。")
    if category.opens and at.time() < category.opens:
        return Availability(False, f"受付開始は{category.opens:%-H:%M}からです。")
    if category.closes and at.time() >= category.closes:
        return Availability(False, f"本日の受付は終了しました（{category.closes:%-H:%M}まで）。")
    wait = estimated_wait_minutes(category, waiting_counts(at.date()).get(category.id, 0), at.date())
    late = closing.past_closing(at, wait)
    return Availability(not late, late)


# -- issuing -----------------------------------------------------------------------------------
def next_number(day: date, letter: str) -> int:
    """Take the next number for a day and letter in one atomic statement pair: the row is
    created if missing (INSERT ... ON CONFLICT DO NOTHING), then incremented with UPDATE ...
    RETURNING, which locks the row until commit on PostgreSQL; SQLite serialises writers."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(TicketSequence).values(office_day=day, letter=letter, last_number=0)
                       .on_conflict_do_nothing())
    number = db.session.execute(
        update(TicketSequence)
        .where(TicketSequence.office_day == day, TicketSequence.letter == letter)
        .values(last_number=TicketSequence.last_number + 1)
        .returning(TicketSequence.last_number)
    ).scalar_one()
    return int(number)


def _log(ticket: Ticket, action: TicketAction, *, counter_id: int | None = None, by: User | None = None,
         detail: str = "") -> None:
    db.session.add(TicketEvent(ticket_id=ticket.id, action=action, at=now(), counter_id=counter_id,
                               category_id=ticket.category_id, user_id=by.id if by else None,
                               detail=detail[:200]))


def issue_ticket(category: ServiceCategory, *, kiosk: Terminal | None = None, priority: str = "",
                 by: User | None = None, at: datetime | None = None,
                 check_hours: bool = True, address: str = "") -> Ticket:
    """A new ticket. The kiosk checks office hours and the category's limits, and how many it
    issued to `address` this minute; staff at the desk may issue after them, since everyone who
    came within office hours is served (000 §5(2))."""
    at = at or now()
    if priority and not Priority.has(priority):
        raise QueueError("優先の理由を選び直してください。", "priority")
    if check_hours:
        state = availability(category, at)
        if not state.open:
            raise QueueError(f"{category.name}：{state.message}", "category")
    elif not category.active:
        raise QueueError(f"{category.name}は現在受け付けていません。", "category")
    number = next_number(at.date(), category.letter)
    ticket = Ticket(
        office_day=at.date(), letter=category.letter, number=number, code=secrets.token_urlsafe(16),
        category_id=category.id, original_category_id=category.id, priority=priority,
        state=TicketState.waiting, source=TicketSource.kiosk if kiosk else TicketSource.staff,
        kiosk_id=kiosk.id if kiosk else None, issued_from=address[:45] if kiosk else "",
        issued_by_id=by.id if by else None, issued_at=at, recalls=0, transfers=0,
    )
    db.session.add(ticket)
    db.session.flush()
    if kiosk:
        kiosk_limit.check(ticket)
    _log(ticket, TicketAction.issue, by=by, detail=Priority(priority).label if priority else "")
    _changed()
    return ticket


def ticket_by_code(code: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.code == code))


def ticket_by_label(label: str, day: date | None = None) -> Ticket | None:
    """A ticket by its number as printed ("A-042"), which is unique within an office day."""
    letter, _, number = label.strip().upper().partition("-")
    if not letter or not number.isdigit():
        return None
    return db.session.scalar(select(Ticket).where(
        Ticket.office_day == (day or now().date()), Ticket.letter == letter, Ticket.number == int(number)))


# -- waiting ----------------------------------------------------------------------------------
def _queue_order() -> tuple[Any, ...]:
    """Priority first (優先), then the longest waiting: the issue time is kept across
    transfers, so a transferred visitor does not go to the back."""
    return (case((Ticket.priority == "", 1), else_=0), Ticket.issued_at, Ticket.id)


def _served_by(counter_id: int) -> Any:
    return select(category_counters.c.category_id).where(category_counters.c.counter_id == counter_id)


def waiting_for_counter(counter: Counter, day: date | None = None) -> Select[tuple[Ticket]]:
    """Waiting tickets this counter may call: of the categories it serves and not sent to
    another counter, or sent to this counter."""
    day = day or now().date()
    mine = (Ticket.target_counter_id == counter.id) | (
        Ticket.target_counter_id.is_(None) & Ticket.category_id.in_(_served_by(counter.id)))
    return (select(Ticket).where(Ticket.office_day == day, Ticket.state == TicketState.waiting, mine)
            .order_by(*_queue_order()))


def waiting_at(counter: Counter) -> list[Ticket]:
    """Today's waiting tickets the counter may call, in the order it calls them."""
    return list(db.session.scalars(waiting_for_counter(counter)))


def waiting_counts(day: date | None = None) -> dict[int, int]:
    day = day or now().date()
    rows = db.session.execute(
        select(Ticket.category_id, func.count()).where(Ticket.office_day == day, Ticket.state == TicketState.waiting)
        .group_by(Ticket.category_id))
    return {category_id: count for category_id, count in rows}


def average_service_minutes(category: ServiceCategory, day: date | None = None) -> float:
    """The mean service time of the category's latest finished tickets today, or the
    category's own estimate until there are some; never under a minute, so that a few
    tickets closed at once do not promise a visitor no wait at all."""
    day = day or now().date()
    rows = db.session.execute(
        select(Ticket.served_at, Ticket.finished_at)
        .where(Ticket.office_day == day, Ticket.category_id == category.id,
               Ticket.served_at.is_not(None), Ticket.finished_at.is_not(None))
        .order_by(Ticket.finished_at.desc()).limit(RECENT_SERVICE_SAMPLE)).all()
    if not rows:
        return float(category.minutes_per_ticket)
    return max(1.0, sum((f - s).total_seconds() for s, f in rows) / len(rows) / 60)


def estimated_wait_minutes(category: ServiceCategory, ahead: int, day: date | None = None) -> int:
    """A guide, not a promise: the people ahead times the mean service time, shared among the
    active counters that serve the category."""
    if ahead <= 0:
        return 0
    counters = max(1, sum(1 for c in category.counters if c.active))
    return math.ceil(ahead * average_service_minutes(category, day) / counters)


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same category that will be called before this one."""
    if ticket.state != TicketState.waiting:
        return 0
    key_before = (Ticket.issued_at < ticket.issued_at) | (
        (Ticket.issued_at == ticket.issued_at) & (Ticket.id < ticket.id))
    prioritised = Ticket.priority != ""
    condition = (prioritised & key_before) if ticket.priority else (prioritised | key_before)
    return db.session.scalar(
        select(func.count()).select_from(Ticket).where(
            Ticket.office_day == ticket.office_day, Ticket.state == TicketState.waiting,
            Ticket.category_id == ticket.category_id, Ticket.id != ticket.id, condition)) or 0


# -- calling ----------------------------------------------------------------------------------
def speech_text(label: str, place: str) -> str:
    """What the display says: "Aの42番の方、3番窓口へお越しください" (the counter is always
    spoken, issue 4)."""
    letter, _, number = label.partition("-")
    return f"{letter}の{int(number)}番の方、{place}へお越しください"


def next_call_seq(board: str) -> int:
    """The next sequence number of a board's calls. The UPDATE locks the board's row until the
    transaction commits (PostgreSQL; SQLite serialises writers), so a second call on the board
    waits here for the first to commit: the numbers follow commit order, which ids do not
    (issue 12). Calls are a few a minute per board, and the lock is held only to the end of the
    request that calls."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(CallSequence).values(board=board, last_seq=0).on_conflict_do_nothing())
    seq = db.session.execute(
        update(CallSequence).where(CallSequence.board == board)
        .values(last_seq=CallSequence.last_seq + 1).returning(CallSequence.last_seq)
    ).scalar_one()
    return int(seq)


def _record_call(ticket: Ticket, board: str, place: str, counter: Counter | None, recall: bool,
                 by: User | None) -> Call:
    call = Call(board=board, seq=next_call_seq(board), ticket_id=ticket.id,
                counter_id=counter.id if counter else None, label=ticket.label, place=place, recall=recall,
                called_at=now(), called_by_id=by.id if by else None)
    db.session.add(call)
    db.session.flush()
    events.publish(calls_channel(board), call_data(call))
    if board == Board.cashier:
        _changed()  # pages that follow the queue board show the cashier's waiting list too
    if counter is not None and board == Board.queue:
        boards.show(counter, ticket.label)
    return call


def call_data(call: Call) -> dict[str, Any]:
    return {"id": call.id, "seq": call.seq, "board": call.board, "label": call.label, "place": call.place,
            "recall": call.recall, "at": call.called_at.strftime("%H:%M"),
            "speech": speech_text(call.label, call.place)}


def current_ticket(counter: Counter) -> Ticket | None:
    """The ticket being called or served at the counter."""
    return db.session.scalar(
        select(Ticket).where(Ticket.counter_id == counter.id, Ticket.state.in_(AT_COUNTER))
        .order_by(Ticket.called_at.desc()).limit(1))


def held_tickets(counter: Counter) -> list[Ticket]:
    return list(db.session.scalars(
        select(Ticket).where(Ticket.counter_id == counter.id, Ticket.state == TicketState.held)
        .order_by(Ticket.called_at)))


def _free_counter(counter: Counter, finish_current: bool, by: User | None) -> None:
    current = current_ticket(counter)
    if current is None:
        return
    if not finish_current:
        raise QueueError(f"{current.label}の対応中です。完了・保留・転送してから次の方を呼び出してください。")
    finish(current, by, clear_board=False)  # the next call shows its number straight away


def _take(ticket_id: int, counter: Counter, from_states: tuple[TicketState, ...]) -> bool:
    """Move a ticket to this counter only if it is still in one of `from_states`: a compare-and-
    set that two operators can never both win."""
    at = now()
    result = db.session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.state.in_(from_states))
        .values(state=TicketState.called, counter_id=counter.id, called_at=at, recalls=0, target_counter_id=None,
                first_called_at=func.coalesce(Ticket.first_called_at, at))
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def call_next(counter: Counter, by: User | None = None, *, finish_current: bool = False) -> Ticket | None:
    """Call the next visitor to a counter: priority first, then the longest waiting, among the
    categories the counter serves (issue 4). None when nobody waits.

    Two operators pressing at once never get the same ticket: on PostgreSQL the candidate row
    is locked with FOR UPDATE SKIP LOCKED, so a concurrent caller takes the next one; on SQLite
    every transaction holds the write lock from its start (app/db_events.py). The state change
    is a compare-and-set on both, as the last guard.
    """
    if not counter.active:
        raise QueueError(f"{counter.label}は休止中です。")
    _free_counter(counter, finish_current, by)
    query = waiting_for_counter(counter).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Ticket)
    for _ in range(5):
        ticket_id = db.session.scalar(query.with_only_columns(Ticket.id))
        if ticket_id is None:
            return None
        if _take(ticket_id, counter, (TicketState.waiting,)):
            return _after_call(ticket_id, counter, by, TicketAction.call)
    raise QueueError("呼出が混み合っています。もう一度お試しください。")


def _after_call(ticket_id: int, counter: Counter, by: User | None, action: TicketAction) -> Ticket:
    ticket = db.session.get_one(Ticket, ticket_id, populate_existing=True)
    _log(ticket, action, counter_id=counter.id, by=by)
    _record_call(ticket, Board.queue, counter.label, counter, False, by)
    return ticket


def call_ticket(ticket: Ticket, counter: Counter, by: User | None = None, *,
                finish_current: bool = False) -> Ticket:
    """Call a specific waiting ticket, out of turn (e.g. the visitor came back)."""
    if ticket.state != TicketState.waiting:
        raise QueueError(f"{ticket.label}は{ticket.state.label}のため呼び出せません。")
    _free_counter(counter, finish_current, by)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update())
    if not _take(ticket.id, counter, (TicketState.waiting,)):
        raise QueueError(f"{ticket.label}は他の窓口で呼び出されました。")
    return _after_call(ticket.id, counter, by, TicketAction.call)


def _require(ticket: Ticket, states: Iterable[TicketState], doing: str, *, today_only: bool = False) -> None:
    """`today_only`: an earlier office day's number is never called again (issue 15 §2)."""
    if ticket.state not in states:
        raise QueueError(f"{ticket.label}は{ticket.state.label}のため{doing}できません。")
    day = ticket.office_day
    if today_only and day != now().date():
        raise QueueError(f"{ticket.label}は{day.month}月{day.day}日の番号札のため{doing}できません。")


def recall(ticket: Ticket, by: User | None = None) -> Call:
    """再呼出: the same ticket to the same counter again."""
    _require(ticket, (TicketState.called,), "再呼出", today_only=True)
    if ticket.counter is None:
        raise QueueError(f"{ticket.label}の呼出先の窓口がありません。")
    ticket.recalls += 1
    ticket.called_at = now()
    _log(ticket, TicketAction.recall, counter_id=ticket.counter_id, by=by, detail=f"{ticket.recalls}回目")
    return _record_call(ticket, Board.queue, ticket.counter.label, ticket.counter, True, by)


def start_service(ticket: Ticket, by: User | None = None) -> None:
    """The visitor has come to the counter (対応開始)."""
    _require(ticket, (TicketState.called,), "対応開始")
    ticket.state = TicketState.serving
    ticket.served_at = now()
    _log(ticket, TicketAction.serve, counter_id=ticket.counter_id, by=by)
    _changed()


def _end_service(ticket: Ticket) -> None:
    at = now()
    if ticket.served_at is None:  # finished straight from the call: service began at the call
        ticket.served_at = ticket.called_at or at
    ticket.finished_at = at


def hold(ticket: Ticket, by: User | None = None) -> None:
    """保留: the visitor steps aside (e.g. to fill in a form); the counter serves others and
    resumes this ticket later."""
    _require(ticket, AT_COUNTER, "保留")
    ticket.state = TicketState.held
    _log(ticket, TicketAction.hold, counter_id=ticket.counter_id, by=by)
    boards.clear(ticket.counter_id)
    _changed()


def resume(ticket: Ticket, counter: Counter, by: User | None = None, *,
           finish_current: bool = False) -> Ticket:
    """Call a held ticket back to the counter (announced on the display again)."""
    _require(ticket, (TicketState.held,), "再開")
    _free_counter(counter, finish_current, by)
    if not _take(ticket.id, counter, (TicketState.held,)):
        raise QueueError(f"{ticket.label}は既に再開されています。")
    return _after_call(ticket.id, counter, by, TicketAction.resume)


def no_show(ticket: Ticket, by: User | None = None) -> None:
    """不在: only after the configured number of recalls (issue 4)."""
    _require(ticket, (TicketState.called,), "不在に")
    needed = settings().recalls_before_no_show
    if ticket.recalls < needed:
        raise QueueError(f"不在にする前に{needed}回再呼出してください（現在{ticket.recalls}回）。")
    ticket.state = TicketState.no_show
    ticket.no_show_at = now()
    _log(ticket, TicketAction.no_show, counter_id=ticket.counter_id, by=by)
    boards.clear(ticket.counter_id)
    _changed()


def require_at_counter(ticket: Ticket, counter: Counter) -> None:
    """An operator acts only on the ticket called to their own counter."""
    if ticket.counter_id != counter.id:
        raise QueueError(f"{ticket.label}はこの窓口の番号札ではありません。")


def transfer(ticket: Ticket, *, category: ServiceCategory | None = None, counter: Counter | None = None,
             by: User | None = None, desk: Counter | None = None) -> None:
    """転送: to another category's queue or to a specific counter, keeping the original issue
    time so the visitor keeps their place (issue 4). The ticket keeps its number. From `desk`
    (the operator's counter), a ticket already called is transferred only by its own counter;
    a waiting one by any."""
    if desk is not None and ticket.state != TicketState.waiting:
        require_at_counter(ticket, desk)
    _require(ticket, (TicketState.waiting, TicketState.called, TicketState.serving, TicketState.held), "転送")
    if category is None and counter is None:
        raise QueueError("転送先の業務または窓口を選んでください。", "target")
    if counter is not None and counter.id == ticket.counter_id and ticket.state != TicketState.waiting:
        raise QueueError("同じ窓口へは転送できません。", "target")
    from_counter, was_at_counter = ticket.counter_id, ticket.state in AT_COUNTER
    if category is not None:
        ticket.category_id = category.id
    ticket.target_counter_id = counter.id if counter is not None else None
    ticket.state = TicketState.waiting
    ticket.counter_id = None
    ticket.served_at = None
    ticket.transfers += 1
    target = " ".join(x for x in (category.name if category else "", counter.label if counter else "") if x)
    _log(ticket, TicketAction.transfer, counter_id=from_counter, by=by, detail=f"→{target}")
    if was_at_counter:
        boards.clear(from_counter)
    _changed()


def finish(ticket: Ticket, by: User | None = None, *, clear_board: bool = True) -> None:
    _require(ticket, AT_COUNTER, "完了")
    _end_service(ticket)
    ticket.state = TicketState.finished
    _log(ticket, TicketAction.finish, counter_id=ticket.counter_id, by=by)
    if clear_board:
        boards.clear(ticket.counter_id)
    _changed()


# -- cashier (会計呼び出し表示システム) ---------------------------------------------------------
def send_to_cashier(ticket: Ticket, by: User | None = None) -> None:
    """会計待ち: the counter's work is done and fees are due; the visitor waits to be called to
    the register with the same number."""
    _require(ticket, AT_COUNTER, "会計へ回すことが")
    _end_service(ticket)
    ticket.state = TicketState.cashier_waiting
    ticket.cashier_sent_at = ticket.finished_at
    _log(ticket, TicketAction.to_cashier, counter_id=ticket.counter_id, by=by)
    boards.clear(ticket.counter_id)
    _changed()


def back_to_cashier(ticket: Ticket, by: User | None = None) -> None:
    """会計待ち again: a visitor whose earlier bill was settled has another fee to pay today
    (a second procedure of the same visit issued later)."""
    _require(ticket, (TicketState.finished, TicketState.no_show), "会計待ちに戻すことが")
    ticket.state = TicketState.cashier_waiting
    ticket.cashier_sent_at = now()
    _log(ticket, TicketAction.to_cashier, by=by, detail="再度")
    _changed()


def cashier_waiting(day: date | None = None) -> Select[tuple[Ticket]]:
    day = day or now().date()
    return (select(Ticket).where(Ticket.office_day == day, Ticket.state == TicketState.cashier_waiting)
            .order_by(Ticket.cashier_sent_at, Ticket.id))


def cashier_waiting_list(day: date | None = None) -> list[Ticket]:
    return list(db.session.scalars(cashier_waiting(day)))


def cashier_current(place: str, day: date | None = None) -> list[Ticket]:
    day = day or now().date()
    return list(db.session.scalars(
        select(Ticket).where(Ticket.office_day == day, Ticket.state == TicketState.cashier_called,
                             Ticket.cashier_place == place).order_by(Ticket.cashier_called_at)))


def _take_cashier(ticket_id: int, place: str) -> bool:
    result = db.session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.state == TicketState.cashier_waiting)
        .values(state=TicketState.cashier_called, cashier_place=place, cashier_called_at=now())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _after_cashier_call(ticket_id: int, place: str, by: User | None) -> Ticket:
    ticket = db.session.get_one(Ticket, ticket_id, populate_existing=True)
    _log(ticket, TicketAction.cashier_call, by=by, detail=place)
    _record_call(ticket, Board.cashier, place, None, False, by)
    return ticket


def call_next_cashier(place: str | None = None, by: User | None = None) -> Ticket | None:
    """Call the longest waiting 会計待ち ticket to a register (`place`, by default the
    configured 会計窓口), with the same locking as call_next."""
    place = (place or settings().cashier_place).strip()
    query = cashier_waiting().limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Ticket)
    for _ in range(5):
        ticket_id = db.session.scalar(query.with_only_columns(Ticket.id))
        if ticket_id is None:
            return None
        if _take_cashier(ticket_id, place):
            return _after_cashier_call(ticket_id, place, by)
    raise QueueError("呼出が混み合っています。もう一度お試しください。")


def call_cashier_ticket(ticket: Ticket, place: str | None = None, by: User | None = None) -> Ticket:
    _require(ticket, (TicketState.cashier_waiting,), "会計に呼び出すことが", today_only=True)
    place = (place or settings().cashier_place).strip()
    if not _take_cashier(ticket.id, place):
        raise QueueError(f"{ticket.label}は既に呼び出されました。")
    return _after_cashier_call(ticket.id, place, by)


def recall_cashier(ticket: Ticket, by: User | None = None) -> Call:
    _require(ticket, (TicketState.cashier_called,), "再呼出", today_only=True)
    ticket.cashier_called_at = now()
    _log(ticket, TicketAction.cashier_recall, by=by, detail=ticket.cashier_place)
    return _record_call(ticket, Board.cashier, ticket.cashier_place, None, True, by)


def finish_cashier(ticket: Ticket, by: User | None = None) -> None:
    """The fees are paid (the register issue calls this when the payment is recorded)."""
    _require(ticket, (TicketState.cashier_called, TicketState.cashier_waiting), "会計完了に")
    ticket.state = TicketState.finished
    ticket.cashier_done_at = now()
    _log(ticket, TicketAction.cashier_done, by=by, detail=ticket.cashier_place)
    _changed()


def leave_cashier(ticket: Ticket, by: User | None = None) -> None:
    """不在 at the cashier: the visitor left without paying (their bill was cancelled)."""
    _require(ticket, (TicketState.cashier_called, TicketState.cashier_waiting), "会計から外すことが")
    ticket.state = TicketState.no_show
    ticket.no_show_at = now()
    _log(ticket, TicketAction.cashier_no_show, by=by, detail=ticket.cashier_place)
    _changed()


# -- displays ----------------------------------------------------------------------------------
def latest_calls(board: str, limit: int = 12, day: date | None = None, upto_seq: int | None = None) -> list[Call]:
    """Today's latest calls of a board, newest first; only those up to `upto_seq` if given (a
    page shows these and streams the calls after that number)."""
    day = day or now().date()
    start = datetime.combine(day, time.min)
    query = select(Call).where(Call.board == board, Call.called_at >= start)
    if upto_seq is not None:
        query = query.where(Call.seq <= upto_seq)
    return list(db.session.scalars(query.order_by(Call.seq.desc()).limit(limit)))


def calls_after(board: str, after_seq: int, limit: int = 200) -> list[Call]:
    """The calls a display missed, in the order they committed: every call of the board numbered
    after `after_seq` (the last one it saw), today's only (yesterday's calls are over), and the
    latest `limit` of them if it missed more."""
    start = datetime.combine(now().date(), time.min)
    latest = db.session.scalars(
        select(Call).where(Call.board == board, Call.seq > after_seq, Call.called_at >= start)
        .order_by(Call.seq.desc()).limit(limit))
    return list(reversed(list(latest)))


def last_call_seq(board: str) -> int:
    """The number of the board's last committed call (0 before the first)."""
    return db.session.scalar(select(func.max(Call.seq)).where(Call.board == board)) or 0
