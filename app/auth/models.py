from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class Role(Labelled):
    operator = "operator", "業務従事者"
    supervisor = "supervisor", "統括責任者"
    city_staff = "city_staff", "市職員"
    admin = "admin", "管理者"


#: Role names and labels, for the callers that still look a role up by name.
ROLES: dict[str, str] = dict(Role.choices())


class Programme(Labelled):
    """The two contracts the system serves. Each forbids using its personal data beyond its own
    purpose (000 別紙 §10, 004 特記事項 §10), so a user works within one unless an admin."""

    counter = "counter", "窓口業務"
    furusato = "furusato", "ふるさと納税"


class Scope(Labelled):
    """The programmes a user works in: one, or every one for an administrator."""

    counter = "counter", "窓口業務"
    furusato = "furusato", "ふるさと納税"
    all = "all", "全業務"

    @property
    def programmes(self) -> frozenset[Programme]:
        return frozenset(Programme) if self is Scope.all else frozenset({Programme(self.value)})


class Action(Labelled):
    """What an audit row records. The column has no CHECK: the list grows with the domains,
    and the log is the one table too large to rebuild for each (record() refuses others)."""

    read = "read", "閲覧"
    create = "create", "登録"
    update = "update", "変更"
    export = "export", "出力"
    login = "login", "ログイン"
    logout = "logout", "ログアウト"
    login_failed = "login_failed", "ログイン失敗"
    approve = "approve", "承認"
    return_ = "return", "差戻し"
    void = "void", "取消"
    print = "print", "印刷"
    merge = "merge", "統合"
    unmerge = "unmerge", "統合解除"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role),
        one_of("scope", Scope),
        CheckConstraint("scope <> 'all' OR role = 'admin'", name="scope_all_admin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    password_changed_at: Mapped[datetime] = mapped_column(default=now)
    scope: Mapped[Scope] = mapped_column(StrEnumType(Scope, 20), default=Scope.counter)
    #: 事務取扱担当者: the only users who may see an individual number (004 特記事項 §9).
    number_handler: Mapped[bool] = mapped_column(default=False)
    # Sessions carry the epoch they were opened in (get_id); raising it ends every session of
    # the user at its next request, a copied cookie too (issue 14 §4 "Sessions").
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def programmes(self) -> frozenset[Programme]:
        return Scope(self.scope).programmes

    def reaches(self, programme: Programme | str) -> bool:
        return Programme(programme) in self.programmes

    def get_id(self) -> str:
        """What the session keeps of the user (Flask-Login's "alternative token"): the id and the
        epoch, which the user loader checks against the row."""
        return f"{self.id}:{self.session_epoch}"


class LoginAttempt(db.Model):
    """The record of every login attempt (who, from where, when, whether it succeeded); the
    throttle counts in LoginCounter."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=now)
    succeeded: Mapped[bool]


class LoginCounter(db.Model):
    """Login attempts in the current window of one account ("user:NAME") or one address
    ("address:IP"), counted by one atomic upsert per attempt, so that parallel guesses wait for
    each other and each sees the ones before it (issue 14 §4 "Login throttling")."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[datetime]
    attempts: Mapped[int]


class AuditEntry(db.Model):
    """Append-only: services insert rows; nothing updates or deletes them (see services)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[Action] = mapped_column(StrEnumType(Action, 20))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")

