"""Terminals and their agent tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.models import Counter
from app.core.refusal import Problem, Refusal
from app.devices.models import DeviceBinding, DeviceKind, Terminal, TerminalKind
from app.extensions import db
from app.staff.areas import get_area


class TerminalError(Refusal):
    """A terminal or device binding that cannot be saved as given."""


def can_configure(by: User) -> bool:
    """Terminals and their devices are set up by an administrator."""
    return by.role == "admin"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def list_terminals() -> list[Terminal]:
    return list(db.session.scalars(select(Terminal).order_by(Terminal.kind, Terminal.code)))


def terminal_by_code(code: str) -> Terminal | None:
    return db.session.scalar(select(Terminal).where(Terminal.code == code))


def terminal_for_token(token: str) -> Terminal | None:
    if not token:
        return None
    terminal = db.session.scalar(select(Terminal).where(Terminal.token_hash == hash_token(token)))
    if terminal is None or not terminal.active:
        return None
    # constant-time confirmation of the match the index found
    return terminal if hmac.compare_digest(terminal.token_hash, hash_token(token)) else None


@dataclass(frozen=True)
class NewTerminal:
    code: str
    name: str
    kind: str
    counter_id: int | None = None


@dataclass(frozen=True)
class TerminalChange:
    name: str
    kind: str
    counter_id: int | None = None
    active: bool = True
    handling_area_id: int | None = None
    sound: bool = False  # displays only: the browser plays sound without a touch


def _problems(code: str, name: str, kind: str, counter_id: int | None) -> list[Problem]:
    problems = []
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", code):
        problems.append(Problem("code",
                                "端末コードは半角英小文字・数字・ハイフンで入力してください（例：counter-3）。"))
    if not name.strip():
        problems.append(Problem("name", "端末名を入力してください。"))
    if not TerminalKind.has(kind):
        problems.append(Problem("kind", "端末の種類を選んでください。"))
    if counter_id is not None and db.session.get(Counter, counter_id) is None:
        problems.append(Problem("counter_id", "窓口を選び直してください。"))
    return problems


def create_terminal(data: NewTerminal, by: User | None = None) -> tuple[Terminal, str]:
    """The new terminal and its token, which is shown to the admin once and never again."""
    code = data.code.strip()
    problems = _problems(code, data.name, data.kind, data.counter_id)
    if code and terminal_by_code(code):
        problems.append(Problem("code", f"端末コード「{code}」は既にあります。"))
    if problems:
        raise TerminalError.of(problems)
    token, token_hash = new_token()
    terminal = Terminal(code=code, name=data.name.strip(), kind=data.kind, counter_id=data.counter_id,
                        token_hash=token_hash)
    db.session.add(terminal)
    db.session.flush()
    audit.record("create", "terminal", terminal.id, f"{code} {TerminalKind(data.kind).label}", by=by)
    return terminal, token


def update_terminal(terminal: Terminal, data: TerminalChange, by: User | None = None) -> None:
    problems = _problems(terminal.code, data.name, data.kind, data.counter_id)
    if data.handling_area_id is not None and get_area(data.handling_area_id) is None:
        problems.append(Problem("handling_area_id", "取扱区域を選び直してください。"))
    if problems:
        raise TerminalError.of(problems)
    terminal.name, terminal.kind = data.name.strip(), data.kind
    terminal.counter_id, terminal.active = data.counter_id, data.active
    terminal.handling_area_id = data.handling_area_id  # 004 特記事項 §4(1), 000 別紙 §4
    terminal.sound = data.sound and data.kind in (TerminalKind.queue_display, TerminalKind.cashier_display)
    audit.record("update", "terminal", terminal.id, f"{terminal.code} {'有効' if data.active else '無効'}"
                 + (" 音声自動開始" if terminal.sound else ""), by=by)


def rotate_token(terminal: Terminal, by: User | None = None, *, token: str | None = None) -> str:
    """A new agent token (`token`: the one to set, e.g. a simulated agent's), shown once."""
    if token is None:
        token, terminal.token_hash = new_token()
    else:
        terminal.token_hash = hash_token(token)
    audit.record("update", "terminal", terminal.id, "トークン再発行", by=by)
    return token


DEVICE_URL_SCHEMES = {
    DeviceKind.printer: ("escpos+tcp://", "escpos+usb://", "escpos+serial://", "sim://"),
    DeviceKind.call_board: ("serial://", "serial+socket://", "sim://"),
    DeviceKind.card_reader: ("pcsc://", "sim://"),
    DeviceKind.scanner: ("sane://", "folder://", "sim://"),
}


@dataclass(frozen=True)
class BindingInput:
    name: str
    kind: str
    url: str
    active: bool = True


def save_binding(terminal: Terminal, data: BindingInput, by: User | None = None) -> DeviceBinding:
    """Bind a device to a terminal under a name, or change the binding of that name."""
    name, url, kind = data.name.strip(), data.url.strip(), data.kind
    problems = []
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name):
        problems.append(Problem("name", "機器名は半角英小文字で入力してください（例：printer）。"))
    if not DeviceKind.has(kind):
        problems.append(Problem("kind", "機器の種類を選んでください。"))
    elif not url.startswith(DEVICE_URL_SCHEMES[kind]):
        schemes = "、".join(DEVICE_URL_SCHEMES[kind])
        problems.append(Problem("url", f"{DeviceKind(kind).label}の接続先は {schemes} のいずれかで始めてください。"))
    if problems:
        raise TerminalError.of(problems)
    bound = db.session.scalar(select(DeviceBinding).where(
        DeviceBinding.terminal_id == terminal.id, DeviceBinding.name == name))
    if bound is None:
        bound = DeviceBinding(terminal_id=terminal.id, name=name)
        db.session.add(bound)
    elif (bound.kind, bound.url, bound.active) == (kind, url, data.active):
        return bound  # nothing changed: nothing to record
    bound.kind, bound.url, bound.active = kind, url, data.active
    db.session.flush()
    audit.record("update", "device_binding", bound.id,
                 f"{terminal.name}の{DeviceKind(kind).label}（{name}）の接続先：{url}", by=by)
    return bound


def terminals_with_device(device: str, exclude: Terminal | None = None) -> list[Terminal]:
    query = (select(Terminal).join(DeviceBinding)
             .where(DeviceBinding.name == device, DeviceBinding.active.is_(True),
                    Terminal.active.is_(True)).order_by(Terminal.code))
    if exclude is not None:
        query = query.where(Terminal.id != exclude.id)
    return list(db.session.scalars(query))
