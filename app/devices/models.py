from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Counter
from app.extensions import db
from app.timeutil import now

TERMINAL_KINDS: dict[str, str] = {
    "counter_pc": "窓口端末",
    "kiosk": "発券機",
    "queue_display": "窓口案内表示",
    "cashier_display": "会計呼出表示",
    "register": "レジ端末",
}


class Terminal(db.Model):
    """A PC or screen at the office. Its device agent authenticates with a secret token that is
    shown once and stored only as a SHA-256 hash (the token is random, so no slow hash)."""

    __tablename__ = "terminals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime | None]

    counter: Mapped[Counter | None] = relationship()

    @property
    def kind_label(self) -> str:
        return TERMINAL_KINDS.get(self.kind, self.kind)
