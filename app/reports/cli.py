"""`flask reports monthly --month YYYY-MM --out FILE.pdf`: the counter's monthly report made
without the browser (the same sections and PDF as the task); `flask reports day-sheet`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth import audit
from app.auth.models import Programme
from app.extensions import db
from app.reports import manual, monthly

reports_cli = AppGroup("reports", help="窓口業務の報告書（業務報告書・日報）")


@reports_cli.command("monthly")
@click.option("--month", "month_text", required=True, help="対象月（YYYY-MM）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDFの出力先")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="CSV別表の出力先（任意）")
def monthly_command(month_text: str, out: Path, csv_out: Path | None) -> None:
    """Build the monthly 業務報告書 of a month into a PDF (nothing is stored or submitted)."""
    try:
        month = monthly.parse_month(month_text)
    except monthly.ReportRefused as exc:
        raise click.BadParameter(exc.message, param_hint="--month") from None
    built, annex, summary = monthly.build(month)
    out.write_bytes(built.data)
    if csv_out is not None:
        csv_out.write_text(annex, encoding="utf-8")
    audit.record("export", monthly.SUBJECT, f"{month:%Y-%m}", f"業務報告書（{month:%Y-%m}）をコマンドで出力",
                 by=None, username="(cli)", programme=Programme.counter)
    db.session.commit()
    queue = summary.get("queue", {})
    fees = summary.get("fees", {})
    click.echo(f"{out}：{built.pages}ページ（発券{queue.get('tickets', 0):,}枚、収納{fees.get('total', 0):,}円）")


@reports_cli.command("day-sheet")
@click.option("--day", "day_text", required=True, help="対象日（YYYY-MM-DD）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def day_sheet_command(day_text: str, out: Path) -> None:
    """Build the one-page 業務日報 of a day."""
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise click.BadParameter("対象日は YYYY-MM-DD の形で指定してください。", param_hint="--day") from None
    out.write_bytes(monthly.day_sheet(day, by=None))
    db.session.commit()
    click.echo(f"{out}：業務日報 {day.isoformat()}")


@reports_cli.command("manual")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def manual_command(out: Path) -> None:
    """Build the counter manual (業務マニュアル) from the procedure catalog."""
    out.write_bytes(manual.counter_manual())
    click.echo(f"{out}：業務マニュアル")


def init_app(app: Flask) -> None:
    app.cli.add_command(reports_cli)
