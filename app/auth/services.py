"""Users, passwords and login throttling."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.auth import audit
from app.auth.models import LoginAttempt, LoginCounter, Role, Scope, User
from app.config import settings
from app.core import cache
from app.core.dates import now
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.staff.login import login_refusal as staff_login_refusal

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


@functools.cache
def _dummy_hash(cost: str) -> str:
    """A hash of no one's password, at the cost of the real ones."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's. An unknown login name costs the same hash as a known
    one (of a dummy), so the time of the answer does not tell which names exist (issue 14 §4)."""
    hasher = _hasher()
    stored = user.password_hash if user is not None else _dummy_hash(settings().PASSWORD_HASH_COST)
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


# -- throttling ---------------------------------------------------------------------------------
THROTTLED = "ログインの失敗が続いたため、しばらくログインできません。1分ほど待ってから再度お試しください。"


def _attempt_keys(username: str, address: str) -> dict[str, int]:
    """The counters an attempt counts in, with their limits: the account's, and the address's,
    larger (behind a proxy an office's terminals may share one address)."""
    config = settings()
    return {f"user:{username}": config.LOGIN_MAX_FAILURES,
            f"address:{address}": config.LOGIN_MAX_FAILURES_PER_ADDRESS}


def _count_attempt(key: str) -> int:
    """Count one attempt for `key`; the attempts of its window, this one included. One upsert,
    which locks the counter's row until the request commits (PostgreSQL; SQLite serialises
    writers), so parallel attempts wait here for each other and each sees the ones before it."""
    moment = now()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    expired = LoginCounter.window_start < moment - timedelta(seconds=settings().LOGIN_WINDOW_SECONDS)
    return db.session.execute(
        insert(LoginCounter).values(key=key, window_start=moment, attempts=1)
        .on_conflict_do_update(index_elements=[LoginCounter.key], set_={
            "attempts": case((expired, 1), else_=LoginCounter.attempts + 1),
            "window_start": case((expired, moment), else_=LoginCounter.window_start)})
        .returning(LoginCounter.attempts)
    ).scalar_one()


def _over_limit(keys: dict[str, int]) -> bool:
    """Count the attempt in each of its counters (in one order, so that two attempts never wait
    for each other's second lock); whether one of them is over its limit."""
    counts = {key: _count_attempt(key) for key in sorted(keys)}
    return any(counts[key] > limit for key, limit in keys.items())


def _uncount(keys: dict[str, int]) -> None:
    """A successful attempt does not count towards the limits: only failures do."""
    db.session.execute(update(LoginCounter).where(LoginCounter.key.in_(keys))
                       .values(attempts=LoginCounter.attempts - 1))


def authenticate(username: str, password: str, address: str) -> User:
    """The user for these credentials, or AuthError. Every attempt is recorded; the view keeps
    the record of a failed one (it counts towards throttling)."""
    username = username.strip()
    keys = _attempt_keys(username, address)
    if _over_limit(keys):
        raise AuthError(THROTTLED)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = _password_matches(user, password) and user is not None and user.active
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    if not ok or user is None:
        audit.record("login_failed", "user", username, by=None, username=username)
        raise AuthError("ログイン名またはパスワードが正しくありません。")
    _uncount(keys)
    if refusal := staff_login_refusal(user):  # an ended register entry (issue #14 §3)
        raise AuthError(refusal)
    audit.record("login", "user", user.id, by=user)
    return user


# -- sessions -----------------------------------------------------------------------------------
def session_user(token: str) -> User | None:
    """The user a session names (User.get_id: "id:epoch"), or None when the account is inactive
    or its sessions have been ended since the session began (end_sessions)."""
    user_id, _, epoch = token.partition(":")
    user = cache.get_with_versions(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or str(user.session_epoch) != epoch:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of `user` at its next request, copies of its cookie included: on
    logout, a password change or reset, a change of what the user may do, deactivation (issue 14
    §4 "Sessions"). A session that goes on (the person's own, after changing their password)
    logs in again (login_user) to take the new epoch."""
    user.session_epoch = User.session_epoch + 1
    db.session.flush()


def record_logout(by: User) -> None:
    """Logging out ends every session of the user, not only this one: a copy of this session's
    cookie would otherwise still work."""
    end_sessions(by)
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
    elif not display_name.isprintable():  # a control character (a NUL breaks PostgreSQL)
        problems.append(Problem("display_name", "氏名に使えない文字が含まれています。"))
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
    elif not username.isascii() or not username.isprintable() or " " in username:
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


def _what_sessions_may_do(user: User) -> tuple[object, ...]:
    """What a change of ends the user's sessions (issue 14 §4 "Sessions"): their role, their
    programmes, whether they handle individual numbers, and whether the account is open at all;
    not their name."""
    return (user.role, user.scope, user.number_handler, user.active)


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
    before = _what_sessions_may_do(user)
    user.display_name, user.role, user.active = display_name, Role(change.role), bool(change.active)
    user.scope, user.number_handler = Scope(change.scope), bool(change.number_handler)
    if _what_sessions_may_do(user) != before:
        end_sessions(user)
    if changes:
        audit.record("update", "user", user.id, "、".join(changes), by=by)


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    end_sessions(user)


def reset_password(user: User, password: str, *, by: User) -> None:
    """An administrator sets a new password; every session of the user ends."""
    if problems := _password_problems(password):
        raise AuthError.of(problems)
    _set_password(user, password)
    audit.record("update", "user", user.id, "パスワード再設定", by=by)


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str
    new_password_again: str


def change_own_password(change: PasswordChange, address: str, *, by: User) -> None:
    """The person changes their own password, proving the current one (a session left open is
    not enough to take the account); every other session ends, the view keeps this one. A wrong
    current password counts towards the login throttle, as a failed login does."""
    keys = _attempt_keys(by.username, address)
    if _over_limit(keys):
        raise AuthError(THROTTLED, field="current_password")
    if not _password_matches(by, change.current_password):
        raise AuthError("現在のパスワードが正しくありません。", field="current_password")
    _uncount(keys)
    problems = [Problem("new_password", p.message) for p in _password_problems(change.new_password)]
    if change.new_password_again != change.new_password:
        problems.append(Problem("new_password_again", "確認のため入力したパスワードが一致しません。"))
    if problems:
        raise AuthError.of(problems)
    _set_password(by, change.new_password)
    audit.record("update", "user", by.id, "パスワード変更（本人）", by=by)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


SYSTEM_NAME = "（システム）"


def display_name_of(username: str) -> str:
    """How a row that kept who did it by login id (an event, a correction, a batch) shows them:
    their display name (「山彦 花子」, not 「operator」); the system as （システム）; a login id no
    account has any more as it is."""
    if not username or username.startswith("("):  # (system), (sftp): no person
        return SYSTEM_NAME
    found = db.session.scalar(select(User.display_name).where(User.username == username))
    return found or username
