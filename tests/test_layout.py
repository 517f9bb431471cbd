"""Guards of the code's layout (issue 13): the seams stay the only way, so new code follows them.

These read the source, not the running app: a view that queries, a second refusal base, a
module or a function that outgrew one idea fails here before review has to find it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 60


def _sources(folder: Path = APP) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_views_hold_no_sql_and_no_audit_call() -> None:
    """STYLE rule 1 and issue 13 §2: a view parses input, calls a service, renders."""
    found = [f"{_rel(p)}:{n}" for p in APP.rglob("views.py")
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"\bselect\(|\baudit\.record\(", line)]
    assert not found, f"SQL or audit calls in views: {found}"


def test_one_refusal_base() -> None:
    """STYLE rule 16: every refusal subclasses app.core.refusal.Refusal."""
    found = [f"{_rel(p)}:{n}" for p in _sources()
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.match(r"\s*class \w+\(ValueError\)", line) and p.name != "refusal.py"]
    assert not found, f"refusal classes outside the one base: {found}"


def test_no_module_over_700_lines() -> None:
    long = {_rel(p): n for p in _sources() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_60_lines() -> None:
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > MAX_FUNCTION_LINES:
                    long[f"{_rel(path)}:{node.lineno} {node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_nothing_reads_the_environment_outside_config() -> None:
    """STYLE rule 19: settings are read as settings().NAME, never from os.environ."""
    found = [f"{_rel(p)}:{n}" for p in _sources()
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"os\.environ|os\.getenv", line) and _rel(p) != "app/config.py"]
    assert not found, f"environment read outside app/config.py: {found}"
