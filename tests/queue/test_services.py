"""The queue's rules, without a request: numbering, calling order, the counter's actions, the
cashier queue, office hours at the kiosk."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.devices import services as device_services
from app.devices.models import DeviceJob
from app.extensions import db
from app.queue import services
from app.queue.models import Call, Ticket, TicketEvent
from tests.conftest import make_config


def test_numbers_count_up_per_letter_and_restart_each_day(office, clock) -> None:
    first = services.issue_ticket(office.a, at=clock.at)
    second = services.issue_ticket(office.a, at=clock.at)
    other = services.issue_ticket(office.b, at=clock.at)
    tomorrow = services.issue_ticket(office.a, at=clock.at + timedelta(days=1), check_hours=False)
    db.session.commit()
    assert [first.label, second.label, other.label, tomorrow.label] == ["A-001", "A-002", "B-001", "A-001"]
    assert len({first.code, second.code, other.code, tomorrow.code}) == 4
    assert len(first.code) >= 20  # unguessable: 128 random bits


def test_numbers_continue_after_a_restart(office, clock, database_url) -> None:
    services.issue_ticket(office.a, at=clock.at)
    services.issue_ticket(office.a, at=clock.at)
    db.session.commit()
    restarted = create_app(make_config(database_url))
    with restarted.app_context():
        from app.queue.models import ServiceCategory
        category = db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "certificate"))
        again = services.issue_ticket(category, at=clock.at)
        db.session.commit()
        assert again.label == "A-003"
        db.session.remove()
        db.engine.dispose()


def test_categories_sharing_a_letter_never_repeat_a_number(office, clock) -> None:
    twin = services.save_category(None, services.CategoryInput(
        code="twin", name="双子", letter="A", counter_ids=(office.counters[1].id,)))
    labels = [services.issue_ticket(c, at=clock.at).label for c in (office.a, twin, office.a)]
    assert labels == ["A-001", "A-002", "A-003"]


def test_call_next_takes_priority_first_then_the_longest_waiting(office, issue) -> None:
    early = issue()
    later = issue()
    urgent = issue(priority="pregnant")
    assert services.call_next(office.counters[1]).id == urgent.id
    assert services.call_next(office.counters[2]).id == early.id
    services.finish(db.session.get(Ticket, urgent.id))
    assert services.call_next(office.counters[1]).id == later.id
    assert services.call_next(office.counters[2], finish_current=True) is None


def test_a_counter_calls_only_the_categories_it_serves(office, issue) -> None:
    issue(office.a)
    passport = issue(office.b)
    assert services.call_next(office.counters[3]).id == passport.id
    assert services.call_next(office.counters[3], finish_current=True) is None


def test_call_next_refuses_while_a_visitor_is_at_the_counter(office, issue) -> None:
    issue()
    issue()
    services.call_next(office.counters[1])
    with pytest.raises(services.QueueError, match="対応中です"):
        services.call_next(office.counters[1])


def test_a_call_is_a_row_and_an_event_with_the_counter_in_the_speech(office, issue, app) -> None:
    issue()
    from app.core import events
    with events.subscribe([services.calls_channel("queue")]) as inbox:
        ticket = services.call_next(office.counters[2])
        db.session.commit()
        data = inbox.get(timeout=5).data
    call = db.session.scalar(select(Call).where(Call.ticket_id == ticket.id))
    assert (call.label, call.place, call.board) == ("A-001", "2番窓口", "queue")
    assert data["id"] == call.id
    assert data["speech"] == "Aの1番の方、2番窓口へお越しください"


def test_call_a_specific_ticket_out_of_turn(office, issue) -> None:
    issue()
    second = issue()
    assert services.call_ticket(second, office.counters[1]).id == second.id
    with pytest.raises(services.QueueError, match="呼出中のため呼び出せません"):
        services.call_ticket(second, office.counters[2])


def test_no_show_needs_the_configured_recalls(office, issue) -> None:
    services.save_settings(services.SettingsInput(2, "会計窓口"))
    issue()
    ticket = services.call_next(office.counters[1])
    with pytest.raises(services.QueueError, match="2回再呼出してください（現在0回）"):
        services.no_show(ticket)
    services.recall(ticket)
    services.recall(ticket)
    services.no_show(ticket)
    assert (ticket.state, ticket.recalls) == ("no_show", 2)
    calls = db.session.scalars(select(Call).where(Call.ticket_id == ticket.id).order_by(Call.id)).all()
    assert [c.recall for c in calls] == [False, True, True]


def test_hold_and_resume_at_the_same_counter(office, issue) -> None:
    issue()
    other = issue()
    counter = office.counters[1]
    ticket = services.call_next(counter)
    services.hold(ticket)
    assert services.current_ticket(counter) is None
    assert services.held_tickets(counter) == [ticket]
    assert services.call_next(counter).id == other.id
    with pytest.raises(services.QueueError, match="対応中です"):
        services.resume(ticket, counter)
    services.resume(ticket, counter, finish_current=True)
    assert ticket.state == "called" and services.current_ticket(counter).id == ticket.id


def test_transfer_keeps_the_number_and_the_original_issue_time(office, issue, clock) -> None:
    moved = issue(office.a)
    issue(office.b)  # issued after `moved`
    services.call_next(office.counters[1])
    services.start_service(moved)
    services.transfer(moved, category=office.b)
    db.session.commit()
    assert (moved.label, moved.state, moved.transfers, moved.category_id) == ("A-001", "waiting", 1, office.b.id)
    assert moved.original_category_id == office.a.id
    # it keeps its place: issued before the passport ticket, it is called first at counter 3
    assert services.call_next(office.counters[3]).id == moved.id


def test_transfer_to_a_counter_is_called_only_there(office, issue) -> None:
    ticket = issue(office.a)
    services.call_next(office.counters[1])
    services.transfer(ticket, counter=office.counters[2])
    assert services.call_next(office.counters[1], finish_current=True) is None
    assert services.call_next(office.counters[2]).id == ticket.id


def test_cashier_queue(office, issue, clock) -> None:
    first = issue()
    second = issue()
    services.call_next(office.counters[1])
    services.call_next(office.counters[2])
    clock.advance(minutes=5)
    services.send_to_cashier(second)
    clock.advance(minutes=1)
    services.send_to_cashier(first)
    assert [t.id for t in db.session.scalars(services.cashier_waiting())] == [second.id, first.id]
    called = services.call_next_cashier("レジ1")
    assert called.id == second.id and called.state == "cashier_called"
    call = db.session.scalar(select(Call).where(Call.board == "cashier"))
    assert (call.label, call.place) == ("A-002", "レジ1")
    services.recall_cashier(called)
    services.finish_cashier(called)
    assert called.state == "finished" and called.cashier_done_at is not None
    assert services.call_next_cashier().id == first.id
    assert first.cashier_place == "会計窓口"
    assert services.call_next_cashier() is None


def test_finishing_from_the_call_counts_service_from_the_call(office, issue, clock) -> None:
    issue()
    ticket = services.call_next(office.counters[1])
    clock.advance(minutes=7)
    services.finish(ticket)
    assert ticket.served_at == ticket.called_at
    assert ticket.finished_at - ticket.served_at == timedelta(minutes=7)


def test_every_step_is_in_the_ticket_history(office, issue) -> None:
    ticket = issue()
    services.call_next(office.counters[1])
    services.recall(ticket)
    services.start_service(ticket)
    services.hold(ticket)
    services.resume(ticket, office.counters[1])
    services.transfer(ticket, counter=office.counters[2])
    services.call_next(office.counters[2])
    services.send_to_cashier(ticket)
    db.session.flush()
    actions = db.session.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)).all()
    assert actions == ["issue", "call", "recall", "serve", "hold", "resume", "transfer", "call", "to_cashier"]


def test_kiosk_hours_and_category_limits(office, clock) -> None:
    assert services.availability(office.a, datetime(2026, 4, 7, 10, 0)).open
    closed = services.availability(office.a, datetime(2026, 4, 7, 17, 30))
    assert not closed.open and closed.message == "次の開庁は4月8日（水）8:30からです。"
    saturday = services.availability(office.a, datetime(2026, 4, 11, 10, 0))
    assert saturday.message == "次の開庁は4月13日（月）8:30からです。"
    late = services.availability(office.b, datetime(2026, 4, 7, 16, 45))
    assert not late.open and late.message == "本日の受付は終了しました（16:30まで）。"
    with pytest.raises(services.QueueError, match="旅券：本日の受付は終了しました"):
        services.issue_ticket(office.b, at=datetime(2026, 4, 7, 16, 45))
    # staff at the desk serve everyone who came within office hours (000 §5(2))
    assert services.issue_ticket(office.b, at=datetime(2026, 4, 7, 16, 45), check_hours=False).label == "B-001"


def test_estimated_wait_uses_todays_service_times(office, issue, clock) -> None:
    assert services.estimated_wait_minutes(office.a, 3) == 9  # 3 people x 6 min / 2 counters
    issue()
    ticket = services.call_next(office.counters[1])
    clock.advance(minutes=12)
    services.finish(ticket)
    db.session.commit()
    assert services.estimated_wait_minutes(office.a, 3) == 18  # 3 x 12 / 2


def test_ticket_by_label_is_today_s_ticket(office, issue, clock) -> None:
    ticket = issue()
    assert services.ticket_by_label("a-001").id == ticket.id
    assert services.ticket_by_label("A-002") is None
    assert services.ticket_by_label("junk") is None
    clock.advance(days=1)
    assert services.ticket_by_label("A-001") is None


def test_people_ahead_follows_the_calling_order(office, issue) -> None:
    first = issue()
    second = issue()
    urgent = issue(priority="elderly")
    assert services.people_ahead(urgent) == 0
    assert services.people_ahead(first) == 1
    assert services.people_ahead(second) == 2


def test_a_call_shows_on_the_counters_call_board(office, issue) -> None:
    terminal, _ = device_services.create_terminal(device_services.NewTerminal("counter-1", "1番窓口 端末", "counter_pc",
                                                                              office.counters[1].id))
    device_services.save_binding(terminal, device_services.BindingInput("call_board", "call_board", "sim://counter-1"))
    for _ in range(3):
        issue()
    services.call_next(office.counters[1])
    second = services.call_next(office.counters[1], finish_current=True)
    services.finish(second)
    services.call_next(office.counters[2])  # counter 2 has no board: no job
    jobs_ = db.session.scalars(select(DeviceJob).order_by(DeviceJob.id)).all()
    assert {(j.device, j.kind) for j in jobs_} == {("call_board", "call_board")}
    # the board shows the current number, and goes blank when the counter is free
    assert [j.payload["text"] for j in jobs_] == ["A-001", "A-002", ""]


def test_a_counter_without_a_call_board_still_calls(office, issue) -> None:
    issue()
    assert services.call_next(office.counters[2]) is not None
    assert db.session.scalar(select(func.count()).select_from(DeviceJob)) == 0


def test_category_validation(office) -> None:
    with pytest.raises(services.QueueError) as refused:  # every problem at once
        services.save_category(None, services.CategoryInput(code="x", name="X", letter="1", counter_ids=()))
    assert [(p.field, p.message[:6]) for p in refused.value.problems] == [
        ("letter", "番号札の記号"), ("counter_ids", "受け付ける窓")]
    with pytest.raises(services.QueueError, match="既にあります"):
        services.save_category(None, services.CategoryInput(
            code="certificate", name="X", letter="X", counter_ids=(office.counters[1].id,)))
    with pytest.raises(services.QueueError, match="窓口を1つ以上"):
        services.save_category(None, services.CategoryInput(code="y", name="Y", letter="Y", counter_ids=()))
    with pytest.raises(services.QueueError, match="受付開始より後"):
        services.save_category(None, services.CategoryInput(
            code="z", name="Z", letter="Z", counter_ids=(office.counters[1].id,), opens=time(12), closes=time(9)))
