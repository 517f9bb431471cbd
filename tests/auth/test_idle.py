"""The idle timeout counts a person's actions only (issue 14 §4 "Idle timeout"): the requests a
page sends by itself (polls, refreshes on a stream's event: X-Yakuba-Background, see
static/js/activity.js) and event streams do not keep an idle session alive."""

from __future__ import annotations

from datetime import timedelta

from app.auth.access import BACKGROUND_HEADER
from app.core.dates import now

POLL = {BACKGROUND_HEADER: "1", "HX-Request": "true"}


def _last_seen(client) -> str:
    with client.session_transaction() as session:
        return session["last_seen"]


def _idle_for(client, minutes: int) -> str:
    with client.session_transaction() as session:
        session["last_seen"] = (now() - timedelta(minutes=minutes)).isoformat()
        return session["last_seen"]


def test_a_poll_does_not_keep_the_session_alive(client, login_as) -> None:
    login_as("admin")
    idle_since = _idle_for(client, 20)
    assert client.get("/tasks/running?programme=furusato", headers=POLL).status_code == 200
    assert _last_seen(client) == idle_since
    _idle_for(client, 31)
    response = client.get("/tasks/running?programme=furusato", headers=POLL)
    assert response.status_code == 401 and "/login" in response.headers["HX-Redirect"]


def test_an_event_stream_does_not_keep_the_session_alive(client, login_as) -> None:
    login_as("operator")
    idle_since = _idle_for(client, 20)
    response = client.get("/register/bills/stream?since=0", headers={"Accept": "text/event-stream"},
                          buffered=False)
    assert response.mimetype == "text/event-stream"
    response.close()
    assert _last_seen(client) == idle_since


def test_a_persons_action_does(client, login_as) -> None:
    login_as("admin")
    idle_since = _idle_for(client, 20)
    assert client.get("/tasks/running?programme=furusato", headers={"HX-Request": "true"}).status_code == 200
    assert _last_seen(client) > idle_since
