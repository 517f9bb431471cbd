"""The donation office's home page (issue 15 §5): today's imports, suspects not resolved,
certificates due this week and overdue; the supervisor's export approvals."""

from __future__ import annotations

from datetime import date

from app.furusato.certificates import DueSummary, due_summary
from app.web import worklist
from tests.counter.test_home import _line
from tests.furusato.test_certificates import _waiting


def test_due_summary_counts_this_weeks_and_overdue_certificates(app, furusato) -> None:
    _waiting(furusato)  # A1 due 16 November, A2 due 4 December
    assert due_summary(date(2026, 12, 1)) == DueSummary(this_week=1, overdue=1)
    assert due_summary(date(2026, 11, 10)) == DueSummary(1, 0)  # A1 due on the 16th, A2 not yet paid
    assert due_summary(date(2026, 12, 5)) == DueSummary(0, 2)


def test_the_donation_office_home_page_is_its_work_list(client, login_as, furusato, monkeypatch) -> None:
    _waiting(furusato)
    monkeypatch.setattr(worklist, "today", lambda: date(2026, 12, 1))
    login_as("operator")
    body = client.get("/").get_data(as_text=True)
    assert _line(body, "受領証明書（今週が発送期限）") == ("/furusato/certificates/due", "1")
    assert _line(body, "受領証明書（発送期限超過）") == ("/furusato/certificates/due", "1")
    assert _line(body, "未解決の疑義データ")[0] == "/furusato/suspects"
    assert _line(body, "本日のポータル取込")[1] == "0"
    assert _line(body, "未照合の入金") == ("/furusato/transfers/open", "0")
    assert _line(body, "郵便物の戻り（確認待ち）") == ("/furusato/returns", "0")
    assert "窓口の呼出待ち" not in body and "差戻しされた案件" not in body  # the counter's, not this programme's
    assert "個人情報の出力申請（承認待ち）" not in body


def test_the_home_page_counts_todays_imports(client, login_as, run_file, portal_file, generator) -> None:
    run_file("choice", portal_file("choice", generator.donations(3)))
    login_as("operator")
    href, count = _line(client.get("/").get_data(as_text=True), "本日のポータル取込")
    assert (href, count) == ("/furusato/imports", "1")


def test_the_supervisor_sees_export_requests_to_approve(client, login_as, furusato) -> None:
    login_as("supervisor")
    assert _line(client.get("/").get_data(as_text=True), "個人情報の出力申請（承認待ち）")[1] == "0"
