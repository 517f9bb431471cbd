"""Reopening a closed register day (issue 15 §2): only a supervisor, with a reason, audited;
payments and calls work again; a re-close is a new close, and the 日計表 shows the sequence."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import AuditEntry
from app.core import services as core_services
from app.demo import DEMO_CITY
from app.extensions import db
from app.register import reopening, services
from app.register.append_only import AppendOnlyError
from app.register.models import DailyClose, RegisterDay, RegisterReopening
from app.register.pdf import close_pdf
from app.register.services import RegisterError
from tests.register.test_views import COUNTS, key_in, switch_user
from tests.register.test_voids_and_close import count_for, pay


def closed_once(make_bill, register, cashier, at=None):
    payment = pay(make_bill(("resident_record_copy", 1)), register, cashier, received=300, at=at)
    close = services.close_day(payment.day, services.DrawerCount(count_for(300), 0, ""), cashier)
    db.session.commit()
    return close


def test_a_supervisor_reopens_a_closed_day_and_payments_and_calls_work_again(make_bill, register, cashier,
                                                                            staff) -> None:
    first = closed_once(make_bill, register, cashier)
    day = first.day
    with pytest.raises(RegisterError, match="締め済み"):
        pay(make_bill(), register, cashier, received=300)
    assert services.closed_for_calls(register.name) == register.name
    with pytest.raises(RegisterError, match="統括責任者"):
        reopening.reopen_day(day, "締め忘れの収納", cashier)
    supervisor = staff("supervisor", display_name="統括 一郎")
    with pytest.raises(RegisterError) as refused:
        reopening.reopen_day(day, "  ", supervisor)
    assert refused.value.field == "reason"
    assert db.session.get_one(RegisterDay, day.id, populate_existing=True).closed  # a refusal changed nothing

    reopened = reopening.reopen_day(day, "10:06の締めの後に来庁者4名の会計", supervisor)
    db.session.commit()
    assert not day.closed and reopened.undone.id == first.id
    assert services.closed_for_calls(register.name) is None
    later = pay(make_bill(("seal_certificate", 1)), register, cashier, received=300)
    assert later.day.id == day.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "register_day",
                                                          AuditEntry.detail.contains("日計を再開")))
    assert entry is not None and entry.user_id == supervisor.id and "来庁者4名" in entry.detail

    second = services.close_day(day, services.DrawerCount(count_for(600), 0, ""), cashier)
    db.session.commit()
    assert second.id != first.id and second.expected_cash == 600
    assert [c.id for c in day.closes] == [first.id, second.id] and day.close.id == second.id
    assert db.session.get(DailyClose, first.id) is not None  # the first close is kept
    assert [e.what for e in reopening.day_history(day)] == ["日計", "再開", "日計"]
    assert reopening.superseded(first) and not reopening.superseded(second)
    assert not reopening.may_reopen(first, supervisor) and reopening.may_reopen(second, supervisor)


def test_a_day_the_register_has_moved_past_cannot_be_reopened(make_bill, register, cashier, staff) -> None:
    monday = closed_once(make_bill, register, cashier, at=datetime(2026, 6, 1, 10, 0))
    pay(make_bill(), register, cashier, received=300, at=datetime(2026, 6, 2, 10, 0))
    with pytest.raises(RegisterError, match="2026-06-02の営業日が始まっているため"):
        reopening.reopen_day(monday.day, "収納漏れ", staff("supervisor"))


def test_a_reopening_is_never_edited(make_bill, register, cashier, staff) -> None:
    close = closed_once(make_bill, register, cashier)
    row = reopening.reopen_day(close.day, "収納漏れ", staff("supervisor"))
    db.session.commit()
    row.reason = "書き換え"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    # the database refuses it too, and still refuses edits of the closes (c4a9e2f1b7d3 recreated
    # daily_closes on SQLite)
    for statement in ("UPDATE register_reopenings SET reason = 'x'", "DELETE FROM register_reopenings",
                      "UPDATE daily_closes SET counted_cash = 0", "DELETE FROM daily_closes"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()


def test_the_close_pages_and_the_pdf_show_the_reopening(client, login_as, make_bill, register, staff,
                                                        tmp_path: Path) -> None:
    core_services.save_municipality(DEMO_CITY)
    bill = make_bill(("seal_certificate", 1))
    operator = login_as("operator")
    key = key_in(client.get(f"/register?bill={bill.id}").get_data(as_text=True))
    client.post(f"/register/bills/{bill.id}/pay", data={"method": "cash", "received": "300",
                                                       "idempotency_key": key})
    client.post("/register/close", data={**COUNTS, "count_100": "3", "next_float": "0", "confirmed": "1"})
    first = db.session.scalar(sa.select(DailyClose))
    assert f"/register/closes/{first.id}" in client.get("/register/close").get_data(as_text=True)
    assert "日計を再開する" not in client.get(f"/register/closes/{first.id}").get_data(as_text=True)
    assert client.post(f"/register/closes/{first.id}/reopen", data={"reason": "x"}).status_code == 403

    supervisor = staff("supervisor", display_name="統括 一郎")
    switch_user(client, supervisor)
    assert "日計を再開する" in client.get(f"/register/closes/{first.id}").get_data(as_text=True)
    refused = client.post(f"/register/closes/{first.id}/reopen", data={"reason": ""})
    assert refused.status_code == 422 and "再開の理由を入力してください" in refused.get_data(as_text=True)
    done = client.post(f"/register/closes/{first.id}/reopen", data={"reason": "閉庁間際の来庁者の会計"})
    assert done.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterReopening)) == 1

    switch_user(client, operator)
    bill = make_bill(("resident_record_copy", 1))
    key = key_in(client.get(f"/register?bill={bill.id}").get_data(as_text=True))
    assert client.post(f"/register/bills/{bill.id}/pay", data={"method": "cash", "received": "300",
                                                              "idempotency_key": key}).status_code == 303
    closed = client.post("/register/close", data={**COUNTS, "count_100": "6", "next_float": "0", "confirmed": "1"})
    assert closed.status_code == 303
    second = db.session.scalars(sa.select(DailyClose).order_by(DailyClose.id)).all()[-1]
    page = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert 'id="close-history"' in page and "閉庁間際の来庁者の会計" in page and "統括 一郎" in page
    old = client.get(f"/register/closes/{first.id}").get_data(as_text=True)
    assert 'id="close-superseded"' in old and f"/register/closes/{second.id}" in old
    assert "（再開により取消）" in client.get("/register/closes").get_data(as_text=True)

    pdf = client.get(f"/register/closes/{second.id}.pdf").data
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp_path / "close.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "close.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "日計の経過（締め・再開）" in text and "再開" in text and "閉庁間際の来庁者の会計" in text
    assert "統括 一郎" in text and "日計（本表）" in text
    assert close_pdf(first) != pdf
