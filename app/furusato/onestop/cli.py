"""`flask furusato one-stop …`: the eLTAX files without the browser (issue 17 §4), the online
service's file (§7(11)オ, online.py), the key rotation of the number vault (issue 17 §3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.furusato.onestop import applications, eltax, vault
from app.furusato.onestop.layout import LayoutError
from app.furusato.onestop.models import MatchState, OneStopApplication, OneStopImage

one_stop_cli = AppGroup("one-stop", help="ワンストップ特例：申告特例通知書データ、個人番号の暗号鍵")


@one_stop_cli.command("eltax")
@click.option("--year", type=int, required=True, help="寄附の年（申告特例対象年）")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="出力先のフォルダ（市区町村ごとのファイルと送付一覧PDF）")
@click.option("--layout", "layout_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="レイアウト定義（YAML、既定は app/furusato/onestop/layouts/eltax_default.yaml）")
def eltax_command(year: int, out: Path, layout_path: Path | None) -> None:
    """One JSON line per home municipality: code, name, rows, total, correction, files."""
    try:
        summaries = eltax.build(year, out, by=None, layout_path=layout_path)
    except LayoutError as refused:
        db.session.rollback()
        click.echo(json.dumps({"error": refused.message, "problems": [p.message for p in refused.problems]},
                              ensure_ascii=False))
        sys.exit(1)
    db.session.commit()
    for summary in summaries:
        click.echo(json.dumps(eltax.as_json(summary), ensure_ascii=False))
    if not summaries:
        click.echo(json.dumps({"year": year, "municipalities": 0, "message": "受理済みの申請がありません"},
                              ensure_ascii=False))


@one_stop_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt every number and image with the newest key (the first of the setting)."""
    apps = list(db.session.scalars(select(OneStopApplication).where(OneStopApplication.number_cipher.is_not(None))))
    for a, token in zip(apps, vault.rotate([a.number_cipher for a in apps if a.number_cipher]), strict=True):
        a.number_cipher = token
    images = list(db.session.scalars(select(OneStopImage).where(OneStopImage.cipher.is_not(None))))
    for i, token in zip(images, vault.rotate([i.cipher for i in images if i.cipher]), strict=True):
        i.cipher = token
    db.session.commit()
    click.echo(json.dumps({"numbers": len(apps), "images": len(images)}))


@one_stop_cli.command("import-online")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="取込設定（YAML、既定は app/furusato/onestop/profiles/online.yaml）")
def import_online_command(file: Path, profile_path: Path | None) -> None:
    """An online-application service's file (004 §7(11)オ); every problem by row, or the count."""
    from app.furusato.onestop import online

    try:
        made = online.import_file(file.read_bytes(), by=None, profile_path=profile_path)
    except applications.OneStopError as refused:
        db.session.rollback()
        click.echo(json.dumps({"error": refused.message, "problems": [p.message for p in refused.problems]},
                              ensure_ascii=False))
        sys.exit(1)
    db.session.commit()
    click.echo(json.dumps({"received": len(made), "matched": sum(a.match == MatchState.matched for a in made)},
                          ensure_ascii=False))
