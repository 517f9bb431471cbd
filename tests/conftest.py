"""Fixtures shared by the whole suite.

The same tests run on SQLite (default) and on PostgreSQL when TEST_DATABASE_URL names one.
The schema is always built by the Alembic migrations, once per session; each test then gets a
clean database: a fresh copy of the migrated SQLite file, or TRUNCATE on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.config import Config
from tests.consumer import Consumer
from tests.live import LiveServer
from tests.scratch_db import scratch_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct-horse-battery"
SECRET = "test-secret-key"


def make_config(url: str, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "PASSWORD_HASH_COST": "low",
        "DEMO_MODE": False,
        "SIMULATE_DEVICES": False,
        # Unit tests run a task right after its commit; the end-to-end ones use a real
        # consumer process (tests/consumer.py).
        "TASK_QUEUE_URL": "immediate",
    }
    values.update(overrides)
    return Config.from_env(**values)


def migrate_to_head(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        from app.extensions import db
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The migrated database every test starts from: a file path (SQLite), or the URL of a
    scratch database created for this session on the PostgreSQL server of TEST_DATABASE_URL."""
    if ON_POSTGRES:
        with scratch_database(TEST_DATABASE_URL, "yakuba_test") as url:
            migrate_to_head(url)
            yield url
        return
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    yield str(path)


def _truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'")).scalars().all()
        if tables:
            conn.execute(sa.text(
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        _truncate_all(database_template)
        return database_template
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change settings for the `app` fixture."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(make_config(database_url, **app_config))
    app.test_client_class = CsrfClient
    with app.app_context():
        yield app
        from app.extensions import db
        app.extensions["yakuba_events"].close()
        db.session.remove()
        db.engine.dispose()


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF header on unsafe requests, as the pages do.

    Pass csrf=False to send a request without it.
    """

    def open(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        app = self.application
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def client(app: Flask) -> CsrfClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    from app.auth import services
    from app.extensions import db

    def make(role: str = "operator", username: str | None = None, **kwargs: Any) -> Any:
        user = services.create_user(username or f"{role}-user", kwargs.get("display_name", f"{role} 太郎"),
                                    role, kwargs.get("password", PASSWORD))
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client: CsrfClient, make_user: Callable[..., Any]) -> Callable[[str], Any]:
    def login(role: str) -> Any:
        user = make_user(role)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def db_session(app: Flask) -> Any:
    from app.extensions import db

    return db.session


@pytest.fixture
def live_app(database_url: str, app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app of its own for a live server (browser and agent tests), on the test's database."""
    app = create_app(make_config(database_url, **app_config))
    yield app
    with app.app_context():
        from app.extensions import db
        app.extensions["yakuba_events"].close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test saves its screenshots: $YAKUBA_SCREENSHOTS to keep them, else tmp_path."""
    target = Path(os.environ.get("YAKUBA_SCREENSHOTS", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def task_consumer(database_url: str, tmp_path: Path) -> Iterator[Consumer]:
    """A real task consumer process on the test's database, with a queue of its own: Redis when
    TEST_TASK_QUEUE_URL names one (make test-pg), else Huey's SQLite storage in tmp_path. Use
    its `url` as the app's TASK_QUEUE_URL (see tests/tasks for an app_config that does)."""
    consumer = Consumer(database_url, tmp_path, os.environ.get("TEST_TASK_QUEUE_URL", ""))
    yield consumer
    consumer.stop()
