"""Fixtures shared by the whole suite.

The same tests run on SQLite (default) and on PostgreSQL when TEST_DATABASE_URL names one.
The schema is always built by the Alembic migrations, once per session (so once per
pytest-xdist worker: each worker is a session of its own, with its own temporary directory and
its own scratch database); each test then gets a clean database: a fresh copy of the migrated
SQLite file, or on PostgreSQL the same database emptied (EMPTY_POSTGRES).
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
from app.config import database_url as database_url_of
from tests.consumer import Consumer
from tests.live import LiveServer
from tests.mail_catcher import MailCatcher
from tests.scratch_db import scratch_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct-horse-battery"
SECRET = "test-secret-key"


def pytest_configure(config: pytest.Config) -> None:
    _share_url_builders()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (`slow`, then `browser`), each in its order: pytest-xdist hands the
    tests out one by one to whichever worker is free, so a long test started last would keep one
    worker busy while the others sit idle; started first, the short ones fill in around it."""
    def rank(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("browser") else 2

    items.sort(key=rank)


def _share_url_builders() -> None:
    """Every test creates its app, and nine tenths of create_app went to werkzeug compiling each
    URL rule's builder: Python source it generates and compiles, the same for the same rule in
    every app. Compile each once per process. The builder is a plain function of the rule's
    parts (the rule reaches it as its `self` argument, converters included), so sharing it
    changes nothing an app does; a rule with a default for one of its own variables (folded into
    the code through the converter) is compiled every time, as before."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "shared", False):
        return
    builders: dict[tuple[Any, ...], Any] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        if any(name in self._converters for name in defaults):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    shared.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = shared  # type: ignore[method-assign]


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
        # The one-stop number vault's key (a fixed test key, so no test writes instance/'s key file).
        "ONESTOP_NUMBER_KEYS": ("J1d0kXbxbH2Qy0Yb8k7T4fGq3N5uQkz9a9sM8kq2YxE=",),
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


def worker_id() -> str:
    """The pytest-xdist worker running this process ("gw0", "gw1", …), "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The migrated database every test starts from: a file path (SQLite), or the URL of a
    scratch database created for this session on the PostgreSQL server of TEST_DATABASE_URL."""
    if ON_POSTGRES:
        with scratch_database(TEST_DATABASE_URL, f"yakuba_test_{worker_id()}") as url:
            migrate_to_head(url)
            yield url
        return
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    yield str(path)


# Empties every table that has a row and restarts every sequence that was used, in one round
# trip. TRUNCATE of the ~55 tables took about a second per test (each truncated table and index
# gets new files, and its buffers are searched for); DELETE of the few tables a test wrote takes
# milliseconds. session_replication_role=replica (for this transaction only) lets DELETE pass
# the append-only triggers (audit, money) and skip foreign-key checks, so the order does not
# matter; it needs a superuser, and without one the written tables are TRUNCATEd instead.
EMPTY_POSTGRES = """
DO $$
DECLARE
  name text;
  found boolean;
  written text[] := '{}';
BEGIN
  FOR name IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
              WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('SELECT EXISTS (SELECT FROM %s)', name) INTO found;
    IF found THEN written := written || name; END IF;
  END LOOP;
  IF cardinality(written) > 0 THEN
    IF :truncate THEN
      EXECUTE 'TRUNCATE ' || array_to_string(written, ', ') || ' CASCADE';
    ELSE
      PERFORM set_config('session_replication_role', 'replica', true);
      FOREACH name IN ARRAY written LOOP
        EXECUTE 'DELETE FROM ' || name;
      END LOOP;
    END IF;
  END IF;
  FOR name IN SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences
              WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
    EXECUTE format('ALTER SEQUENCE %s RESTART', name);
  END LOOP;
END $$
"""


@pytest.fixture(scope="session")
def empty_postgres(database_template: str) -> Iterator[Callable[[], None]]:
    """Empties this session's scratch database, as the migrations left it (EMPTY_POSTGRES)."""
    engine = sa.create_engine(database_url_of(database_template), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        superuser = conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
    statement = sa.text(EMPTY_POSTGRES.replace(":truncate", "false" if superuser else "true"))

    def empty() -> None:
        with engine.begin() as conn:
            conn.execute(statement)

    yield empty
    engine.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A clean, migrated database for this test: tables empty, sequences from 1."""
    if ON_POSTGRES:
        request.getfixturevalue("empty_postgres")()
        return database_template
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change settings for the `app` fixture."""
    return {}


def own_files(tmp_path: Path, app_config: dict[str, Any]) -> dict[str, Any]:
    """A test's settings, its task files in a folder of its own: files are named by task id,
    and every test's ids start at 1 (instance/files would be shared by all tests and runs)."""
    return {"TASK_FILES_DIR": str(tmp_path / "files"), **app_config}


@pytest.fixture
def app(database_url: str, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(database_url, **own_files(tmp_path, app_config)))
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
def programme() -> str:
    """The programme test users work in unless a test names another: the counter here; the
    donation tests' conftest says furusato. Admins always get every programme."""
    return "counter"


def user_name(role: str, scope: str) -> str:
    """`operator-user` for the counter (the name the tests have always used), `operator-furusato-user`."""
    return f"{role}-user" if scope in ("counter", "all") else f"{role}-{scope}-user"


@pytest.fixture
def make_user(app: Flask, programme: str) -> Callable[..., Any]:
    from app.auth import services
    from app.extensions import db

    def make(role: str = "operator", username: str | None = None, **kwargs: Any) -> Any:
        scope = kwargs.get("programme", "all" if role == "admin" else programme)
        user = services.create_user(username or user_name(role, scope), kwargs.get("display_name", f"{role} 太郎"),
                                    role, kwargs.get("password", PASSWORD), scope=scope,
                                    number_handler=kwargs.get("number_handler", False))
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client: CsrfClient, make_user: Callable[..., Any]) -> Callable[..., Any]:
    def login(role: str, **kwargs: Any) -> Any:
        user = make_user(role, **kwargs)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def db_session(app: Flask) -> Any:
    from app.extensions import db

    return db.session


@pytest.fixture
def live_app(database_url: str, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """An app of its own for a live server (browser and agent tests), on the test's database."""
    app = create_app(make_config(database_url, **own_files(tmp_path, app_config)))
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
def smtp_catcher() -> Iterator[MailCatcher]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (tests/mail_catcher.py)."""
    catcher = MailCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture
def mail_config(smtp_catcher: MailCatcher) -> dict[str, Any]:
    """App settings that send e-mail to the test's catcher: return it from a module's app_config."""
    return smtp_catcher.config


@pytest.fixture
def task_consumer(database_url: str, tmp_path: Path) -> Iterator[Consumer]:
    """A real task consumer process on the test's database, with a queue of its own: Redis when
    TEST_TASK_QUEUE_URL names one (make test-pg), else Huey's SQLite storage in tmp_path. Use
    its `url` as the app's TASK_QUEUE_URL (see tests/tasks for an app_config that does)."""
    consumer = Consumer(database_url, tmp_path, os.environ.get("TEST_TASK_QUEUE_URL", ""))
    yield consumer
    consumer.stop()
