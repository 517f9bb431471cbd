"""`flask furusato shipping run --supplier CODE|all` (出荷依頼 without the browser),
`flask furusato shipping b2 --run ID|latest --out FILE.csv [--carrier CODE]` (the carrier's
import file, B2クラウド unless another profile is named) and `flask furusato shipping
pre-operation FILE.csv` (donations from before the start of operation, 004 §7(6)ク).
Each prints one JSON line; exit 1 when refused, 2 when the command itself was wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers, pre_operation, runs
from app.furusato.shipping.models import LineState, OrderRun

shipping_cli = AppGroup("shipping", help="返礼品の出荷依頼・配送業者データ")


@shipping_cli.command("run")
@click.option("--supplier", "supplier_code", required=True, help="事業者コード、または all（すべて）")
def run_command(supplier_code: str) -> None:
    """Order the open lines of one supplier or of all, here and now."""
    if supplier_code == "all":
        chosen = gifts.suppliers()
    else:
        supplier = gifts.supplier_by_code(supplier_code)
        if supplier is None:
            click.echo(f"事業者「{supplier_code}」はありません。", err=True)
            sys.exit(2)
        chosen = [supplier]
    outcomes = runs.run_suppliers(chosen, None)
    db.session.commit()
    result = [{"supplier": o.supplier.code, "run": o.run.id if o.run else None,
               "lines": o.run.line_count if o.run else 0, **({"refused": o.refused} if o.refused else {})}
              for o in outcomes]
    click.echo(json.dumps({"runs": result}, ensure_ascii=False))
    if outcomes and all(o.refused for o in outcomes):
        sys.exit(1)


@shipping_cli.command("b2")
@click.option("--run", "run_ref", required=True, help="出荷依頼の番号、または latest（最新）")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="B2クラウド取込用CSVの出力先")
@click.option("--carrier", "carrier", default=carriers.DEFAULT, show_default=True,
              type=click.Choice(list(carriers.PROFILES)), help="配送業者の形式")
def b2_command(run_ref: str, out: Path, carrier: str) -> None:
    """Write the B2クラウド (or another carrier's) import file of one order run."""
    run = runs.latest_run() if run_ref == "latest" else (
        db.session.get(OrderRun, int(run_ref)) if run_ref.isdigit() else None)
    if run is None:
        click.echo(f"出荷依頼「{run_ref}」はありません。", err=True)
        sys.exit(2)
    run_lines = runs.lines_of(run)
    try:
        data = carriers.export_carrier(run, run_lines, carriers.PROFILES[carrier], by=None, username="(cli)")
    except FurusatoError as exc:
        click.echo(json.dumps({"run": run.id, "error": "；".join(p.message for p in exc.problems)},
                              ensure_ascii=False))
        sys.exit(1)
    out.write_bytes(data)
    db.session.commit()
    click.echo(json.dumps({"run": run.id, "lines": len(run_lines), "out": str(out), "bytes": len(data)},
                          ensure_ascii=False))


@shipping_cli.command("pre-operation")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def pre_operation_command(path: Path) -> None:
    """Import the donations received before the start of operation as open shipment lines, the
    whole file or nothing (every problem printed, one a line)."""
    try:
        made = pre_operation.import_open_lines(path.read_bytes(), None)
    except FurusatoError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem.message, err=True)
        click.echo(json.dumps({"lines": 0, "problems": len(exc.problems)}, ensure_ascii=False))
        sys.exit(1)
    db.session.commit()
    blocked = sum(line.state == LineState.blocked for line in made)
    click.echo(json.dumps({"lines": len(made), "blocked": blocked}, ensure_ascii=False))
