"""業務報告書 (004 §10(1), issue 19 §3): made on the 1st for exactly the previous month, its
sections, PDF (charts, at least two pages) and CSV annex, draft → submitted → inspected, and
`flask furusato report monthly`."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.core.dates import today
from app.extensions import db
from app.furusato.reports import services as reports
from app.furusato.reports.models import MonthlyReport, ReportState
from app.furusato.reports.sections import Scope, by_portal, summary
from tests.furusato.reporting_data import donation, donor


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found is not None
    return int(found[1])


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize(("day", "month"), [
    (date(2026, 11, 1), date(2026, 10, 1)), (date(2026, 1, 1), date(2025, 12, 1)),
    (date(2024, 3, 1), date(2024, 2, 1)), (date(2026, 12, 15), date(2026, 11, 1))])
def test_the_report_made_on_a_day_is_of_the_month_before(day: date, month: date) -> None:
    assert reports.due_month(day) == month
    scope = reports.month_scope(month)
    assert scope.start == month and scope.end == reports.next_month(month) and scope.days[-1].month == month.month


def _october(furusato: None) -> None:
    """October 2026: two donations inside, one on each side of it; the same donor gave in
    October 2025 (a repeat donor, and last year's same month)."""
    first, second = donor(), donor("山﨑 花子", "0190000002")
    donation(first, date(2025, 10, 15), 7_000, order="LY")
    donation(first, date(2026, 9, 30), 1_000, order="SEP30")
    donation(first, date(2026, 10, 1), 10_000, order="OCT01", gift="りんご", use="子育て")
    donation(second, date(2026, 10, 31), 30_000, order="OCT31", portal="furunavi", gift="牛肉", use="観光")
    donation(second, date(2026, 10, 20), 99_000, order="CANCEL", status="cancelled")
    donation(second, date(2026, 11, 1), 5_000, order="NOV01")
    db.session.commit()


def test_the_periodic_task_on_the_1st_reports_exactly_the_previous_month(app, furusato, tmp_path) -> None:
    _october(furusato)
    made = reports.make_previous_month(date(2026, 11, 1))
    assert made is not None
    db.session.commit()  # the unit tests' task queue runs the task right after the commit
    report = db.session.get(MonthlyReport, made.id, populate_existing=True)
    assert (report.month, report.state) == (date(2026, 10, 1), ReportState.draft)
    rows = list(csv.reader(io.StringIO(report.csv.decode("utf-8-sig"))))
    assert ["寄附件数（件）", "2", "1", "200.0%"] in rows  # 10/01 and 10/31; not 9/30, 11/01 nor the cancelled
    assert ["寄附金額（円）", "40000", "7000", "571.4%"] in rows
    assert ["うちリピーター（人）", "1", "", "50.0%（寄附者に占める割合）"] in rows
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf)
    assert report.pages == pdf_pages(path) >= 2
    text = pdf_text(path)
    assert "業務報告書（2026年10月）" in text and "ポータル別の寄附金額" in text
    assert reports.make_previous_month(date(2026, 11, 1)) is None  # made once


def test_sections_count_by_portal_and_the_same_days_last_year(app, furusato) -> None:
    _october(furusato)
    scope = Scope(date(2026, 10, 1), date(2026, 11, 1))
    rows = {r[0]: r[1:] for r in by_portal(scope).rows}
    assert rows["ふるさとチョイス"] == (1, 10_000, 7_000) and rows["ふるなび"] == (1, 30_000, 0)
    assert summary(scope).rows[0][1:3] == (2, 1)


def test_draft_submitted_inspected(app, furusato, make_user) -> None:
    _october(furusato)
    operator, supervisor, city = (make_user(r, f"r-{r}") for r in ("operator", "supervisor", "city_staff"))
    report = reports.request(date(2026, 10, 1), by=operator)
    db.session.commit()
    db.session.refresh(report)
    with pytest.raises(reports.ReportRefused):
        reports.submit(report, by=operator)
    reports.submit(report, by=supervisor)
    with pytest.raises(reports.ReportRefused) as refused:
        reports.inspect(report, False, "", by=city)
    assert refused.value.problems[0].field == "note"
    reports.inspect(report, False, "PR施策の費用対効果を追記してください", by=city)
    assert report.state is ReportState.draft
    reports.submit(report, by=supervisor)
    reports.inspect(report, True, "", by=city)
    assert report.state is ReportState.inspected
    with pytest.raises(reports.ReportRefused):
        reports.request(date(2026, 10, 1), by=operator)  # an inspected report is not made again


def test_only_a_finished_month_can_be_reported(app, furusato) -> None:
    with pytest.raises(reports.ReportRefused) as refused:
        reports.request(reports.first_of_month(date.today()), by=None)
    assert refused.value.problems[0].field == "month"


def test_the_command_writes_the_pdf_and_the_csv(app, furusato, tmp_path) -> None:
    _october(furusato)
    out = tmp_path / "report.pdf"
    command = ["furusato", "report", "monthly", "--month", "2026-10", "--out", str(out)]
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert line["month"] == "2026-10" and line["pages"] >= 2
    assert pdf_pages(out) == line["pages"] and out.with_suffix(".csv").read_bytes().startswith(b"\xef\xbb\xbf")
    bad = app.test_cli_runner().invoke(args=["furusato", "report", "monthly", "--month", "2026-13", "--out", str(out)])
    assert bad.exit_code == 1 and "2026-11" in bad.output


def test_the_command_on_the_demo_data_as_make_run_loads_it_draws_its_charts(app, tmp_path) -> None:
    """Issue 19's "Shows": `flask furusato report monthly` on a fresh `flask demo load --if-empty`,
    for the month before today (the demo's donations are dated from today)."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    month = f"{reports.previous_month(today()):%Y-%m}"
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["furusato", "report", "monthly", "--month", month, "--out", str(out)])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert line["month"] == month and line["pages"] >= 2 and pdf_pages(out) == line["pages"]
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True).stdout
    for chart_title in ("ポータル別の寄附金額", "日別の寄附件数", "返礼品別の寄附件数（上位）"):
        assert chart_title in text, chart_title
    donations = int(re.search(r"寄附件数（件）\s+([\d,]+)", text).group(1).replace(",", ""))
    assert donations > 100  # the demo's month, not an empty one


def test_the_report_pages_and_files_open_for_the_city(client, login_as, furusato) -> None:
    _october(furusato)
    report = reports.request(date(2026, 10, 1), by=None)
    db.session.commit()
    login_as("city_staff")
    page = client.get(f"/furusato/reports/{report.id}").get_data(as_text=True)
    assert 'data-report-state="draft"' in page and 'id="submit-form"' not in page
    pdf = client.get(f"/furusato/reports/{report.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/furusato/reports/{report.id}/annex.csv").data.startswith(b"\xef\xbb\xbf")
    analytics = client.get("/furusato/analytics?date_from=2026-10-01&date_to=2026-10-31&portal=furunavi")
    assert analytics.status_code == 200 and 'src="data:image/svg+xml;base64,' in analytics.get_data(as_text=True)
    assert client.get("/furusato/analytics?date_from=2026-10-31&date_to=2026-10-01").status_code == 422
