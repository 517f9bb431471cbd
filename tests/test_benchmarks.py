"""Every benchmark runs as the README shows it (`.venv/bin/python bench/X.py --quick`, from the
project root), so a broken benchmark fails the suite (issue 22). Figures are not judged here
(DESIGN: benchmarks print figures, tests never time anything): only that it runs to the end
and that its last line is JSON."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(".venv/bin/python")
BENCHMARKS = sorted(path.name for path in (ROOT / "bench").glob("*.py"))
# Each --quick promises under a minute on a machine of its own; in the suite it shares two cores
# with the other tests, so only ten times that is taken for a hang.
QUICK_SECONDS = 600

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("benchmarks"),  # one at a time: each starts servers and consumers of its own
    pytest.mark.skipif(ON_POSTGRES, reason="the benchmarks choose their own databases: they run once, in the "
                       "SQLite pass of the suite"),
]


def test_there_are_benchmarks() -> None:
    assert "queue_calls.py" in BENCHMARKS and "queue.py" not in BENCHMARKS  # no shadowing of the stdlib


@pytest.mark.parametrize("script", BENCHMARKS)
def test_quick_run_ends_with_json(script: str) -> None:
    assert (ROOT / PYTHON).exists(), "make install creates .venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TEST_DATABASE"))}
    done = subprocess.run([str(PYTHON), f"bench/{script}", "--quick"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=QUICK_SECONDS, check=False)
    tail = done.stderr[-3000:] or done.stdout[-3000:]
    assert done.returncode == 0, f"bench/{script} --quick exited {done.returncode}:\n{tail}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"bench/{script} --quick printed nothing"
    figures = json.loads(lines[-1])
    assert isinstance(figures, dict) and figures, lines[-1]
