"""Typed, frozen configuration read from the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated values; set but empty is an empty list."""
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(url: str) -> str:
    """PostgreSQL URLs use psycopg 3 (the driver installed), whatever scheme they were given in."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


@dataclass(frozen=True)
class Config:
    SECRET_KEY: str
    SQLALCHEMY_DATABASE_URI: str
    IDLE_TIMEOUT_MINUTES: int = 30
    LOGIN_MAX_FAILURES: int = 5  # per account
    LOGIN_MAX_FAILURES_PER_ADDRESS: int = 20
    LOGIN_WINDOW_SECONDS: int = 60
    # The reverse proxy whose X-Forwarded-For gives the client's address (app/web/proxy.py):
    # its addresses or networks, and how many proxies stand in a row before the server.
    TRUSTED_PROXIES: tuple[str, ...] = ("127.0.0.1", "::1")
    PROXY_HOPS: int = 1
    PASSWORD_HASH_COST: str = "default"  # noqa: S105 - a cost level, not a secret; "low" in tests
    DEMO_MODE: bool = False
    SIMULATE_DEVICES: bool = False
    TESTING: bool = False
    MAX_CONTENT_LENGTH: int = 64 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False
    WTF_CSRF_TIME_LIMIT: int | None = None
    WTF_CSRF_HEADERS: tuple[str, ...] = ("X-CSRFToken",)
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = field(default_factory=dict)
    # The task queue (DESIGN "Background work"): "" is Huey's SQLite storage in instance/,
    # "sqlite:///PATH" another SQLite file, "redis://…" Redis, "immediate" runs each task in
    # the submitting process right after its commit (unit tests).
    TASK_QUEUE_URL: str = ""
    TASK_LEASE_SECONDS: int = 60
    TASK_WORKERS: int = 2
    # Files that background work makes (exports, document batches): "" is instance/files. With
    # consumers on other machines, a directory they all share. Kept TASK_FILE_DAYS days.
    TASK_FILES_DIR: str = ""
    TASK_FILE_DAYS: int = 7
    # A CSV of personal data of more rows than this needs an approved export request (000 別紙
    # §8(2)); up to it, a day's list for daily work is taken at once.
    EXPORT_WITHOUT_APPROVAL_ROWS: int = 1000
    # The resident registry (住民記録システム): "module:Class" of a RegistryAdapter, see
    # app/registry/adapter.py; the default is the stand-in over Yakuba's own tables.
    REGISTRY_ADAPTER: str = "app.registry.local:LocalRegistry"
    # Simulated devices (SIMULATE_DEVICES): the URL their in-process agents poll; "" is this
    # server on 127.0.0.1 at PORT.
    AGENT_SERVER: str = ""
    PORT: int = 5000
    # Where visitors reach Yakuba from outside (https://…): the ticket's QR code links to its
    # status page there. "" prints no QR code; the request's Host header is never used for it.
    PUBLIC_URL: str = ""
    # Tickets one kiosk issues to one address in a minute (app/queue/kiosk_limit.py).
    KIOSK_TICKETS_PER_MINUTE: int = 12
    # The key of the individual numbers of one-stop applications (issue 17 §3), never in the
    # database: Fernet keys, newest first (the first encrypts, all decrypt: rotation is adding a
    # new key in front, `flask furusato one-stop rotate-key`, then dropping the old one), from
    # ONESTOP_NUMBER_KEYS (comma-separated) or else the file ONESTOP_NUMBER_KEY_FILE (one a line;
    # "" is instance/onestop_number.keys, made on first use with mode 600).
    ONESTOP_NUMBER_KEYS: tuple[str, ...] = ()
    ONESTOP_NUMBER_KEY_FILE: str = ""
    # The city has approved online one-stop intake (004 §7(11)ウ); until then the import refuses.
    ONESTOP_ONLINE_INTAKE: bool = False
    # E-mail (app/core/mail.py), sent from tasks. No MAIL_SMTP_HOST: each message is written as
    # an .eml file to MAIL_OUTBOX_DIR ("" is instance/mail), so a machine without a mail server
    # keeps every message. MAIL_SMTP_SECURITY is "" (plain, e.g. a relay on the LAN), "starttls"
    # or "tls" (SMTPS).
    MAIL_SMTP_HOST: str = ""
    MAIL_SMTP_PORT: int = 25
    MAIL_SMTP_SECURITY: str = ""
    MAIL_SMTP_USER: str = ""
    MAIL_SMTP_PASSWORD: str = ""
    MAIL_FROM: str = "noreply@yakuba.invalid"
    MAIL_OUTBOX_DIR: str = ""
    # Reservations the bereavement corner's public page takes from one address in an hour
    # (app/bereavement/services.py).
    BEREAVEMENT_BOOKINGS_PER_HOUR: int = 3

    @classmethod
    def from_env(cls, **overrides: Any) -> Config:
        default_db = f"sqlite:///{INSTANCE_DIR / 'yakuba.sqlite3'}"
        values: dict[str, Any] = {
            "SECRET_KEY": overrides.pop("SECRET_KEY", None) or _secret_key(),
            "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
            "IDLE_TIMEOUT_MINUTES": _int("IDLE_TIMEOUT_MINUTES", 30),
            "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
            "LOGIN_MAX_FAILURES_PER_ADDRESS": _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
            "LOGIN_WINDOW_SECONDS": _int("LOGIN_WINDOW_SECONDS", 60),
            "TRUSTED_PROXIES": _list("TRUSTED_PROXIES", cls.TRUSTED_PROXIES),
            "PROXY_HOPS": _int("PROXY_HOPS", 1),
            "DEMO_MODE": _bool("YAKUBA_DEMO", False),
            "SIMULATE_DEVICES": _bool("YAKUBA_SIMULATE_DEVICES", False),
            "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
            "TASK_QUEUE_URL": os.environ.get("TASK_QUEUE_URL", ""),
            "TASK_LEASE_SECONDS": _int("TASK_LEASE_SECONDS", 60),
            "TASK_WORKERS": _int("TASK_WORKERS", 2),
            "TASK_FILES_DIR": os.environ.get("TASK_FILES_DIR", ""),
            "TASK_FILE_DAYS": _int("TASK_FILE_DAYS", 7),
            "EXPORT_WITHOUT_APPROVAL_ROWS": _int("EXPORT_WITHOUT_APPROVAL_ROWS", 1000),
            "REGISTRY_ADAPTER": os.environ.get("REGISTRY_ADAPTER") or cls.REGISTRY_ADAPTER,
            "AGENT_SERVER": os.environ.get("YAKUBA_AGENT_SERVER", ""),
            "PORT": _int("PORT", 5000),
            "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
            "KIOSK_TICKETS_PER_MINUTE": _int("KIOSK_TICKETS_PER_MINUTE", 12),
            "ONESTOP_NUMBER_KEYS": _list("ONESTOP_NUMBER_KEYS", ()),
            "ONESTOP_NUMBER_KEY_FILE": os.environ.get("ONESTOP_NUMBER_KEY_FILE", ""),
            "ONESTOP_ONLINE_INTAKE": _bool("ONESTOP_ONLINE_INTAKE", False),
            "MAIL_SMTP_HOST": os.environ.get("MAIL_SMTP_HOST", ""),
            "MAIL_SMTP_PORT": _int("MAIL_SMTP_PORT", 25),
            "MAIL_SMTP_SECURITY": os.environ.get("MAIL_SMTP_SECURITY", "").strip().lower(),
            "MAIL_SMTP_USER": os.environ.get("MAIL_SMTP_USER", ""),
            "MAIL_SMTP_PASSWORD": os.environ.get("MAIL_SMTP_PASSWORD", ""),
            "MAIL_FROM": os.environ.get("MAIL_FROM") or cls.MAIL_FROM,
            "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", ""),
            "BEREAVEMENT_BOOKINGS_PER_HOUR": _int("BEREAVEMENT_BOOKINGS_PER_HOUR", 3),
        }
        values.update(overrides)
        values["SQLALCHEMY_DATABASE_URI"] = database_url(values["SQLALCHEMY_DATABASE_URI"])
        return cls(**values)

    def as_flask_config(self) -> dict[str, Any]:
        values = asdict(self)
        values["WTF_CSRF_HEADERS"] = list(self.WTF_CSRF_HEADERS)
        return values


def settings(app: Flask | None = None) -> Config:
    """The running app's settings, or `app`'s while it is being built (STYLE rule 19: one
    accessor, read as attributes)."""
    from flask import current_app

    return (app or current_app).config["YAKUBA_CONFIG"]
