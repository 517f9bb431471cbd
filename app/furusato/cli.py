"""`flask furusato import --portal CODE FILE`: the nightly import (004 §7(2)エ).

It prints one JSON summary on stdout (created, updated, unchanged, errors with row, field and
reason) and exits 0 when the file was applied, 1 when nothing was applied (errors, unreadable
file, a crash), 2 when the command itself was wrong (unknown portal, missing file). It runs
the same steps as the background import, in this process; `flask furusato resume BATCH`
goes on with a batch that a crash left unfinished.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import audit
from app.extensions import db
from app.furusato import certificate_batches, certificates, imports, services
from app.furusato.models import BATCH_IN_PROGRESS, BatchState, ImportBatch, Portal, PortalKind
from app.furusato.onestop.cli import one_stop_cli
from app.furusato.reports import services as reports
from app.furusato.reports.models import ReportState

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
    if portal is None or portal.kind != PortalKind.portal:
        codes = ", ".join(p.code for p in services.import_portals())
        click.echo(f"ポータル「{portal_code}」はありません（{codes}）。", err=True)
        sys.exit(2)
    if not path.is_file():
        click.echo(f"ファイル「{path}」がありません。", err=True)
        sys.exit(2)
    batch = imports.create_batch(portal, path.name, accept_good_rows=accept_good_rows,
                                 encoding=None if encoding == "auto" else encoding, source="cli", by=None)
    db.session.commit()
    _run(batch.id, path, portal_code)


@furusato_cli.command("resume")
@click.argument("batch_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
def resume_command(batch_id: int, path: Path | None) -> None:
    """Go on with a batch a crash left unfinished (the file is needed if it was not staged yet)."""
    portal_code = db.session.scalar(select(Portal.code).join(ImportBatch).where(ImportBatch.id == batch_id))
    if portal_code is None:
        click.echo(f"取込 #{batch_id} はありません。", err=True)
        sys.exit(2)
    db.session.rollback()
    _run(batch_id, path, portal_code)


def _run(batch_id: int, path: Path | None, portal_code: str) -> None:
    """Run the batch to its end and print its summary; exit 0 when the file was applied."""
    try:
        if path is None:
            batch = imports.run_batch(batch_id, None)
        else:
            with path.open("rb") as stream:
                batch = imports.run_batch(batch_id, stream, total=imports.count_lines(stream))
        audit.record("create", "furusato_import_batch", batch.id,
                     f"{batch.portal.name} {batch.filename} {imports.summary_text(batch)}", by=None, username="(cli)")
        result = imports.summary(batch)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        imports.abandon(batch_id, BatchState.failed, "取込中にエラーが発生したため、何も取り込んでいません。")
        status = db.session.scalar(select(ImportBatch.status).where(ImportBatch.id == batch_id))
        db.session.rollback()
        if status in BATCH_IN_PROGRESS:  # applying on SQLite: the applied steps stay, and it can go on
            reason = (f"反映の途中でエラーが発生しました：{exc!r}。flask furusato resume {batch_id} で続きから"
                      "再開してください（二重には取り込みません）。")
        else:
            reason = f"取込中にエラーが発生し、何も取り込んでいません：{exc!r}"
        result = {"batch": batch_id, "portal": portal_code, "file": path.name if path else "", "status": status,
                  "applied": False, "created": 0, "updated": 0, "unchanged": 0,
                  "errors": [{"row": 0, "field": "", "reason": reason}]}
        click.echo(json.dumps(result, ensure_ascii=False))
        sys.exit(1)
    click.echo(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["applied"] else 1)


certificates_cli = AppGroup("certificates", help="寄附金受領証明書")
furusato_cli.add_command(certificates_cli)
furusato_cli.add_command(one_stop_cli)


@certificates_cli.command("due")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="基準日（既定は今日）")
def certificates_due_command(today: datetime | None) -> None:
    """One JSON line per paid donation whose certificate is not yet posted (004 §7(4)ア)."""
    day = today.date() if today else date.today()
    shown = 0
    for line in certificates.all_due(day):
        d = line.donation
        click.echo(json.dumps({"donation": d.id, "name": d.name, "amount": d.amount,
                               "paid_on": d.paid_on.isoformat() if d.paid_on else None,
                               "due": line.due.isoformat(), "overdue": line.overdue}, ensure_ascii=False))
        shown += 1
    if shown:  # the donors' names went to stdout: a read of each (every read of personal data is audited)
        audit.record("read", "furusato_donation", "list", f"受領証明書の発送期限（CLI）：{shown}件",
                     by=None, username="(cli)")
        db.session.commit()


@certificates_cli.command("batch")
@click.option("--due-by", "due_by", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="この日までに発送期限が来るものを印刷する")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="印刷用PDFの出力先（宛名一覧CSVは拡張子を .csv にした名前で出力）")
@click.option("--portal", "portal", default="", help="ポータルのコード（既定はすべて）")
def certificates_batch_command(due_by: datetime, out: Path, portal: str) -> None:
    """Make a certificate batch here, by the same steps as the background batch; its summary
    as JSON on the last line (exit 1 when refused: nothing due, a wrong filter)."""
    try:
        batch = certificate_batches.run_here(certificate_batches.BatchInput(portal=portal, due_by=due_by.date()), out)
    except certificate_batches.BatchRefused as exc:
        db.session.rollback()
        click.echo(json.dumps({"batch": None, "error": exc.message}, ensure_ascii=False))
        sys.exit(1)
    click.echo(json.dumps({**certificate_batches.summary(batch), "pdf": str(out),
                           "csv": str(out.with_suffix(".csv"))}, ensure_ascii=False))


report_cli = AppGroup("report", help="業務報告書")
furusato_cli.add_command(report_cli)


@report_cli.command("monthly")
@click.option("--month", "month_text", required=True, help="対象の月（YYYY-MM）")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="PDFの出力先（CSVの別表は拡張子を .csv にした名前で出力）")
def report_monthly_command(month_text: str, out: Path) -> None:
    """Make a month's report here (the same steps as the background task) and write its PDF
    and CSV annex; a submitted or inspected report is written as it was submitted. Its summary
    as JSON (exit 1 when refused: not a finished month)."""
    month = reports.parse_month(month_text)
    report = reports.of_month(month) if month else None
    if report is None or report.state not in (ReportState.submitted, ReportState.inspected):
        try:
            report = reports.request(month, by=None, queue=False)
        except reports.ReportRefused as exc:
            db.session.rollback()
            click.echo(json.dumps({"report": None, "error": exc.message}, ensure_ascii=False))
            sys.exit(1)
        db.session.commit()
        report = reports.generate(report.id)
        db.session.commit()
    out.write_bytes(reports.file_of(report, ".pdf"))
    out.with_suffix(".csv").write_bytes(reports.file_of(report, ".csv"))
    click.echo(json.dumps({"report": report.id, "month": f"{report.month:%Y-%m}", "state": str(report.state),
                           "pages": report.pages, "pdf": str(out), "csv": str(out.with_suffix(".csv"))},
                          ensure_ascii=False))


def init_app(app: Flask) -> None:
    from app.furusato.shipping.cli import shipping_cli

    furusato_cli.add_command(shipping_cli)
    app.cli.add_command(furusato_cli)
