"""Command-line tools: `flask demo load|purge`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app import demo
from app.extensions import db

demo_cli = AppGroup("demo", help="デモデータ（架空の市）の投入と削除")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="利用者が1人もいないときだけ投入する")
@click.option("--show-tokens", is_flag=True, help="端末トークンを表示する（投入時のこの一度だけ）")
def demo_load(if_empty: bool, show_tokens: bool) -> None:
    """Load the fictional city's demo data.

    The terminals' agent tokens are secrets kept only as hashes: printed only when asked
    (issue 14 §4), and then this once; `make run` needs none (its simulated agents get fresh
    ones at start), and the 端末 page issues a new one at any time."""
    if not demo.is_empty():
        if if_empty:
            click.echo("デモデータは投入済みです（データベースが空ではありません）。")
            return
        raise click.ClickException("データベースが空ではありません。デモデータは空のデータベースにだけ投入できます。")
    tokens = demo.load()
    db.session.commit()
    click.echo("デモデータを投入しました：架空の市「山彦市」。")
    click.echo(f"デモ用アカウント（本番運用前に `flask demo purge` で無効化してください）："
               f"{', '.join(u for u, *_ in demo.DEMO_USERS)} / パスワード {demo.DEMO_PASSWORD}")
    if not show_tokens:
        click.echo("端末トークンは表示していません（必要なら端末の画面で再発行できます）。")
        return
    click.echo("端末トークン（この一度だけ表示します）：")
    for code, token in tokens.items():
        click.echo(f"  {code}: {token}")


@demo_cli.command("purge")
def demo_purge() -> None:
    """Disable the demo accounts (their password is published)."""
    purged = demo.purge()
    db.session.commit()
    if purged:
        click.echo(f"デモ用アカウントを無効化しました：{', '.join(purged)}")
    else:
        click.echo("有効なデモ用アカウントはありません。")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
