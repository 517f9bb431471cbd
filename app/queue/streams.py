"""Server-Sent Events for the displays, kiosks and counter pages (DESIGN "Live updates").

A stream subscribes to the event publisher first and only then reads the database, so no call
falls between the catch-up and the live events. It never holds a transaction open while it
waits: every read ends its transaction at once (on SQLite a transaction holds the write lock).

Calls carry their board's sequence number (`Call.seq`), which follows commit order. The `id:`
field the browser remembers is the last number sent, and a reconnecting display sends it back
(Last-Event-ID, or `?since=` after a fresh EventSource): it gets every call numbered after it,
even one with a lower id that committed later (issue 12). Live events are sent in number order:
one already sent is dropped, and one that skips numbers (its predecessor's event is still on
its way, or was lost with a dropped LISTEN connection) makes the stream read the calls in
between from the database first.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, current_app, request, stream_with_context

from app.core import events
from app.extensions import db
from app.queue import services

HEARTBEAT_SECONDS = 15.0
REFRESH_SECONDS = 1.0
LIFETIME_SECONDS = 30 * 60


def sse(data: str, event: str | None = None, id_: int | None = None) -> str:
    lines = []
    if event:
        lines.append(f"event: {event}")
    if id_ is not None:
        lines.append(f"id: {id_}")
    lines.extend(f"data: {line}" for line in (data.splitlines() or [""]))
    return "\n".join(lines) + "\n\n"


@dataclass
class StreamSpec:
    """What a stream sends: calls of a board (rendered by `render_call`) and/or a refreshed
    fragment (`render_update`, sent as `update_event` on every change, at most once a second).
    The changes are the queue's and the board's calls, or the events of `channels` when given
    (the register page follows its bills); `board` also names the shared rendering."""

    board: str
    render_call: Callable[[dict[str, Any]], str] | None = None
    render_update: Callable[[], str] | None = None
    update_event: str = "waiting"
    channels: tuple[str, ...] = ()

    def listens_to(self) -> list[str]:
        return list(self.channels) or [services.CHANGED, services.calls_channel(self.board)]


def _read(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    finally:
        db.session.rollback()  # end the transaction: never hold it (or SQLite's lock) while waiting


class SharedRender:
    """One rendering of a board's update for all the streams of this process.

    A stream may take a rendering only if it began after the last change that stream was told
    of: the change was committed before it was announced, so such a rendering includes it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[float, str]] = {}

    def get(self, key: str, newer_than: float, render: Callable[[], str]) -> str:
        with self._lock:  # one reader at a time; the others then take its result
            latest = self._latest.get(key)
            if latest is not None and latest[0] > newer_than:
                return latest[1]
            began = time.monotonic()
            text = _read(render)
            self._latest[key] = (began, text)
            return text


_calls_lock = threading.Lock()
_calls_rendered: OrderedDict[tuple[int, int], str] = OrderedDict()


def rendered_call(data: dict[str, Any], render: Callable[[], str]) -> str:
    """A call's fragment, rendered once per process and app (every display shows the same)."""
    key = (id(current_app._get_current_object()), int(data["id"]))  # type: ignore[attr-defined]
    with _calls_lock:
        text = _calls_rendered.get(key)
    if text is None:
        text = render()
        with _calls_lock:
            _calls_rendered[key] = text
            while len(_calls_rendered) > 500:
                _calls_rendered.popitem(last=False)
    return text


def _shared() -> SharedRender:
    return current_app.extensions.setdefault("yakuba_queue_renders", SharedRender())


