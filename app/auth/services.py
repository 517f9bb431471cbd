"""Users, passwords and login throttling."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import LoginAttempt, Role, Scope, User
from app.config import settings
from app.core.dates import now
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.staff.register import login_refusal as staff_login_refusal

MIN_PASSWORD_LENGTH = 10


class AuthError(Refusal):
    """A refusal to show to the person, in Japanese, naming the field where there is one."""


def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults; tests lower the cost through the config."""
    cost = settings().PASSWORD_HASH_COST
    if cost == "default":
        return PasswordHasher()
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def new_unusable_password() -> str:
    return secrets.token_urlsafe(48)


def _check_password(user: User, password: str) -> bool:
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _recent_failures(column: object, value: str) -> int:
    window = timedelta(seconds=settings().LOGIN_WINDOW_SECONDS)
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            column == value,  # type: ignore[operator]
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= now() - window,
        )
    ) or 0


def is_throttled(username: str, address: str) -> bool:
    limit = settings().LOGIN_MAX_FAILURES
    return (
        _recent_failures(LoginAttempt.username, username) >= limit
        or _recent_failures(LoginAttempt.address, address) >= limit
    )


def authenticate(username: str, password: str, address: str) -> User:
    """The user for these credentials, or AuthError. Every attempt is recorded for throttling."""
    username = username.strip()
    if is_throttled(username, address):
        raise AuthError("ログインの失敗が続いたため、しばらくログインできません。1分ほど待ってから再度お試しください。")
    user = db.session.scalar(select(User).where(User.username == username))
    ok = user is not None and _check_password(user, password) and user.active
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    if not ok or user is None:
        audit.record("login_failed", "user", username, by=None, username=username)
        raise AuthError("ログイン名またはパスワードが正しくありません。")
    if refusal := staff_login_refusal(user):  # an ended register entry (issue #14 §3)
        raise AuthError(refusal)
    audit.record("login", "user", user.id, by=user)
    return user


def record_logout(by: User) -> None:
    audit.record("logout", "user", by.id, by=by)


def _password_problems(password: str) -> list[Problem]:
    if not password:
        return [Problem("password", "パスワードを入力してください。")]
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Problem("password", f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")]
    return []


def _details_problems(display_name: str, role: str, scope: str) -> list[Problem]:
    problems = []
    if not display_name.strip():
        problems.append(Problem("display_name", "氏名を入力してください。"))
    if not Role.has(role):
        problems.append(Problem("role", "役割を選んでください。"))
    if not Scope.has(scope):
        problems.append(Problem("scope", "担当業務を選んでください。"))
    elif scope == Scope.all and role != Role.admin:
        problems.append(Problem("scope", "全業務を担当できるのは管理者だけです。"
                                         "窓口業務かふるさと納税を選んでください。"))
    return problems


def default_scope(role: str) -> Scope:
    return Scope.all if role == Role.admin else Scope.counter


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: str
    password: str  # the first password, which the person changes
    scope: str = ""  # "" for the role's default (default_scope)
    number_handler: bool = False


def create_user(username: str, display_name: str, role: str, password: str, *, scope: str = "",
                number_handler: bool = False, by: User | None = None) -> User:
    """A new account (`by` None: the system, as demo data or a command makes it); every problem
    of the entry is said at once."""
    username, display_name = username.strip(), display_name.strip()
    problems = []
    if not username:
        problems.append(Problem("username", "ログイン名を入力してください。"))
    elif not username.isascii() or " " in username:
        problems.append(Problem("username", "ログイン名は半角英数字で入力してください。"))
    elif db.session.scalar(select(User.id).where(User.username == username)):
        problems.append(Problem("username", f"ログイン名「{username}」は既に使われています。"))
    scope = scope or default_scope(role)
    problems += _details_problems(display_name, role, scope) + _password_problems(password)
    if problems:
        raise AuthError.of(problems)
    user = User(username=username, display_name=display_name, role=Role(role), scope=Scope(scope),
                number_handler=bool(number_handler), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    handler = "、事務取扱担当者" if number_handler else ""
    audit.record("create", "user", user.id, f"役割={Role(role).label}、担当業務={Scope(scope).label}{handler}", by=by)
    return user


@dataclass(frozen=True)
class UserChange:
    display_name: str
    role: str
    scope: str
    number_handler: bool
    active: bool


def update_user(user: User, change: UserChange, *, by: User) -> None:
    """An administrator changes an account; no one takes the administrator's role from
    themselves (the city would be left without one who can give it back)."""
    display_name = change.display_name.strip()
    problems = _details_problems(display_name, change.role, change.scope)
    if user.id == by.id and (change.role != Role.admin or change.scope != Scope.all or not change.active):
        problems.append(Problem("role", "自分自身の管理者権限は外せません。"))
    if problems:
        raise AuthError.of(problems)
    changes = []
    if user.display_name != display_name:
        changes.append(f"氏名={display_name}")
    if user.role != change.role:
        changes.append(f"役割={user.role}→{change.role}")
    if user.scope != change.scope:
        changes.append(f"担当業務={Scope(user.scope).label}→{Scope(change.scope).label}")
    if user.number_handler != change.number_handler:
        changes.append("事務取扱担当者に指定" if change.number_handler else "事務取扱担当者の指定を解除")
    if user.active != change.active:
        changes.append("有効化" if change.active else "無効化")
    user.display_name, user.role, user.active = display_name, Role(change.role), bool(change.active)
    user.scope, user.number_handler = Scope(change.scope), bool(change.number_handler)
    if changes:
        audit.record("update", "user", user.id, "、".join(changes), by=by)


def reset_password(user: User, password: str, *, by: User) -> None:
    if problems := _password_problems(password):
        raise AuthError.of(problems)
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    audit.record("update", "user", user.id, "パスワード再設定", by=by)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)
