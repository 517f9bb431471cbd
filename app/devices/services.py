"""Terminals and their agent tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select

from app.auth import audit
from app.core.models import Counter
from app.devices.models import DEVICE_KINDS, TERMINAL_KINDS, DeviceBinding, Terminal
from app.extensions import db


class TerminalError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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


def _validate(code: str, name: str, kind: str, counter_id: int | None) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", code):
        raise TerminalError("端末コードは半角英小文字・数字・ハイフンで入力してください（例：counter-3）。", "code")
    if not name.strip():
        raise TerminalError("端末名を入力してください。", "name")
    if kind not in TERMINAL_KINDS:
        raise TerminalError("端末の種類を選んでください。", "kind")
    if counter_id is not None and db.session.get(Counter, counter_id) is None:
        raise TerminalError("窓口を選び直してください。", "counter_id")


def create_terminal(code: str, name: str, kind: str,
                    counter_id: int | None = None) -> tuple[Terminal, str]:
    """The new terminal and its token, which is shown to the admin once and never again."""
    code = code.strip()
    _validate(code, name, kind, counter_id)
    if terminal_by_code(code):
        raise TerminalError(f"端末コード「{code}」は既にあります。", "code")
    token, token_hash = new_token()
    terminal = Terminal(code=code, name=name.strip(), kind=kind, counter_id=counter_id,
                        token_hash=token_hash)
    db.session.add(terminal)
    db.session.flush()
    audit.record("create", "terminal", terminal.id, f"{code} {TERMINAL_KINDS[kind]}")
    return terminal, token


def update_terminal(terminal: Terminal, name: str, kind: str, counter_id: int | None,
                    active: bool) -> None:
    _validate(terminal.code, name, kind, counter_id)
    terminal.name, terminal.kind = name.strip(), kind
    terminal.counter_id, terminal.active = counter_id, active
    audit.record("update", "terminal", terminal.id, f"{terminal.code} {'有効' if active else '無効'}")


def rotate_token(terminal: Terminal) -> str:
    token, terminal.token_hash = new_token()
    audit.record("update", "terminal", terminal.id, "トークン再発行")
    return token


DEVICE_URL_SCHEMES = {
    "printer": ("escpos+tcp://", "escpos+usb://", "escpos+serial://", "sim://"),
    "call_board": ("serial://", "serial+socket://", "sim://"),
    "card_reader": ("pcsc://", "sim://"),
    "scanner": ("sane://", "folder://", "sim://"),
}


def save_binding(terminal: Terminal, name: str, kind: str, url: str, active: bool = True) -> DeviceBinding:
    """Bind a device to a terminal under a name, or change the binding of that name."""
    name, url = name.strip(), url.strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name):
        raise TerminalError("機器名は半角英小文字で入力してください（例：printer）。", "name")
    if kind not in DEVICE_KINDS:
        raise TerminalError("機器の種類を選んでください。", "kind")
    if not url.startswith(DEVICE_URL_SCHEMES[kind]):
        raise TerminalError(
            f"{DEVICE_KINDS[kind]}の接続先は {'、'.join(DEVICE_URL_SCHEMES[kind])} のいずれかで始めてください。", "url")
    bound = db.session.scalar(select(DeviceBinding).where(
        DeviceBinding.terminal_id == terminal.id, DeviceBinding.name == name))
    if bound is None:
        bound = DeviceBinding(terminal_id=terminal.id, name=name)
        db.session.add(bound)
    bound.kind, bound.url, bound.active = kind, url, active
    db.session.flush()
    audit.record("update", "device_binding", bound.id, f"{terminal.code} {name}={url}")
    return bound


def terminals_with_device(device: str, exclude: Terminal | None = None) -> list[Terminal]:
    query = (select(Terminal).join(DeviceBinding)
             .where(DeviceBinding.name == device, DeviceBinding.active.is_(True),
                    Terminal.active.is_(True)).order_by(Terminal.code))
    if exclude is not None:
        query = query.where(Terminal.id != exclude.id)
    return list(db.session.scalars(query))
