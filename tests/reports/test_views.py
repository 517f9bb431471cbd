"""The monthly report's pages: the supervisor makes it (a task with its progress), writes the
改善を要する事項 and submits it; the city's staff inspect it; the periodic work makes last month's
draft once; the day sheet is one page."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import func, select

from app.reports import monthly
from app.reports.models import MonthlyReport, ReportState
from app.tasks.models import Task


def _pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_make_submit_and_inspect(demo_month, client, login_as, db_session, tmp_path) -> None:
    login_as("supervisor")
    refused = client.post("/reports/monthly", data={"month": "2999-01"})
    assert refused.status_code == 422 and "まだ始まっていない月" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(MonthlyReport)) == 0
    made = client.post("/reports/monthly", data={"month": f"{demo_month:%Y-%m}"})
    assert made.status_code == 303
    report = db_session.scalars(select(MonthlyReport)).one()
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'data-task-state="done"' in page and "PDFを開く" in page and "一致" in page
    pdf = client.get(f"/reports/monthly/{report.id}/report.pdf")
    assert pdf.mimetype == "application/pdf" and _pages(pdf.data, tmp_path) >= 2
    saved = client.post(f"/reports/monthly/{report.id}/remarks", data={"remarks": "繁忙日の午前に窓口を1つ増やす。"})
    assert saved.status_code == 303
    client.post(f"/reports/monthly/{report.id}/make")
    client.post(f"/reports/monthly/{report.id}/submit")
    db_session.expire_all()
    assert report.state is ReportState.submitted and "繁忙日の午前" in _pdf_text(report, tmp_path)
    again = client.post(f"/reports/monthly/{report.id}/make", follow_redirects=True)
    assert "作り直せません" in again.get_data(as_text=True)

    client.post("/logout")
    login_as("city_staff")
    assert client.post(f"/reports/monthly/{report.id}/submit").status_code == 403
    inspected = client.post(f"/reports/monthly/{report.id}/inspect", data={"note": "確認しました。"})
    assert inspected.status_code == 303
    db_session.expire_all()
    assert report.state is ReportState.inspected and report.inspection_note == "確認しました。"
    assert "検査済" in client.get(f"/reports/monthly/{report.id}").get_data(as_text=True)


def _pdf_text(report: MonthlyReport, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(report.pdf or b"")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_the_periodic_work_makes_last_month_s_draft_once(demo_month, db_session) -> None:
    monthly.make_last_month()
    db_session.commit()
    report = monthly.for_month(demo_month)
    assert report is not None and report.generated_at is not None and report.pages >= 2
    monthly.make_last_month()
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Task).where(Task.kind == monthly.KIND)) == 1


def test_the_day_sheet_is_one_page(demo_month, client, login_as, tmp_path) -> None:
    login_as("supervisor")
    busiest = demo_month.replace(day=2)
    while busiest.weekday() != 0:  # a Monday: the late day, the most tickets
        busiest = busiest.replace(day=busiest.day + 1)
    sheet = client.get(f"/reports/day-sheet.pdf?day={busiest.isoformat()}")
    assert sheet.status_code == 200 and _pages(sheet.data, tmp_path) == 1
