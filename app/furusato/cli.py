"""`flask furusato import --portal CODE FILE`: the nightly import (004 §7(2)エ).

It prints one JSON summary on stdout (created, updated, unchanged, errors with row, field and
reason) and exits 0 when the file was applied, 1 when nothing was applied (errors, unreadable
file, a crash), 2 when the command itself was wrong (unknown portal, missing file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth import audit
from app.extensions import db
from app.furusato import imports, services

furusato_cli = AppGroup("furusato", help="ふるさと納税：ポータルデータの取込など")


@furusato_cli.command("import")
@click.option("--portal", "portal_code", required=True, help="ポータルのコード（choice, satofull, …）")
@click.option("--accept-good-rows", is_flag=True, help="誤りのある行を除き、正常な行だけを取り込む")
@click.option("--encoding", type=click.Choice(["auto", *imports.ENCODINGS]), default="auto",
              help="文字コード（既定は自動判別）")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def import_command(portal_code: str, accept_good_rows: bool, encoding: str, path: Path) -> None:
    """Import one portal file here and now, by the same steps as the background import."""
    portal = services.portal_by_code(portal_code)
    if portal is None or portal.kind != "portal":
        codes = ", ".join(p.code for p in services.import_portals())
        click.echo(f"ポータル「{portal_code}」はありません（{codes}）。", err=True)
        sys.exit(2)
    if not path.is_file():
        click.echo(f"ファイル「{path}」がありません。", err=True)
        sys.exit(2)
    batch = imports.create_batch(portal, path.name, accept_good_rows=accept_good_rows,
                                 encoding=None if encoding == "auto" else encoding, source="cli", username="(cli)")
    db.session.commit()
    try:
        with path.open("rb") as stream:
            batch = imports.run_batch(batch.id, stream, total=imports.count_lines(stream))
        audit.record("create", "furusato_import_batch", batch.id,
                     f"{portal.name} {path.name} {batch.status_label} 新規{batch.created} 更新{batch.updated}",
                     username="(cli)")
        result = imports.summary(batch)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        imports.abandon(batch.id, "failed", "取込中にエラーが発生したため、何も取り込んでいません。")
        result = {"portal": portal_code, "file": path.name, "status": "failed", "applied": False,
                  "created": 0, "updated": 0, "unchanged": 0,
                  "errors": [{"row": 0, "field": "",
                              "reason": f"取込中にエラーが発生し、何も取り込んでいません：{exc!r}"}]}
        click.echo(json.dumps(result, ensure_ascii=False))
        sys.exit(1)
    click.echo(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["applied"] else 1)


def init_app(app: Flask) -> None:
    app.cli.add_command(furusato_cli)
