"""The demo as `make run` loads it has one-stop applications in every state, accepted ones among
them, so `flask furusato one-stop eltax --year YYYY` writes files on a fresh demo (issue 17 Shows)."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.core.dates import today
from app.furusato.onestop.models import ApplicationState, OneStopApplication


def test_a_fresh_demo_has_every_state_and_the_command_writes_files(app, db_session, tmp_path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    states = set(db_session.scalars(select(OneStopApplication.state)))
    assert states == set(ApplicationState)
    result = runner.invoke(args=["furusato", "one-stop", "eltax", "--year", str(today().year), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines and all((tmp_path / x["file"]).stat().st_size > 0 and (tmp_path / x["list"]).exists() for x in lines)
    # the data files carry the individual numbers in clear: only their owner reads them
    assert all((tmp_path / x[kind]).stat().st_mode & 0o077 == 0 for x in lines for kind in ("file", "list"))
    assert sum(x["rows"] for x in lines) == len([s for s in db_session.scalars(select(OneStopApplication.state))
                                                 if s == ApplicationState.accepted])
