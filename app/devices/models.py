from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.core.models import Counter
from app.extensions import db

if TYPE_CHECKING:
    from app.staff.models import HandlingArea


class TerminalKind(Labelled):
    counter_pc = "counter_pc", "窓口端末"
    kiosk = "kiosk", "発券機"
    queue_display = "queue_display", "窓口案内表示"
    cashier_display = "cashier_display", "会計呼出表示"
    register = "register", "レジ端末"


class DeviceKind(Labelled):
    printer = "printer", "レシート・番号札プリンタ"
    call_board = "call_board", "LED呼出表示盤"
    card_reader = "card_reader", "ICカードリーダ"
    scanner = "scanner", "印影スキャナ"


class JobState(Labelled):
    queued = "queued", "待機中"
    claimed = "claimed", "処理中"
    done = "done", "完了"
    failed = "failed", "失敗"
    cancelled = "cancelled", "取消"


class JobKind(Labelled):
    """What a job does on its device (the agent's handlers, hardware/agent.py)."""

    print = "print", "印刷"
    call_board = "call_board", "呼出表示"
    card_read = "card_read", "カード読取"
    scan = "scan", "印影読取"


class Terminal(db.Model):
    """A PC or screen at the office. Its device agent authenticates with a secret token that is
    shown once and stored only as a SHA-256 hash (the token is random, so no slow hash)."""

    __tablename__ = "terminals"
    __table_args__ = (one_of("kind", TerminalKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[TerminalKind] = mapped_column(StrEnumType(TerminalKind, 20))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    # The 取扱区域 the terminal stands in (004 特記事項 §4(1), §9(4); 000 別紙 §4)
    handling_area_id: Mapped[int | None] = mapped_column(ForeignKey("staff_handling_areas.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime | None]
    #: a display's browser may play the chime and voice without a touch (kiosk mode, see
    #: /displays/<board>/check): the public screen never offers 「音声案内を開始する」
    sound: Mapped[bool] = mapped_column(default=False, server_default=false())
    agent_public_key: Mapped[str | None] = mapped_column(Text)

    counter: Mapped[Counter | None] = relationship()
    handling_area: Mapped[HandlingArea | None] = relationship()
    bindings: Mapped[list[DeviceBinding]] = relationship(
        back_populates="terminal", order_by="DeviceBinding.name")



class DeviceBinding(db.Model):
    """Which device a terminal has under a name ("printer", "card_reader", ...), with the
    URL-style setting its agent opens (e.g. escpos+tcp://192.0.2.10:9100?mode=kanji)."""

    __tablename__ = "device_bindings"
    __table_args__ = (UniqueConstraint("terminal_id", "name"), one_of("kind", DeviceKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    name: Mapped[str] = mapped_column(String(32))
    kind: Mapped[DeviceKind] = mapped_column(StrEnumType(DeviceKind, 20))
    url: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    healthy: Mapped[bool | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    health_at: Mapped[datetime | None]

    terminal: Mapped[Terminal] = relationship(back_populates="bindings")



class DeviceJob(db.Model):
    """Work for a terminal's device, taken by its agent: queued → claimed → done / failed.

    A claimed job carries a lease; when it runs out (the agent crashed) the job is queued
    again. Print jobs that fail stay queued and are retried, so no ticket or receipt is lost.
    `sealed` holds a secret (a card PIN) encrypted to the agent's in-memory key, only until the
    agent takes the job (a one-shot job) or it ends; the plain secret is never stored.
    """

    __tablename__ = "device_jobs"
    __table_args__ = (
        Index("ix_device_jobs_terminal_state", "terminal_id", "state", "id"),
        Index("ix_device_jobs_source", "source_type", "source_id"),
        one_of("state", JobState),
        one_of("kind", JobKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    device: Mapped[str] = mapped_column(String(32))
    kind: Mapped[JobKind] = mapped_column(StrEnumType(JobKind, 20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[JobState] = mapped_column(StrEnumType(JobState, 12), default=JobState.queued)
    retry: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(default=now)
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_type: Mapped[str] = mapped_column(String(30), default="")
    source_id: Mapped[int | None]
    rerouted_from_id: Mapped[int | None] = mapped_column(ForeignKey("device_jobs.id"))

    terminal: Mapped[Terminal] = relationship()

