"""`flask counter load-catalog`: (re)load catalog.yaml into the database."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.counter import catalog
from app.extensions import db

counter_cli = AppGroup("counter", help="窓口業務（手続カタログ）")


@counter_cli.command("load-catalog")
@click.option("--overwrite-admin-edits", is_flag=True, help="管理者が画面で編集した手続もファイルの内容で上書きする")
def load_catalog(overwrite_admin_edits: bool) -> None:
    """Insert new catalog entries and update existing ones by code (admin edits are kept)."""
    result = catalog.load(overwrite_admin_edits=overwrite_admin_edits)
    db.session.commit()
    click.echo(f"手続カタログを読み込みました：新規 {result.created}件、更新 {result.updated}件。")
    if result.kept:
        click.echo(f"管理者が編集した{len(result.kept)}件はそのままにしました（{'、'.join(result.kept)}）。"
                   "上書きするには --overwrite-admin-edits を付けてください。")


def init_app(app: Flask) -> None:
    app.cli.add_command(counter_cli)
