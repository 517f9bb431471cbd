"""`flask counter load-catalog`: (re)load catalog.yaml into the database."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.counter import catalog
from app.extensions import db

counter_cli = AppGroup("counter", help="窓口業務（手続カタログ）")


@counter_cli.command("load-catalog")
def load_catalog() -> None:
    """Insert new catalog entries and update existing ones by code."""
    created, updated = catalog.load()
    db.session.commit()
    click.echo(f"手続カタログを読み込みました：新規 {created}件、更新 {updated}件。")


def init_app(app: Flask) -> None:
    app.cli.add_command(counter_cli)
