"""Alembic environment: runs against the Flask app's engine and the models' metadata."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from flask import current_app
from sqlalchemy.engine import Connection

import app.models  # noqa: F401  (registers every table on the metadata)

logger = logging.getLogger("alembic.env")
db = current_app.extensions["migrate"].db
config = context.config
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def _options() -> dict:
    return {
        "target_metadata": db.metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        "render_as_batch": db.engine.dialect.name == "sqlite",
        "compare_type": True,
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(_context, _revision, directives) -> None:  # type: ignore[no-untyped-def]
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection, _foreign_keys_checked_after(connection):
        context.configure(connection=connection, process_revision_directives=skip_empty,
                          **_options())
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def _foreign_keys_checked_after(connection: Connection) -> Iterator[None]:
    """SQLite's batch mode recreates a table (to add a CHECK, say): with foreign keys on, the
    rows of other tables pointing at it would fail when the old table is dropped. They are off
    while the migrations run and every row is checked once they are done. SQLite changes the
    setting only outside a transaction, so it is set on the driver's connection directly (the
    engine begins every SQLAlchemy transaction with BEGIN IMMEDIATE, app/db_events.py)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.commit()
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        driver.execute("PRAGMA foreign_keys=ON")
    if broken:
        raise RuntimeError(f"rows point at rows that are not there after the migration: {broken[:10]}")

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
