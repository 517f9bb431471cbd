"""`flask furusato shipping run --supplier all` then `b2 --run latest` on the demo data as
`flask demo load` loads it writes a non-empty B2クラウド file (issue 18 Shows)."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from app.furusato.shipping.models import LineState, ShipmentLine


def _cli(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def test_run_all_then_b2_latest_writes_the_demo_s_orders(app, db_session, tmp_path) -> None:
    loaded = _cli(app, "demo", "load", "--if-empty")
    assert loaded.exit_code == 0, loaded.output
    run = _cli(app, "furusato", "shipping", "run", "--supplier", "all")
    assert run.exit_code == 0, run.output
    runs = json.loads(run.output.strip().splitlines()[-1])["runs"]
    assert {r["supplier"] for r in runs} == {"S-APPLE", "S-MEAT", "S-CRAFT"}
    assert sum(r["lines"] for r in runs) > 0 and not any("refused" in r for r in runs)
    out = tmp_path / "b2.csv"
    b2 = _cli(app, "furusato", "shipping", "b2", "--run", "latest", "--out", str(out))
    assert b2.exit_code == 0, b2.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("cp932"), newline="")))
    assert rows[0][:3] == ["お客様管理番号", "送り状種別", "クール区分"] and len(rows) > 1
    assert out.read_bytes().count(b"\r\n") == len(rows)
    # Nothing for a donor in the city is ordered (the synthetic files carry some: 004 §7(6)キ).
    ordered = db_session.scalars(select(ShipmentLine).where(ShipmentLine.state == LineState.ordered)).all()
    assert ordered and all(line.blocked_reason == "" for line in ordered)
    blocked = db_session.scalar(select(func.count()).where(ShipmentLine.state == LineState.blocked))
    assert blocked and blocked > 0  # the demo has donors in the city: their lines are 送付不可
    # Chilled and frozen gifts and time bands are on the demo's orders.
    all_rows = []
    for r in runs:
        if r["run"]:
            target = tmp_path / f"b2-{r['run']}.csv"
            assert _cli(app, "furusato", "shipping", "b2", "--run", str(r["run"]), "--out", str(target)).exit_code == 0
            all_rows += list(csv.reader(io.StringIO(target.read_bytes().decode("cp932"), newline="")))[1:]
    assert {row[2] for row in all_rows} >= {"0", "1", "2"}
    assert {row[6] for row in all_rows} - {""}


def test_unknown_supplier_and_run_exit_2(app, db_session, tmp_path) -> None:
    assert _cli(app, "furusato", "shipping", "run", "--supplier", "NOPE").exit_code == 2
    assert _cli(app, "furusato", "shipping", "b2", "--run", "latest", "--out", str(tmp_path / "x.csv")).exit_code == 2