class OpenStreams:
    """How many streams this process is serving (a greenlet each under the stream server,
    wsgi_streams.py; a thread each under a threaded server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n


def open_streams(app: Any) -> int:
    return app.extensions.setdefault("yakuba_queue_streams", OpenStreams()).count


# -- the limit per client address ----------------------------------------------------------------
MOST_OPEN_PER_ADDRESS = 10
MOST_OPENED_PER_MINUTE = 120


ENDED = "queue:stream-ended"  # wakes a stream that must stop (never published)


@dataclass(eq=False)
class Slot:
    """One open stream of an address; `ended` is set when the stream must stop, and `wake`
    (set by the stream once it listens) interrupts its wait."""

    address: str
    ended: threading.Event = field(default_factory=threading.Event)
    wake: Callable[[], None] | None = None

    def end(self) -> None:
        self.ended.set()
        if self.wake is not None:
            self.wake()


class AddressLimit:
    """The streams are public (displays, kiosks), so each client address may open at most
    `most_opened` streams a minute (more are refused with 429; the display's SSE extension
    retries with a growing delay) and keep at most `most_open` open at once, in this process.

    Over `most_open`, the newest stream wins and the address's oldest one ends: a display that
    reconnects after a network blip replaces its stale stream, which the server notices only at
    its next write, and a browser that went on to another page frees its slot at once."""

    def __init__(self, most_open: int = MOST_OPEN_PER_ADDRESS, most_opened: int = MOST_OPENED_PER_MINUTE,
                 window: float = 60.0) -> None:
        self.most_open, self.most_opened, self.window = most_open, most_opened, window
        self._lock = threading.Lock()
        self._open: dict[str, list[Slot]] = {}
        self._opened: dict[str, deque[float]] = {}
        self._closed = False

    def admit(self, address: str) -> Slot | None:
        """A slot for a new stream of `address`, or None when it opened too many this minute."""
        at = time.monotonic()
        with self._lock:
            opened = self._recent(address, at)
            if len(opened) >= self.most_opened:
                return None
            opened.append(at)
            slots = self._open.setdefault(address, [])
            while len(slots) >= self.most_open:
                slots.pop(0).end()
            slot = Slot(address)
            if self._closed:
                slot.ended.set()  # the server is stopping: the stream says "retry" and returns
            slots.append(slot)
            return slot

    def retry_after(self, address: str) -> int:
        """Seconds until `address` may open a stream again."""
        with self._lock:
            opened = self._recent(address, time.monotonic())
            return max(1, math.ceil(self.window - (time.monotonic() - opened[0]))) if opened else 1

    def release(self, slot: Slot) -> None:
        slot.ended.set()
        with self._lock:
            slots = self._open.get(slot.address, [])
            if slot in slots:
                slots.remove(slot)
            if not slots:
                self._open.pop(slot.address, None)

    def open_count(self, address: str) -> int:
        with self._lock:
            return len(self._open.get(address, ()))

    def end_all(self) -> None:
        """End every open stream, and every one opened from now on (a server that stops: a request
        it took before it stopped may open its stream after this); each returns at its next wake."""
        with self._lock:
            self._closed = True
            slots = [slot for opened in self._open.values() for slot in opened]
        for slot in slots:
            slot.end()

    def _recent(self, address: str, at: float) -> deque[float]:
        if len(self._opened) > 4096:  # forget addresses that opened nothing this minute
            for key in [k for k, q in self._opened.items() if not q or at - q[-1] >= self.window]:
                del self._opened[key]
        opened = self._opened.setdefault(address, deque())
        while opened and at - opened[0] >= self.window:
            opened.popleft()
        return opened


def address_limit(app: Any) -> AddressLimit:
    return app.extensions.setdefault("yakuba_queue_stream_limit", AddressLimit())


def stream(spec: StreamSpec, since: int, slot: Slot | None = None) -> Iterator[str]:
    """The SSE messages of a stream, until its slot ends or LIFETIME_SECONDS have passed."""
    counter = current_app.extensions.setdefault("yakuba_queue_streams", OpenStreams())
    counter.add(1)
    try:
        yield from _stream(spec, since, slot or Slot(""))
    finally:
        counter.add(-1)


def _stream(spec: StreamSpec, since: int, slot: Slot) -> Iterator[str]:
    with events.subscribe(spec.listens_to()) as inbox:
        slot.wake = lambda: inbox.put_nowait(events.Event(ENDED))
        subscribed = time.monotonic()
        # the response (and the browser's "open") starts only now that we listen
        yield "retry: 2000\n\n"
        last_seq = since
        if spec.render_call:
            missed, last_seq = _catch_up(spec, since)
            yield from missed
        if spec.render_update:
            yield sse(_shared().get(spec.board, subscribed, spec.render_update), spec.update_event)
        yield sse("", "ready", last_seq if spec.render_call else None)
        yield from _live(spec, inbox, last_seq, slot.ended)


def _catch_up(spec: StreamSpec, after_seq: int) -> tuple[list[str], int]:
    """The board's calls numbered after `after_seq`, from the database, and the last number."""
    assert spec.render_call is not None
    board, render = spec.board, spec.render_call
    missed = _read(lambda: [services.call_data(c) for c in services.calls_after(board, after_seq)])
    last_seq = after_seq
    out = []
    for data in missed:
        last_seq = max(last_seq, int(data["seq"]))
        out.append(sse(_read(lambda d=data: render(d)), "call", last_seq))
    return out, last_seq


