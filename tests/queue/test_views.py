"""The kiosk, the ticket status page, the counter and cashier pages, spoken to over HTTP."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.devices import services as device_services
from app.devices.models import DeviceJob
from app.extensions import db
from app.queue import services
from app.queue.models import Ticket
from hardware.printer.document import Document, QRCode, Text


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_kiosk_shows_each_category_with_waiting_and_estimate(client, office, issue) -> None:
    issue(office.a)
    issue(office.a)
    page = _text(client.get("/kiosk/kiosk-1"))
    assert "証明書" in page and "旅券" in page
    assert "お待ち <strong>2</strong>人・目安 約<strong>6</strong>分" in page  # 2 x 6 min / 2 counters


def test_unknown_or_non_kiosk_terminals_have_no_kiosk(client, office) -> None:
    device_services.create_terminal(device_services.NewTerminal("queue-display", "案内表示", "queue_display"))
    db.session.commit()
    assert client.get("/kiosk/nope").status_code == 404
    assert client.get("/kiosk/queue-display").status_code == 404


def test_kiosk_is_closed_outside_office_hours(client, office, clock) -> None:
    clock.at = datetime(2026, 4, 7, 18, 0)
    page = _text(client.get("/kiosk/kiosk-1"))
    assert "ただいま受付時間外です" in page
    assert "次の受付開始：令和8年4月8日（水） 8:30" in page
    response = client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id})
    assert response.status_code == 422
    assert "次の開庁は4月8日（水）8:30からです。" in _text(response)
    assert db.session.scalar(select(Ticket.id)) is None


def test_a_category_past_its_time_limit_says_so(client, office, clock) -> None:
    clock.at = datetime(2026, 4, 7, 16, 40)
    page = _text(client.get("/kiosk/kiosk-1"))
    assert "本日の受付は終了しました（16:30まで）。" in page
    assert client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.b.id}).status_code == 422


def test_kiosk_stops_a_category_whose_wait_passes_closing_time(client, office, issue, clock) -> None:
    # issue 15 §3: at 16:40 the kiosk issued tickets with a 50-minute estimate past 17:15
    clock.at = datetime(2026, 4, 7, 16, 30)
    for _ in range(10):
        issue(office.a)  # 10 waiting x 6 min / 2 counters = 30 minutes
    clock.at = datetime(2026, 4, 7, 16, 50)
    page = _text(client.get("/kiosk/kiosk-1"))
    message = ("待ち時間の目安（約30分）が本日の受付時間（17:15まで）を過ぎるため、本日の発券は終了しました。"
               "別の日にお越しください。次の開庁日：令和8年4月8日（水） 8:30〜17:15")
    assert message in page
    response = client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id})
    assert response.status_code == 422 and message in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 10
    clock.at = datetime(2026, 4, 7, 16, 40)  # 16:40 + 30 minutes is still before 17:15
    assert client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id}).status_code == 200


def test_kiosk_closed_text_gives_the_next_office_days_hours_from_the_calendar(client, office, clock) -> None:
    clock.at = datetime(2026, 4, 10, 18, 0)  # Friday evening: Monday opens until 19:00 (000 §5(2))
    page = _text(client.get("/kiosk/kiosk-1"))
    assert "開庁時間：令和8年4月13日（月） 8:30〜19:00（窓口延長）" in page
    assert "平日 8:30〜17:15" not in page


def test_kiosk_ticket_prints_through_a_device_job(client, office, issue) -> None:
    issue(office.a)
    response = client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id})
    assert response.status_code == 200
    page = _text(response)
    assert "A-002" in page and "番号札をお取りください" in page
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == 2))
    job = db.session.scalar(select(DeviceJob).where(DeviceJob.terminal_id == office.kiosk.id))
    assert (job.device, job.kind, job.summary) == ("printer", "print", "番号札 A-002 証明書")
    doc = Document.from_dict(job.payload["document"])
    lines = [e.text for e in doc.elements if isinstance(e, Text)]
    assert lines[:2] == ["山彦市役所", "市民課・国保年金課 窓口"]
    assert {"証明書", "A-002", "発券　令和8年4月7日 10:01", "お待ちの方　1人", "待ち時間の目安　約3分"} <= set(lines)
    assert ticket.code and not any(isinstance(e, QRCode) for e in doc.elements)  # no PUBLIC_URL: no QR code


def test_without_a_printer_the_kiosk_shows_the_number_to_note(client, office) -> None:
    device_services.save_binding(office.kiosk, device_services.BindingInput("printer", "printer", "sim://kiosk-1",
                                                                            active=False))
    db.session.commit()
    page = _text(client.post("/kiosk/kiosk-1/tickets", data={"category_id": office.a.id}))
    assert "A-001" in page and "番号札を印刷できませんでした" in page


def test_status_page_shows_position_then_the_counter(client, office, issue) -> None:
    issue(office.a)
    mine = issue(office.a)
    page = _text(client.get(f"/t/{mine.code}"))
    assert "A-002" in page and "あなたの前に 1人 お待ちです" in page
    services.call_next(office.counters[1])
    services.call_next(office.counters[2])
    db.session.commit()
    assert "呼び出されました：2番窓口" in _text(client.get(f"/t/{mine.code}"))
    fragment = _text(client.get(f"/t/{mine.code}", headers={"HX-Request": "true"}))
    assert "<html" not in fragment and "呼び出されました：2番窓口" in fragment
    assert client.get("/t/not-a-ticket").status_code == 404


def test_status_page_after_sending_to_the_cashier(client, office, issue) -> None:
    ticket = issue()
    services.call_next(office.counters[1])
    services.send_to_cashier(ticket)
    db.session.commit()
    assert "会計待ちです" in _text(client.get(f"/t/{ticket.code}"))
    services.call_next_cashier("会計窓口")
    db.session.commit()
    assert "呼び出されました：会計窓口" in _text(client.get(f"/t/{ticket.code}"))


def _choose(client, office, number: int = 1) -> None:
    response = client.post("/queue/counter/select", data={"counter_id": office.counters[number].id})
    assert response.status_code == 303


def test_operator_chooses_a_counter_then_calls(client, login_as, office, issue) -> None:
    login_as("operator")
    assert "この端末で使う窓口を選んでください" in _text(client.get("/queue/counter"))
    issue()
    _choose(client, office, 2)
    page = _text(client.get("/queue/counter"))
    assert "2番窓口" in page and "お待ちの番号札（1人）" in page
    response = client.post("/queue/counter/call-next")
    assert response.status_code == 303
    page = _text(client.get("/queue/counter"))
    assert "A-001を呼び出しました。" in page and 'id="current-label">A-001<' in page


def test_counter_actions_over_http(client, login_as, office, issue) -> None:
    login_as("operator")
    _choose(client, office)
    ticket = issue()
    other = issue()
    client.post("/queue/counter/call-next")
    client.post(f"/queue/tickets/{ticket.id}/recall")
    client.post(f"/queue/tickets/{ticket.id}/start")
    page = _text(client.get("/queue/counter"))
    assert "対応中" in page and "再呼出 1回" in page
    client.post(f"/queue/tickets/{ticket.id}/hold")
    client.post(f"/queue/tickets/{other.id}/call")
    client.post(f"/queue/tickets/{other.id}/transfer", data={"target": f"category:{office.b.id}"})
    client.post(f"/queue/tickets/{ticket.id}/resume")
    client.post(f"/queue/tickets/{ticket.id}/to-cashier")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "cashier_waiting"
    assert (db.session.get(Ticket, other.id).state, db.session.get(Ticket, other.id).category_id) == (
        "waiting", office.b.id)


def test_a_refused_action_changes_nothing(client, login_as, office, issue) -> None:
    login_as("operator")
    _choose(client, office)
    ticket = issue()
    client.post("/queue/counter/call-next")
    response = client.post(f"/queue/tickets/{ticket.id}/no-show", follow_redirects=True)
    assert "不在にする前に2回再呼出してください（現在0回）。" in _text(response)
    _choose(client, office, 2)
    response = client.post(f"/queue/tickets/{ticket.id}/finish", follow_redirects=True)
    assert "A-001はこの窓口の番号札ではありません。" in _text(response)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "called"


def test_staff_issue_with_priority_goes_first(client, login_as, office, issue) -> None:
    login_as("operator")
    _choose(client, office)
    issue()
    response = client.post("/queue/tickets", data={"issue-category_id": office.a.id, "issue-priority": "pregnant"},
                           follow_redirects=True)
    assert ("A-002（優先：妊娠中）を発券しました。この窓口にプリンタがないため、番号をお伝えください。"
            in _text(response))
    client.post("/queue/counter/call-next")
    assert db.session.scalar(select(Ticket).where(Ticket.state == "called")).label == "A-002"


def test_cashier_page_calls_and_finishes(client, login_as, office, issue) -> None:
    login_as("operator")
    ticket = issue()
    services.call_next(office.counters[1])
    services.send_to_cashier(ticket)
    db.session.commit()
    assert "会計待ち（1人）" in _text(client.get("/queue/cashier"))
    client.post("/queue/cashier/place", data={"place": "レジ2"})
    page = _text(client.post("/queue/cashier/call-next", follow_redirects=True))
    assert "A-001を会計に呼び出しました。" in page
    assert db.session.get(Ticket, ticket.id).cashier_place == "レジ2"
    client.post(f"/queue/tickets/{ticket.id}/cashier-finish")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "finished"


def test_displays_show_the_latest_calls(client, office, issue) -> None:
    issue()
    services.call_next(office.counters[1])
    db.session.commit()
    page = _text(client.get("/displays/queue"))
    assert 'data-speech="Aの1番の方、1番窓口へお越しください"' in page
    assert "お待ちの人数" in page and "本日の受付 8:30〜17:15" in page
    assert "会計にお呼びしている番号" in _text(client.get("/displays/cashier"))


def test_settings_and_categories_are_admin_editable(client, login_as, office) -> None:
    login_as("admin")
    response = client.post("/queue/admin/categories", data={
        "code": "reburial", "name": "改葬許可", "letter": "r", "counter_ids": [office.counters[3].id],
        "minutes_per_ticket": 10, "sort_order": 5, "active": "y"})
    assert response.status_code == 303
    created = services.category_by_code("reburial")
    assert (created.letter, [c.number for c in created.counters]) == ("R", [3])
    bad = client.post("/queue/admin/categories", data={"code": "x", "name": "X", "letter": "X",
                                                        "minutes_per_ticket": 10, "active": "y"})
    assert bad.status_code == 422 and "受け付ける窓口を1つ以上選んでください。" in _text(bad)
    client.post("/queue/admin/settings", data={"settings-recalls_before_no_show": 3,
                                               "settings-cashier_place": "会計レジ"})
    assert (services.settings().recalls_before_no_show, services.settings().cashier_place) == (3, "会計レジ")


def test_exports_are_audited(client, login_as, office, issue) -> None:
    login_as("supervisor")
    issue()
    response = client.get("/queue/dashboard/tickets.csv?day=2026-04-07")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and body.startswith("\ufeff日付,番号")
    assert "2026-04-07,A-001,証明書,証明書" in body
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export")).object_type == "queue_tickets"


def test_a_boosted_navigation_gets_the_whole_page_with_the_shared_head(client, login_as, office) -> None:
    """The live pages need the SSE extension and the queue's stylesheet, which every page's
    head loads (templates/base.html), so a boosted link swaps the page in without a reload."""
    login_as("supervisor")
    for path in ("/queue/dashboard?day=2026-04-07", "/queue/cashier", "/queue/counter"):
        boosted = client.get(path, headers={"HX-Request": "true", "HX-Boosted": "true"})
        html = boosted.get_data(as_text=True)
        assert boosted.status_code == 200 and "HX-Redirect" not in boosted.headers, path
        assert "<html" in html and "htmx-ext-sse.min.js" in html and "css/queue.css" in html, path
        assert "</div>\n</head>" not in html and "HX-Request" in boosted.headers["Vary"]
    fragment = client.get("/queue/dashboard", headers={"HX-Request": "true"})
    assert "HX-Redirect" not in fragment.headers and "<html" not in fragment.get_data(as_text=True)
