"""The displays' Server-Sent Events: live calls, catch-up after a lost connection, refreshed
waiting counts."""

from __future__ import annotations

import re

from app.extensions import db
from app.queue import services, streams


def _events(chunks, until: str = "ready") -> list[tuple[str, str, str]]:
    """Read SSE messages (event, id, data) up to and including the named event."""
    found = []
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            message, buffer = buffer.split("\n\n", 1)
            fields = {"event": "", "id": "", "data": []}
            for line in message.splitlines():
                key, _, value = line.partition(": ")
                if key == "data":
                    fields["data"].append(value)
                elif key in ("event", "id"):
                    fields[key] = value
            if fields["event"]:
                found.append((fields["event"], fields["id"], "\n".join(fields["data"])))
                if fields["event"] == until:
                    return found
    raise AssertionError(f"stream ended before {until!r}: {found}")


def _call_ids(found) -> list[int]:
    return [int(re.search(r'data-call-id="(\d+)"', data).group(1)) for event, _, data in found if event == "call"]


def test_a_reconnecting_display_catches_up_from_the_database(client, office, issue) -> None:
    for _ in range(3):
        issue()
    first = services.call_next(office.counters[1])
    db.session.commit()
    seen = services.last_call_id("queue")
    services.call_next(office.counters[2])
    services.finish(first)
    services.call_next(office.counters[1])
    db.session.commit()
    missed = [c.id for c in services.calls_after("queue", seen)]
    response = client.get(f"/displays/queue/stream?since={seen}", buffered=False)
    assert response.mimetype == "text/event-stream"
    found = _events(response.response)
    response.close()
    assert set(missed) <= set(_call_ids(found))  # the missed calls, with some before for safety
    assert found[-1] == ("ready", str(max(missed)), "")
    assert [e for e, _, _ in found if e == "waiting"] == ["waiting"]


def test_last_event_id_wins_when_it_is_later(client, office, issue) -> None:
    issue()
    issue()
    services.call_next(office.counters[1])
    services.call_next(office.counters[2])
    db.session.commit()
    latest = services.last_call_id("queue")
    response = client.get("/displays/queue/stream?since=0", headers={"Last-Event-ID": str(latest)},
                          buffered=False)
    found = _events(response.response)
    response.close()
    assert found[-1] == ("ready", str(latest), "")


def test_a_stream_needs_to_know_where_the_display_stands(client, office) -> None:
    assert client.get("/displays/queue/stream").status_code == 400
    assert client.get("/displays/queue/stream?since=x").status_code == 400


def test_live_calls_and_waiting_updates(app, office, issue, clock) -> None:
    issue()
    issue()
    spec = streams.StreamSpec(board="queue", render_call=lambda d: f"<li data-call-id=\"{d['id']}\">{d['label']}</li>",
                              render_update=lambda: f"waiting={sum(services.waiting_counts().values())}")
    gen = streams.stream(spec, services.last_call_id("queue"))
    opening = _events(gen)
    assert [e for e, _, _ in opening] == ["waiting", "ready"]
    assert opening[0][2] == "waiting=2"
    services.call_next(office.counters[1])
    db.session.commit()
    live = _events(gen, until="call")
    assert live[-1][2].endswith(">A-001</li>")
    update = _events(gen, until="waiting")  # the change is sent within a second
    assert update[-1][2] == "waiting=1"
    gen.close()


def test_a_rolled_back_call_is_never_shown(app, office, issue) -> None:
    issue()
    spec = streams.StreamSpec(board="queue", render_call=lambda d: f"{d['label']} {d['place']}")
    gen = streams.stream(spec, 0)
    _events(gen)
    services.call_next(office.counters[1])
    db.session.rollback()
    services.call_next(office.counters[2])
    db.session.commit()
    found = _events(gen, until="call")
    assert [data for e, _, data in found if e == "call"] == ["A-001 2番窓口"]
    assert found[-1][1] == str(services.last_call_id("queue"))
    gen.close()


def test_since_from() -> None:
    assert streams.since_from(None, None) is None
    assert streams.since_from("9", None) is None
    assert streams.since_from(None, "4") == 4
    assert streams.since_from("9", "4") == 9
    assert streams.since_from("junk", "4") == 4


def test_a_long_absence_replays_the_latest_calls(app, office, issue) -> None:
    for _ in range(5):
        issue()
    for _ in range(5):
        services.call_next(office.counters[1], finish_current=True)
    db.session.commit()
    replay = services.calls_after("queue", 0, limit=3)
    assert [c.label for c in replay] == ["A-003", "A-004", "A-005"]