def _live(spec: StreamSpec, inbox: queue.Queue[events.Event], last_seq: int,
          ended: threading.Event) -> Iterator[str]:
    started = last_beat = last_refresh = changed_at = time.monotonic()
    dirty = False
    while time.monotonic() - started < LIFETIME_SECONDS and not ended.is_set():
        timeout = HEARTBEAT_SECONDS - (time.monotonic() - last_beat)
        if dirty:
            timeout = min(timeout, REFRESH_SECONDS - (time.monotonic() - last_refresh))
        out: list[str] = []
        for ev in _take_events(inbox, max(0.0, timeout)):
            if ev.channel == ENDED:
                continue  # the loop ends below
            if spec.render_update is not None:  # any event, a call included, changes the lists
                dirty, changed_at = True, time.monotonic()
            if ev.channel != services.CHANGED and spec.render_call is not None:
                sent, last_seq = _live_call(spec, ev.data, last_seq)
                out.extend(sent)
        if dirty and spec.render_update and time.monotonic() - last_refresh >= REFRESH_SECONDS:
            dirty = False
            last_refresh = time.monotonic()
            out.append(sse(_shared().get(spec.board, changed_at, spec.render_update), spec.update_event))
        if out:
            last_beat = time.monotonic()
            yield "".join(out)  # what arrived together goes out in one write
        elif time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            yield ": keepalive\n\n"


def _live_call(spec: StreamSpec, data: dict[str, Any], last_seq: int) -> tuple[list[str], int]:
    """What to send for a call event, in number order, and the last number sent."""
    assert spec.render_call is not None
    seq = int(data.get("seq") or 0)
    if 0 < seq <= last_seq:
        return [], last_seq  # sent already (the catch-up read it, or a gap was filled)
    if seq == last_seq + 1:
        return [sse(spec.render_call(data), "call", seq)], seq
    out, last_seq = _catch_up(spec, last_seq)  # numbers were skipped: the database has them
    if seq > last_seq:  # not readable yet: send it all the same, the display must not miss it
        out.append(sse(spec.render_call(data), "call", seq))
        last_seq = seq
    return out, last_seq


def _take_events(inbox: queue.Queue[events.Event], timeout: float, most: int = 100) -> list[events.Event]:
    """The next event (waiting up to `timeout`) and whatever else is already queued."""
    try:
        taken = [inbox.get(timeout=timeout)]
    except queue.Empty:
        return []
    while len(taken) < most:
        try:
            taken.append(inbox.get_nowait())
        except queue.Empty:
            break
    return taken


def response(spec: StreamSpec) -> Response:
    """The SSE response of a page's stream. `since` (the number of the last call the page has,
    0 for none) is required: a page always knows where it stands, and the stream replays what
    came after it. Each client address has a limited number of streams (AddressLimit)."""
    since = since_from(request.headers.get("Last-Event-ID"), request.args.get("since"))
    if since is None:
        abort(400)
    address = request.remote_addr or ""
    limit = address_limit(current_app)
    slot = limit.admit(address)
    if slot is None:
        return Response("接続が多すぎます。しばらくしてから自動で再接続します。", 429, mimetype="text/plain",
                        headers={"Retry-After": str(limit.retry_after(address))})
    db.session.commit()  # nothing of the request stays open while the stream waits
    answer = Response(stream_with_context(stream(spec, since, slot)), mimetype="text/event-stream")
    answer.call_on_close(lambda: limit.release(slot))
    answer.headers["Cache-Control"] = "no-cache"
    answer.headers["X-Accel-Buffering"] = "no"
    return answer


def since_from(last_event_id: str | None, since_arg: str | None) -> int | None:
    """The last call number a display saw: `?since=` (required), or the Last-Event-ID header that
    the browser sends when it reconnects by itself, whichever is later. None if `since` is
    missing or not a number."""
    if since_arg is None or not since_arg.strip().isdigit():
        return None
    since = int(since_arg)
    if last_event_id and last_event_id.strip().isdigit():
        since = max(since, int(last_event_id))
    return since
