"""Waiting statistics per ticket, per category and hour; the live dashboard and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from app.extensions import db
from app.queue import services, stats


def test_percentile_is_nearest_rank() -> None:
    assert stats.percentile([], 0.9) is None
    assert stats.percentile([5.0], 0.9) == 5.0
    assert stats.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert stats.percentile([float(n) for n in range(1, 21)], 0.9) == 18.0
    assert stats.percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_summary_per_category_and_hour(office, issue, clock) -> None:
    waits = []
    for wait in (4, 10):
        ticket = issue(office.a)
        clock.advance(minutes=wait - 1)
        services.call_next(office.counters[1], finish_current=True)
        waits.append(wait)
        clock.advance(minutes=5)
        services.finish(ticket)
    absent = issue(office.b)
    services.call_next(office.counters[3])
    services.recall(absent)
    services.recall(absent)
    services.no_show(absent)
    moved = issue(office.a)
    services.transfer(moved, category=office.b)
    db.session.commit()

    day = stats.summarize(date(2026, 4, 7))
    a = day.by_category[office.a.id]
    assert (a.tickets, a.called, a.finished, a.transferred, a.waiting) == (3, 2, 2, 1, 1)
    assert a.avg_wait == 7.0 and a.p90_wait == 10.0
    assert a.avg_service == 5.0 and a.p90_service == 5.0
    b = day.by_category[office.b.id]
    assert (b.tickets, b.no_show, b.finished) == (1, 1, 0)
    assert day.total.tickets == 4
    assert set(day.hours()) == {10}
    assert day.by_hour[(office.a.id, 10)].tickets == 3

    rows = stats.summary_csv(day).splitlines()
    assert rows[1] == "2026-04-07,証明書,10:00〜11:00,3,2,2,0,1,7.0,10.0,5.0,5.0"
    tickets = stats.tickets_csv(stats.tickets_of(date(2026, 4, 7))).splitlines()
    assert tickets[1].startswith("2026-04-07,A-001,証明書,証明書,,完了,2026-04-07 10:00:00,2026-04-07 10:04:00")
    assert ",旅券,旅券,,不在," in tickets[3]


def test_dashboard_is_live_for_today(client, login_as, office, issue) -> None:
    login_as("supervisor")
    issue()
    page = client.get("/queue/dashboard").get_data(as_text=True)
    assert "（リアルタイム）" in page and "sse-connect" in page and "現在お待ち" in page
    past = client.get("/queue/dashboard?day=2026-04-01").get_data(as_text=True)
    assert "この日の番号札はありません。" in past and "sse-connect" not in past
    assert client.get("/queue/dashboard?day=nonsense").status_code == 400


def test_formula_like_names_are_text_in_both_queue_csvs(office, issue, clock) -> None:
    """Issue 14 §4: a service category named like a formula is a text cell in the ticket and
    summary CSVs."""
    office.a.name = "=cmd|' /C calc'!A0"
    issue(office.a)
    day = date(2026, 4, 7)
    for text in (stats.tickets_csv(stats.tickets_of(day)), stats.summary_csv(stats.summarize(day))):
        row = next(csv.reader(io.StringIO(text.splitlines()[1])))
        assert "'=cmd|' /C calc'!A0" in row and "=cmd|' /C calc'!A0" not in row
