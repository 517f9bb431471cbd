"""The cashier's pages through the test client: the screen, paying (once, even when the form is
sent twice), reprints, a void approved by a supervisor, the close and its PDF, the fee schedule."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.devices.models import DeviceJob
from app.extensions import db
from app.register.models import Bill, DailyClose, Fee, Payment
from tests.conftest import PASSWORD


def key_in(html: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', html)[1]


def switch_user(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_cashier_pays_a_bill_once_even_if_the_form_is_sent_twice(client, login_as, make_bill, register) -> None:
    bill = make_bill(("resident_record_copy", 2), ("tax_certificate", 1, True), ticket="C-021")
    login_as("operator")
    page = client.get("/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "C-021" in html and "住民票の写し×2" in html and "税証明×1（公用）" in html
    html = client.get(f"/register?bill={bill.id}").get_data(as_text=True)
    assert 'id="bill-total">600円' in html
    form = {"method": "cash", "received": "1000", "reference": "", "idempotency_key": key_in(html)}
    first = client.post(f"/register/bills/{bill.id}/pay", data=form)
    second = client.post(f"/register/bills/{bill.id}/pay", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceJob)) == 1  # one receipt printed
    done = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'id="change">400円' in done and "二重の送信" in done


def test_after_paying_one_bill_the_same_numbers_other_bills_are_pointed_out(
        client, login_as, make_bill, register) -> None:
    first = make_bill(("resident_record_copy", 1), ticket="A-031")
    second = make_bill(("tax_certificate", 2), ticket="A-031")
    make_bill(("family_register_copy", 1), ticket="A-032")
    login_as("operator")
    html = client.get(f"/register?bill={first.id}").get_data(as_text=True)
    form = {"method": "cash", "received": "300", "reference": "", "idempotency_key": key_in(html)}
    done = client.get(client.post(f"/register/bills/{first.id}/pay", data=form).headers["Location"])
    notice = done.get_data(as_text=True)
    assert "番号札 A-031 の方には未収の請求があと1件あります" in notice
    assert f"/register?bill={second.id}" in notice and "税証明×2の会計へ" in notice


def test_only_a_supervisor_cancels_an_unpaid_bill_and_says_why(client, login_as, make_bill, register) -> None:
    bill = make_bill(("resident_record_copy", 1), ticket="A-041")
    login_as("operator")
    assert "請求の取消は統括責任者が行います" in client.get(f"/register?bill={bill.id}").get_data(as_text=True)
    assert client.post(f"/register/bills/{bill.id}/cancel", data={"cancel_reason": "帰宅"}).status_code == 403
    client.post("/logout")
    login_as("supervisor")
    empty = client.post(f"/register/bills/{bill.id}/cancel", data={"cancel_reason": ""})
    assert empty.status_code == 422 and "請求取消の理由を入力してください" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).state == "open"
    done = client.post(f"/register/bills/{bill.id}/cancel", data={"cancel_reason": "会計前に帰られた"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).state == "cancelled"
    assert "A-041の請求を取り消しました" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_too_little_cash_is_shown_on_the_form(client, login_as, make_bill, register) -> None:
    bill = make_bill(("family_register_copy", 1))
    login_as("operator")
    key = key_in(client.get(f"/register?bill={bill.id}").get_data(as_text=True))
    response = client.post(f"/register/bills/{bill.id}/pay",
                           data={"method": "cash", "received": "400", "idempotency_key": key})
    assert response.status_code == 422
    assert "お預かり金額が不足しています" in response.get_data(as_text=True)
    assert db.session.get(Bill, bill.id).state == "open"


def test_the_open_bill_list_is_a_fragment_for_htmx(client, login_as, make_bill, register) -> None:
    make_bill(ticket="C-031")
    login_as("operator")
    response = client.get("/register", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "C-031" in html and "<html" not in html and "HX-Request" in response.headers["Vary"]


def test_reprint_void_with_approval_close_and_pdf(client, make_bill, register, staff) -> None:
    cashier, supervisor = staff("operator", "a", "会計 花子"), staff("supervisor", "b", "統括 一郎")
    first, second = make_bill(("seal_certificate", 1)), make_bill(("resident_record_copy", 1))
    switch_user(client, cashier)
    client.post("/register/float", data={"amount": "10000"})
    for bill in (first, second):
        key = key_in(client.get(f"/register?bill={bill.id}").get_data(as_text=True))
        form = {"method": "cash", "received": "300", "idempotency_key": key}
        assert client.post(f"/register/bills/{bill.id}/pay", data=form).status_code == 303
    paid = db.session.scalar(sa.select(Payment).where(Payment.bill_id == first.id))
    assert client.post(f"/register/payments/{paid.id}/reprint").status_code == 303
    jobs = db.session.scalars(sa.select(DeviceJob).order_by(DeviceJob.id)).all()
    assert jobs[-1].summary.startswith("領収書（再発行）")

    assert client.post(f"/register/payments/{paid.id}/void", data={"reason": ""}).status_code == 422
    response = client.post(f"/register/payments/{paid.id}/void", data={"reason": "申請取下げ", "reopen_bill": ""})
    assert response.status_code == 303
    assert client.post("/register/voids/1/approve").status_code == 403  # an operator cannot approve
    switch_user(client, supervisor)
    assert "申請取下げ" in client.get("/register/voids").get_data(as_text=True)
    assert client.post("/register/voids/1/approve").status_code == 303
    assert db.session.get(Bill, first.id).state == "cancelled"
    assert db.session.scalars(sa.select(DeviceJob).order_by(DeviceJob.id.desc())).first().summary.startswith("領収取消")
    voided = client.get(f"/register/payments/{paid.id}").get_data(as_text=True)
    assert "収納しました" not in voided and 'id="voided-heading">取消済' in voided

    switch_user(client, cashier)
    page = client.get("/register/close").get_data(as_text=True)
    assert 'id="expected-cash">10,300円' in page
    counts = {f"count_{d}": "0" for d in (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)}
    short = client.post("/register/close", data={**counts, "count_10000": "1", "next_float": "10000", "reason": ""})
    assert short.status_code == 422 and "過不足（-300円）" in short.get_data(as_text=True)
    closed = client.post("/register/close", data={**counts, "count_10000": "1", "count_100": "3",
                                                  "next_float": "10000", "reason": "", "confirmed": "1"})
    assert closed.status_code == 303
    close = db.session.scalar(sa.select(DailyClose))
    assert (close.expected_cash, close.counted_cash, close.difference) == (10300, 10300, 0)
    pdf = client.get(f"/register/closes/{close.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "10,300円" in client.get(closed.headers["Location"]).get_data(as_text=True)


def test_admin_adds_a_fee_version_and_operators_only_read(client, login_as, fees) -> None:
    login_as("operator")
    assert "住民票の写し" in client.get("/register/fees").get_data(as_text=True)
    assert client.post("/register/fees", data={}).status_code == 403
    client.post("/logout")
    login_as("admin")
    response = client.post("/register/fees", data={"code": "resident_record_copy", "label": "住民票の写し",
                                                   "unit": "通", "amount": "350", "effective_from": "2099-04-01"})
    assert response.status_code == 303
    versions = db.session.scalars(sa.select(Fee).where(Fee.code == "resident_record_copy")).all()
    assert [(v.amount, v.effective_from.isoformat()) for v in versions] == [(300, "2020-04-01"), (350, "2099-04-01")]
    refused = client.post("/register/fees", data={"code": "resident_record_copy", "label": "住民票の写し",
                                                  "unit": "通", "amount": "1", "effective_from": "2020-04-01"})
    assert refused.status_code == 422 and "既に適用中" in refused.get_data(as_text=True)
    backdated = client.post("/register/fees", data={"code": "seal_certificate", "label": "印鑑登録証明書",
                                                    "unit": "通", "amount": "1", "effective_from": "2021-04-01"})
    assert backdated.status_code == 422 and "翌日以降の日付" in backdated.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Fee).where(Fee.amount == 1)) == 0


def test_call_next_puts_the_waiting_number_on_the_cashier_queue_and_opens_its_bill(
        client, login_as, make_bill, register) -> None:
    from app.core.services import save_counter
    from app.queue import services as queue

    desk = save_counter(None, 1, "証明書", "citizens")
    category = queue.save_category(None, queue.CategoryInput(
        code="certificate", name="証明書", letter="A", counter_ids=(desk.id,), minutes_per_ticket=5, sort_order=1))
    ticket = queue.issue_ticket(category, check_hours=False)
    queue.call_next(desk)
    queue.send_to_cashier(ticket)
    bill = make_bill(("resident_record_copy", 1), ticket=ticket.label)
    login_as("operator")
    response = client.post("/register/call-next")
    assert response.status_code == 303 and f"bill={bill.id}" in response.headers["Location"]
    db.session.expire_all()
    assert ticket.state == "cashier_called"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{ticket.label}番の方を" in page
    nobody = client.get(client.post("/register/call-next").headers["Location"]).get_data(as_text=True)
    assert "会計待ちの番号札はありません。" in nobody and "番号札のない請求" not in nobody
    make_bill(("resident_record_copy", 1))  # a visitor who came without a number
    nobody = client.get(client.post("/register/call-next").headers["Location"]).get_data(as_text=True)
    assert "番号札のない請求は、一覧の「会計する」から選んでください。" in nobody


def test_cash_received_in_full_width_digits_is_taken(client, login_as, make_bill, register) -> None:
    # issue 15 §5: amount fields refused full-width digits (寄附受付 took them).
    bill = make_bill(("resident_record_copy", 2), ticket="C-022")
    login_as("operator")
    html = client.get(f"/register?bill={bill.id}").get_data(as_text=True)
    assert 'name="received" type="text"' in html and 'inputmode="numeric"' in html
    form = {"method": "cash", "received": "１，０００円", "reference": "", "idempotency_key": key_in(html)}
    paid = client.post(f"/register/bills/{bill.id}/pay", data=form)
    assert paid.status_code == 303
    assert 'id="change">400円' in client.get(paid.headers["Location"]).get_data(as_text=True)


COUNTS = {f"count_{d}": "0" for d in (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)}


def test_closing_shows_what_is_open_and_asks_to_confirm_then_calls_stop(client, login_as, make_bill,
                                                                        register) -> None:
    paid_bill = make_bill(("seal_certificate", 1))
    make_bill(("resident_record_copy", 1), ticket="C-007")
    login_as("operator")
    key = key_in(client.get(f"/register?bill={paid_bill.id}").get_data(as_text=True))
    client.post(f"/register/bills/{paid_bill.id}/pay", data={"method": "cash", "received": "300",
                                                             "idempotency_key": key})
    data = {**COUNTS, "count_100": "3", "next_float": "0", "reason": ""}
    asked = client.post("/register/close", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="close-still-open"' in html
    assert "未収の請求（会計待ち）：1件" in html and "C-007" in html and "確認して日計を締める" in html
    assert db.session.scalar(sa.select(DailyClose)) is None  # nothing closed before the confirmation
    assert client.post("/register/close", data={**data, "confirmed": "1"}).status_code == 303
    assert db.session.scalar(sa.select(DailyClose)) is not None
    called = client.post("/register/call-next", follow_redirects=True).get_data(as_text=True)
    assert "本日の日計は締め済みです。会計の呼出はできません" in called
    assert "C-007番の方を" not in called


def test_the_queue_s_cashier_calls_stop_too_once_the_register_s_day_is_closed(client, login_as, make_bill,
                                                                             register) -> None:
    # issue 15 §2: 会計呼出 (/queue/cashier) still called numbers to a register whose day was closed.
    from app.queue import services as queue
    from app.queue.models import Ticket, TicketState
    from tests.queue.conftest import make_office

    office = make_office()
    paid_bill = make_bill(("seal_certificate", 1))
    login_as("operator")
    key = key_in(client.get(f"/register?bill={paid_bill.id}").get_data(as_text=True))
    client.post(f"/register/bills/{paid_bill.id}/pay", data={"method": "cash", "received": "300",
                                                             "idempotency_key": key})
    client.post("/register/close", data={**COUNTS, "count_100": "3", "next_float": "0", "confirmed": "1"})
    ticket = queue.issue_ticket(office.a, check_hours=False)
    queue.call_next(office.counters[1])
    queue.send_to_cashier(ticket)
    db.session.commit()
    for url in ("/queue/cashier/call-next", f"/queue/tickets/{ticket.id}/cashier-call"):
        refused = client.post(url, follow_redirects=True).get_data(as_text=True)
        assert f"{register.name}の本日の日計は締め済みです。会計の呼出はできません。" in refused
    assert db.session.get_one(Ticket, ticket.id, populate_existing=True).state == TicketState.cashier_waiting


def test_a_new_office_day_starts_clean_and_shows_what_was_left_as_earlier(client, login_as, make_bill,
                                                                          register) -> None:
    # issue 15 §2: yesterday's open tickets stayed in today's cashier list and could be called.
    from datetime import timedelta

    from app.core.dates import now
    from app.queue import services as queue
    from app.queue.models import Ticket, TicketState
    from tests.queue.conftest import make_office

    office = make_office()
    left = make_bill(("resident_record_copy", 1), ticket="A-031")
    left.opened_at = now() - timedelta(days=1)
    make_bill(("seal_certificate", 1), ticket="A-002")
    ticket = queue.issue_ticket(office.a, check_hours=False)
    queue.call_next(office.counters[1])
    queue.send_to_cashier(ticket)
    ticket.office_day = ticket.office_day - timedelta(days=1)
    db.session.commit()
    login_as("operator")
    html = client.get("/register").get_data(as_text=True)
    today_list, earlier = html.split('id="earlier-bills"')
    assert "A-002" in today_list and "A-031" not in today_list
    assert "前日以前の未収（1件）" in earlier and "A-031" in earlier
    assert ticket.label not in client.get("/queue/cashier").get_data(as_text=True)
    assert client.post(f"/queue/tickets/{ticket.id}/cashier-call").status_code == 404
    day = ticket.office_day
    with pytest.raises(queue.QueueError, match=f"{ticket.label}は{day.month}月{day.day}日の番号札のため会計に呼び出す"):
        queue.call_cashier_ticket(ticket)
    assert db.session.get_one(Ticket, ticket.id, populate_existing=True).state == TicketState.cashier_waiting


def test_the_payment_form_takes_an_optional_addressee(client, login_as, make_bill, register) -> None:
    # issue 15 §2: the receipt shows the 宛名 when the visitor gives one.
    bill = make_bill(("resident_record_copy", 1))
    login_as("operator")
    html = client.get(f"/register?bill={bill.id}").get_data(as_text=True)
    assert "宛名（任意" in html
    form = {"method": "cash", "received": "300", "addressee": "山彦 花子", "idempotency_key": key_in(html)}
    paid = client.post(f"/register/bills/{bill.id}/pay", data=form)
    assert paid.status_code == 303
    assert db.session.scalar(sa.select(Payment)).addressee == "山彦 花子"
    assert 'id="addressee">山彦 花子 様' in client.get(paid.headers["Location"]).get_data(as_text=True)
    job = db.session.scalar(sa.select(DeviceJob))
    assert "山彦 花子 様" in str(job.payload["document"])
