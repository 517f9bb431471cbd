"""Display terminals (issue 15 §3): a display page that names its terminal pings while it is
open and the terminals page shows it as 接続中; a terminal set to start sound by itself never
shows 「音声案内を開始する」; the sound check page documents the kiosk-mode flag."""

from __future__ import annotations

from datetime import timedelta

from app.core.dates import now
from app.devices import services as device_services
from app.devices.models import Terminal
from app.extensions import db

UNLOCK = "音声案内を開始する"


def display(code: str = "display-1", kind: str = "queue_display", sound: bool = False) -> Terminal:
    terminal, _ = device_services.create_terminal(device_services.NewTerminal(code, f"表示 {code}", kind))
    terminal.sound = sound
    db.session.commit()
    return terminal


def connection_cell(html: str, code: str) -> str:
    start = html.index(f'data-terminal="{code}"')
    return html[start:html.index("</td>", start)]


def test_a_pinging_display_is_shown_as_connected(client, login_as) -> None:
    terminal = display()
    login_as("admin")
    assert "未接続" in connection_cell(client.get("/admin/terminals").get_data(as_text=True), "display-1")
    page = client.get("/displays/queue?terminal=display-1").get_data(as_text=True)
    assert 'id="display-ping"' in page and "/displays/queue/ping?terminal=display-1" in page
    assert client.post("/displays/queue/ping?terminal=display-1").status_code == 204
    cell = connection_cell(client.get("/admin/terminals").get_data(as_text=True), "display-1")
    assert "接続中" in cell and "未接続" not in cell
    terminal = db.session.get_one(Terminal, terminal.id, populate_existing=True)
    terminal.last_seen_at = now() - timedelta(minutes=10)
    db.session.commit()
    assert "未接続（最終" in connection_cell(client.get("/admin/terminals").get_data(as_text=True), "display-1")


def test_a_ping_must_name_a_display_of_that_board(client) -> None:
    display()
    assert client.post("/displays/cashier/ping?terminal=display-1").status_code == 404
    assert client.post("/displays/queue/ping?terminal=nothing").status_code == 404
    assert client.post("/displays/queue/ping").status_code == 404
    assert client.post("/displays/queue/ping?terminal=display-1", csrf=False).status_code == 400


def test_a_display_set_to_start_sound_never_offers_the_button(client) -> None:
    display("display-quiet")
    display("display-loud", sound=True)
    assert UNLOCK in client.get("/displays/queue").get_data(as_text=True)
    assert UNLOCK in client.get("/displays/queue?terminal=display-quiet").get_data(as_text=True)
    assert UNLOCK not in client.get("/displays/queue?terminal=display-loud").get_data(as_text=True)


def test_the_sound_setting_is_saved_for_displays_only(client, login_as) -> None:
    screen = display("display-2", kind="cashier_display")
    register, _ = device_services.create_terminal(device_services.NewTerminal("register-2", "レジ", "register"))
    db.session.commit()
    login_as("admin")
    edit = client.get(f"/admin/terminals/{screen.id}").get_data(as_text=True)
    assert "音声案内を自動で開始する" in edit and "/displays/cashier/check?terminal=display-2" in edit
    for terminal, kind in ((screen, "cashier_display"), (register, "register")):
        saved = client.post(f"/admin/terminals/{terminal.id}", data={
            "code": terminal.code, "name": terminal.name, "kind": kind, "counter_id": "", "handling_area_id": "",
            "active": "y", "sound": "y"})
        assert saved.status_code == 303
    assert db.session.get_one(Terminal, screen.id, populate_existing=True).sound
    assert not db.session.get_one(Terminal, register.id, populate_existing=True).sound


def test_the_check_page_documents_the_kiosk_flag(client) -> None:
    display("display-3", sound=True)
    page = client.get("/displays/queue/check?terminal=display-3").get_data(as_text=True)
    assert "--autoplay-policy=no-user-gesture-required" in page and 'id="autoplay-state"' in page
    assert "/displays/queue?terminal=display-3" in page and 'id="sound-setting">設定済み' in page


def test_the_device_pages_show_the_connection_too(client, login_as) -> None:
    terminal = display("display-4")
    client.post("/displays/queue/ping?terminal=display-4")
    login_as("operator")
    assert "接続中" in connection_cell(client.get("/devices").get_data(as_text=True), "display-4")
    assert "接続：<strong class=\"live-ok\">接続中" in client.get(f"/devices/terminals/{terminal.id}").get_data(
        as_text=True)
