"""Tickets, calls and service categories of the 窓口案内表示システム and 会計呼び出し表示システム
(000 §11 別表), with the ticket machine (発券機) in front of them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.core.models import Counter
from app.extensions import db


class Priority(Labelled):
    """Who is served first (優先受付), as marked by staff at the desk; "" is no mark."""

    elderly = "elderly", "高齢"
    disability = "disability", "障がい"
    pregnant = "pregnant", "妊娠中"
    infant = "infant", "乳幼児連れ"
    other = "other", "その他配慮"


class TicketState(Labelled):
    waiting = "waiting", "待ち"
    called = "called", "呼出中"
    serving = "serving", "対応中"
    held = "held", "保留"
    cashier_waiting = "cashier_waiting", "会計待ち"
    cashier_called = "cashier_called", "会計呼出中"
    finished = "finished", "完了"
    no_show = "no_show", "不在"


AT_COUNTER = (TicketState.called, TicketState.serving)
OPEN_STATES = (TicketState.waiting, TicketState.called, TicketState.serving, TicketState.held,
               TicketState.cashier_waiting, TicketState.cashier_called)


class TicketSource(Labelled):
    kiosk = "kiosk", "発券機"
    staff = "staff", "窓口"


class Board(Labelled):
    queue = "queue", "窓口案内表示"
    cashier = "cashier", "会計呼出表示"


class TicketAction(Labelled):
    """What happened to a ticket (its history, TicketEvent)."""

    issue = "issue", "発券"
    call = "call", "呼出"
    recall = "recall", "再呼出"
    serve = "serve", "対応開始"
    hold = "hold", "保留"
    resume = "resume", "再開"
    no_show = "no_show", "不在"
    transfer = "transfer", "転送"
    finish = "finish", "完了"
    to_cashier = "to_cashier", "会計へ"
    cashier_call = "cashier_call", "会計呼出"
    cashier_recall = "cashier_recall", "会計再呼出"
    cashier_done = "cashier_done", "会計完了"
    cashier_no_show = "cashier_no_show", "会計不在"


category_counters = Table(
    "queue_category_counters",
    db.metadata,
    Column("category_id", ForeignKey("queue_categories.id", ondelete="CASCADE"), primary_key=True),
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
)


class ServiceCategory(db.Model):
    """A service the kiosk offers (証明書, 住民異動, ...) with its ticket letter and the counters
    that serve it. `opens`/`closes` limit the time of day tickets are issued within office hours
    (e.g. 旅券 until 16:30)."""

    __tablename__ = "queue_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    letter: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    opens: Mapped[time | None]
    closes: Mapped[time | None]
    minutes_per_ticket: Mapped[int] = mapped_column(default=10)
    active: Mapped[bool] = mapped_column(default=True)

    counters: Mapped[list[Counter]] = relationship(secondary=category_counters, order_by=Counter.number)

    @property
    def hours_label(self) -> str:
        if self.opens is None and self.closes is None:
            return ""
        start = f"{self.opens:%-H:%M}" if self.opens else ""
        end = f"{self.closes:%-H:%M}" if self.closes else ""
        return f"{start}〜{end}"


class QueueSettings(db.Model):
    """Settings of the queue (one row)."""

    __tablename__ = "queue_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    recalls_before_no_show: Mapped[int] = mapped_column(default=2)
    cashier_place: Mapped[str] = mapped_column(String(30), default="会計窓口")


class TicketSequence(db.Model):
    """The last number issued per office day and ticket letter. Numbers live in the database,
    so they restart each day and never repeat within a day, across restarts too (issue 4)."""

    __tablename__ = "queue_sequences"

    office_day: Mapped[date] = mapped_column(primary_key=True)
    letter: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Ticket(db.Model):
    """番号札: one visitor's place in the queue. Holds no personal data; `code` is the
    unguessable key of the public status page /t/<code>."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        UniqueConstraint("office_day", "letter", "number"),
        Index("ix_queue_tickets_day_state", "office_day", "state"),
        one_of("state", TicketState),
        one_of("priority", Priority, blank=True),
        one_of("source", TicketSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_day: Mapped[date]
    letter: Mapped[str] = mapped_column(String(2))
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("queue_categories.id"))
    original_category_id: Mapped[int] = mapped_column(ForeignKey("queue_categories.id"))
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    priority: Mapped[Priority | str] = mapped_column(StrEnumType(Priority, 20), default="")
    state: Mapped[TicketState] = mapped_column(StrEnumType(TicketState, 20), default=TicketState.waiting)
    source: Mapped[TicketSource] = mapped_column(StrEnumType(TicketSource, 10), default=TicketSource.kiosk)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"))
    # the address a kiosk's press came from (app/queue/kiosk_limit.py); "" for staff tickets
    issued_from: Mapped[str] = mapped_column(String(45), default="", server_default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=now)
    first_called_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    served_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    recalls: Mapped[int] = mapped_column(default=0)
    transfers: Mapped[int] = mapped_column(default=0)
    cashier_sent_at: Mapped[datetime | None]
    cashier_called_at: Mapped[datetime | None]
    cashier_done_at: Mapped[datetime | None]
    cashier_place: Mapped[str] = mapped_column(String(30), default="")

    category: Mapped[ServiceCategory] = relationship(foreign_keys=[category_id])
    original_category: Mapped[ServiceCategory] = relationship(foreign_keys=[original_category_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])
    target_counter: Mapped[Counter | None] = relationship(foreign_keys=[target_counter_id])


    @property
    def label(self) -> str:
        return ticket_label(self.letter, self.number)



def ticket_label(letter: str, number: int) -> str:
    return f"{letter}-{number:03d}"


class CallSequence(db.Model):
    """The last sequence number given to a call of a board. Taking the next one (UPDATE ...
    RETURNING) locks this row until the transaction commits, so a board's calls commit in the
    order of their numbers, and a display that has seen number N has seen every call before it
    (issue 12: ids are handed out at INSERT, so on PostgreSQL calls can commit out of id order)."""

    __tablename__ = "queue_call_sequences"
    __table_args__ = (one_of("board", Board),)

    board: Mapped[Board] = mapped_column(StrEnumType(Board, 10), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Call(db.Model):
    """One call shown on a display (a recall is a call too). `seq` numbers the calls of a board
    in commit order (CallSequence): a display that lost its connection asks for the calls after
    the last number it saw (the SSE id)."""

    __tablename__ = "queue_calls"
    __table_args__ = (UniqueConstraint("board", "seq"), one_of("board", Board))

    id: Mapped[int] = mapped_column(primary_key=True)
    board: Mapped[Board] = mapped_column(StrEnumType(Board, 10))
    seq: Mapped[int]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_tickets.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    label: Mapped[str] = mapped_column(String(12))
    place: Mapped[str] = mapped_column(String(30))
    recall: Mapped[bool] = mapped_column(default=False)
    called_at: Mapped[datetime] = mapped_column(default=now)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TicketEvent(db.Model):
    """The history of a ticket (issue, call, recall, hold, transfer, ...), for statistics and
    for seeing afterwards what happened to a visitor's ticket."""

    __tablename__ = "queue_ticket_events"
    __table_args__ = (one_of("action", TicketAction),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_tickets.id"), index=True)
    action: Mapped[TicketAction] = mapped_column(StrEnumType(TicketAction, 20))
    at: Mapped[datetime] = mapped_column(default=now)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("queue_categories.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[str] = mapped_column(String(200), default="")
