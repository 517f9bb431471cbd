"""A throwaway PostgreSQL database for a test session or a benchmark run, so that runs on the
same server (a developer's tests, CI, a benchmark) never touch each other's data."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import database_url


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create a new database on the server that `server_url` points at, yield its URL, drop it."""
    url = make_url(database_url(server_url))
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
