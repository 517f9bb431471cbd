"""Users, passwords and login throttling."""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import ROLES, LoginAttempt, User
from app.core.dates import now
from app.extensions import db

MIN_PASSWORD_LENGTH = 10


class AuthError(ValueError):
    """A refusal to show to the person, in Japanese, naming the field where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults; tests lower the cost through the config."""
    cost = current_app.config["PASSWORD_HASH_COST"]
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
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            column == value,  # type: ignore[operator]
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= now() - window,
        )
    ) or 0


def is_throttled(username: str, address: str) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
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
        audit.record("login_failed", "user", username, username=username)
        raise AuthError("ログイン名またはパスワードが正しくありません。")
    audit.record("login", "user", user.id, username=user.username, user_id=user.id)
    return user


def _validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。", "password")


def _validate_role(role: str) -> None:
    if role not in ROLES:
        raise AuthError("役割を選んでください。", "role")


def create_user(username: str, display_name: str, role: str, password: str) -> User:
    username, display_name = username.strip(), display_name.strip()
    if not username or not username.isascii() or " " in username:
        raise AuthError("ログイン名は半角英数字で入力してください。", "username")
    if not display_name:
        raise AuthError("氏名を入力してください。", "display_name")
    _validate_role(role)
    _validate_password(password)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AuthError(f"ログイン名「{username}」は既に使われています。", "username")
    user = User(username=username, display_name=display_name, role=role,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, f"役割={role}")
    return user


def update_user(user: User, *, display_name: str, role: str, active: bool) -> None:
    display_name = display_name.strip()
    if not display_name:
        raise AuthError("氏名を入力してください。", "display_name")
    _validate_role(role)
    changes = []
    if user.display_name != display_name:
        changes.append(f"氏名={display_name}")
    if user.role != role:
        changes.append(f"役割={user.role}→{role}")
    if user.active != active:
        changes.append("有効化" if active else "無効化")
    user.display_name, user.role, user.active = display_name, role, active
    if changes:
        audit.record("update", "user", user.id, "、".join(changes))


def reset_password(user: User, password: str) -> None:
    _validate_password(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    audit.record("update", "user", user.id, "パスワード再設定")


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))
