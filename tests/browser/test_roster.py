"""The stored roster in the browser (000 §10 翌月勤務割当表): the supervisor makes next month's
roster from the proposal, takes a worker off a day (the day shows as a gap), is refused placing
an untrained newcomer without a pledge, places the worker on another counter, submits it and
opens its PDF."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core import calendar
from app.core import services as core_services
from app.core.dates import today
from app.extensions import db
from app.reports.due import next_month
from app.staff import register, training, uploads
from app.staff.demo import pledge_pdf

pytestmark = pytest.mark.browser


@pytest.fixture
def staffed(live_app, live_user) -> tuple[str, date, int]:
    """Two counters; a trained worker with a pledge and an untrained newcomer without one."""
    supervisor = live_user("supervisor")
    with live_app.app_context():
        from sqlalchemy import select

        from app.auth.models import User

        lead = db.session.scalar(select(User).where(User.username == supervisor))
        for number in (1, 2):
            core_services.save_counter(None, number, f"{number}番", "citizens", by=lead)
        start = today() - timedelta(days=60)
        worker = register.add_entry("counter", register.EntryInput("窓口 花子", "受付・交付", start), by=lead)
        newcomer = register.add_entry("counter", register.EntryInput("新人 三郎", "受付", start), by=lead).id
        register.record_pledge(worker, start, uploads.Upload("pledge.pdf", pledge_pdf(worker.name)), by=lead)
        training.record_training("counter", training.TrainingInput("個人情報保護研修", "特記事項の遵守事項", start,
                                                                   [worker.id]),
                                 uploads.Upload("training.pdf", pledge_pdf("研修資料")), by=lead)
        db.session.commit()
        month = next_month(today().replace(day=1))
        first = next(d for d in (month + timedelta(days=n) for n in range(31))
                     if calendar.office_hours(d) is not None)
    return supervisor, first, newcomer


def test_the_supervisor_edits_and_submits_next_months_roster(page, live_server, browser_login, staffed,
                                                             shots: Path) -> None:
    supervisor, first, newcomer = staffed
    browser_login(supervisor)
    page.locator("nav.side-nav").get_by_role("link", name="勤務割当表").click()
    page.get_by_text("この月の勤務割当表はまだ作成されていません。").wait_for()
    page.get_by_role("button", name="この案で勤務割当表を作成").click()
    page.get_by_text("勤務割当表を作成しました。").wait_for()
    page.get_by_role("button", name=f"{first.month}/{first.day} 1番窓口の窓口 花子を外す").click()
    page.get_by_text("配置を外しました。").wait_for()
    page.get_by_text(f"窓口に誰も配置されていない開庁日が1日あります：{first.month}/{first.day}").wait_for()

    form = page.locator("#roster-assign")
    form.get_by_label("日付").select_option(value=first.isoformat())
    staff = form.get_by_label("従事者")
    assert staff.locator("option").all_inner_texts() == ["選んでください", "窓口 花子"]  # only the qualified
    # a hand-made request for the newcomer is refused by the service's own check
    staff.evaluate("(s, id) => s.add(new Option('新人 三郎', String(id)))", newcomer)
    staff.select_option(label="新人 三郎")
    form.get_by_label("窓口").select_option(label="2番窓口")
    page.get_by_role("button", name="配置する").click()
    page.get_by_text("従事者：新人 三郎さんは配置できません（秘密保持の誓約書が未提出です、"
                     "研修が未受講です）。").wait_for()
    assert form.get_by_label("日付").input_value() == first.isoformat()  # what was chosen stays

    form = page.locator("#roster-assign")
    form.get_by_label("従事者").select_option(label="窓口 花子")
    form.get_by_label("窓口").select_option(label="2番窓口")
    page.get_by_role("button", name="配置する").click()
    page.get_by_text("配置しました。").wait_for()
    page.get_by_role("button", name=f"{first.month}/{first.day} 2番窓口の窓口 花子を外す").wait_for()
    page.screenshot(path=str(shots / "roster-edited.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="市へ提出").click()
    page.get_by_text("勤務割当表を市へ提出しました。").wait_for()
    page.get_by_text("状態：提出済").wait_for()
    assert page.locator("#roster-assign").count() == 0
    href = page.get_by_role("link", name="PDF（市への提出用）").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (shots / "roster.pdf").write_bytes(pdf.body())
