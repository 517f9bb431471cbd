"""`flask reports monthly --month YYYY-MM --out FILE.pdf` on the demo data as `make run` loads it
(issue 20 "Shows"): exit 0, a PDF of two pages or more with its charts; and the day sheet."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.reports.conftest import load_demo


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_monthly_report_on_the_demo_data(app, db_session, tmp_path: Path) -> None:
    month = load_demo(app)
    out, annex = tmp_path / "report.pdf", tmp_path / "annex.csv"
    result = app.test_cli_runner().invoke(args=["reports", "monthly", "--month", f"{month:%Y-%m}", "--out", str(out),
                                                "--csv", str(annex)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and _pages(out) >= 2
    text = _text(out)
    assert f"業務報告書（令和{month.year - 2018}年{month.month}月分）" in text
    for chart_title in ("業務別の発券数", "時間帯別の発券数", "手続別の案件数", "種類別の交付通数", "手数料別の収納額",
                        "支払方法別の収納額"):
        assert chart_title in text, chart_title
    assert "不一致・未了0日" in text and text.count("不一致") == 1 and "日計との照合" in text
    tickets = int(result.output.split("発券")[1].split("枚")[0].replace(",", ""))
    assert tickets > 300 and f"{tickets:,}枚" in text
    lines = annex.read_text(encoding="utf-8").splitlines()
    assert lines[0].lstrip("\ufeff").startswith("対象月,区分,表") and any(",日計との照合," in line for line in lines)
    # the unattended command is in the audit log, as every export is
    from app.auth.models import AuditEntry
    assert db_session.query(AuditEntry).filter_by(object_type="reports_monthly").count() == 1


def test_monthly_refuses_a_month_it_cannot_read(app, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["reports", "monthly", "--month", "2026/13", "--out",
                                                str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "YYYY-MM" in result.output and not (tmp_path / "x.pdf").exists()
