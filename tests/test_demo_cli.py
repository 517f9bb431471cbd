"""`flask demo load` prints the terminals' agent tokens only when asked, and then once (issue 14 §4:
every token was printed on every `make run` console)."""

from __future__ import annotations

from sqlalchemy import select

from app.devices.models import Terminal
from app.devices.services import terminal_for_token


def _load(app, *flags: str) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty", *flags])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_prints_no_token_unless_asked(app, db_session) -> None:
    output = _load(app)
    assert "山彦市" in output and "端末トークンは表示していません" in output
    assert db_session.scalars(select(Terminal)).all()
    assert [word for word in output.split() if terminal_for_token(word.rstrip("。")) is not None] == []


def test_demo_load_shows_each_token_once_when_asked(app, db_session) -> None:
    output = _load(app, "--show-tokens")
    printed = dict(line.strip().split(": ") for line in output.splitlines() if line.startswith("  "))
    codes = set(db_session.scalars(select(Terminal.code)))
    assert set(printed) == codes
    for code, token in printed.items():
        assert terminal_for_token(token).code == code
        assert output.count(token) == 1
    assert "端末トークン" not in _load(app, "--show-tokens")  # loaded already: nothing shown again
