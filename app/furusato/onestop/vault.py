"""The individual number's vault (issue 17 §3, 番号法; the contract's 特定個人情報等の取扱いに
関する特記事項): the number and the scanned images are stored only encrypted, with keys that are
not in the database (settings ONESTOP_NUMBER_KEYS or the key file, app/config.py).

- Fernet (AES-128-CBC + HMAC-SHA256) through MultiFernet: the first key encrypts, every key
  decrypts, so a key is rotated by putting a new one first, re-encrypting (`rotate`, the CLI's
  `rotate-key`), then removing the old key from the setting.
- The clear number leaves this module only for the eLTAX file (`for_eltax`) and for a
  事務取扱担当者 who asks to see it with a reason (`reveal`, audited with the reason, never the
  number). Everywhere else it is shown masked (models.OneStopApplication.masked_number).
- A bad number is refused without repeating it: the message names the field, not the value.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.auth import audit
from app.auth.models import User
from app.config import INSTANCE_DIR, settings
from app.core.refusal import Refusal
from hardware.card_reader.my_number import is_valid_my_number

MASK = "●" * 8


class NumberRefused(Refusal):
    pass


def _key_file() -> Path:
    return Path(settings().ONESTOP_NUMBER_KEY_FILE or INSTANCE_DIR / "onestop_number.keys")


def _keys() -> tuple[str, ...]:
    if settings().ONESTOP_NUMBER_KEYS:
        return settings().ONESTOP_NUMBER_KEYS
    path = _key_file()
    if not path.exists():
        _make_key_file(path)
    return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())


def _make_key_file(path: Path) -> None:
    """The embedded default: one key made on first use, readable by the owner only. The key is
    written whole under a temporary name in the same directory, flushed to disk, then linked to
    its name: a concurrent reader sees either no file or the whole key, never an empty one, and
    of two processes racing here the first link wins (the other's key is discarded)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(Fernet.generate_key().decode() + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it a moment ago
            os.link(temporary, path)  # atomic, and fails if the name exists: never replaces a key in use
    finally:
        os.unlink(temporary)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def cipher() -> MultiFernet:
    return _fernet(_keys())


def check_number(number: str) -> str:
    """The 12 digits with a valid check digit (平成26年総務省令第85号, as the card reader checks
    it: hardware/card_reader/my_number.py), or a refusal that does not repeat them."""
    digits = (number or "").replace("-", "").replace(" ", "")
    if not digits:
        raise NumberRefused("個人番号を入力してください。", "number")
    if not is_valid_my_number(digits):
        raise NumberRefused("個人番号は12桁で、検査用数字が一致する番号を入力してください。", "number")
    return digits


def seal(number: str) -> tuple[bytes, str]:
    """(token, last four digits) of a checked number."""
    digits = check_number(number)
    return cipher().encrypt(digits.encode()), digits[-4:]


def seal_bytes(data: bytes) -> bytes:
    return cipher().encrypt(data)


def open_bytes(token: bytes) -> bytes:
    try:
        return cipher().decrypt(token)
    except InvalidToken as exc:
        raise NumberRefused("暗号鍵が一致しないため復号できません（鍵の設定を確認してください）。") from exc


def for_eltax(token: bytes) -> str:
    """The clear number for one row of the 申告特例通知書 file (the only automatic use)."""
    return open_bytes(token).decode()


def reveal(application: object, reason: str, *, by: User) -> str:
    """The number for a 事務取扱担当者 who gives a reason; the view is audited with the reason."""
    from app.furusato.onestop.models import OneStopApplication

    assert isinstance(application, OneStopApplication)
    if not by.number_handler:
        raise NumberRefused("個人番号を表示できるのは事務取扱担当者だけです。")
    if not reason.strip():
        raise NumberRefused("個人番号を表示する理由を入力してください。", "reason")
    if application.number_cipher is None or application.number_erased_at is not None:
        raise NumberRefused("この申請の個人番号は保存されていません（消去済みまたは未登録）。")
    number = for_eltax(application.number_cipher)
    audit.record("read", "furusato_onestop_number", application.id, f"個人番号の表示（理由：{reason.strip()[:200]}）",
                 by=by)
    return number


def rotate(tokens: list[bytes]) -> list[bytes]:
    """The tokens re-encrypted with the newest key."""
    f = cipher()
    return [f.rotate(t) for t in tokens]


def mask(tail: str) -> str:
    return MASK + tail if tail else ""
