"""`flask seal check FILE... --dpi N`: the automatic checks on existing scans (migrating a
city's seal images), one JSON line per file; `flask seal expire-inquiries` for a daily job."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.dates import today
from app.extensions import db
from app.seal import imaging, services

seal_cli = AppGroup("seal", help="印鑑登録：印影の自動チェックと照会期限の処理")


def check_file(path: Path, dpi: int) -> dict[str, object]:
    """{"file", "ok", "side_mm", "reasons"} for one image file; an unreadable file is a refusal
    with the reason, not a crash, so a batch of thousands runs to the end."""
    try:
        image = imaging.load_image(path.read_bytes())
    except (OSError, ValueError) as exc:
        return {"file": str(path), "ok": False, "side_mm": None, "reasons": [str(exc)]}
    result = imaging.check_impression(image, dpi)
    return {"file": str(path), "ok": result.ok,
            "side_mm": None if result.side_mm is None else round(result.side_mm, 2),
            "reasons": [r.message for r in result.reasons]}


@seal_cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dpi", type=click.IntRange(50, 4800), required=True,
              help="スキャナの設定解像度（画像ファイルの情報は使いません）")
def check(files: tuple[Path, ...], dpi: int) -> None:
    """Check seal images and print one JSON line per file."""
    for path in files:
        click.echo(json.dumps(check_file(path, dpi), ensure_ascii=False))


@seal_cli.command("expire-inquiries")
def expire_inquiries() -> None:
    """Close the inquiries whose reply deadline has passed."""
    expired = services.expire_overdue(today())
    db.session.commit()
    click.echo(f"回答期限切れで終了した申請：{len(expired)}件")


def init_app(app: Flask) -> None:
    app.cli.add_command(seal_cli)
