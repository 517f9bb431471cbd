"""What a ticket's pages say about it: the visitor's status page (/t/<code>) and the actions the
operator's counter page offers. The rules live here, so the templates never spell a state."""

from __future__ import annotations

from dataclasses import dataclass

from app.queue.models import AT_COUNTER, OPEN_STATES, QueueSettings, Ticket, TicketState


@dataclass(frozen=True)
class PublicStatus:
    """The status page's lines: `message` (emphasised when `called`) and an optional `note`."""

    message: str
    note: str = ""
    called: bool = False


def public_status(ticket: Ticket, ahead: int, wait_minutes: int, is_today: bool) -> PublicStatus:
    """What the visitor's phone shows for their ticket (no personal data, issue 4)."""
    state = ticket.state
    if not is_today and state in OPEN_STATES:
        return PublicStatus(f"この番号札は{ticket.office_day:%-m月%-d日}のものです。")
    if state == TicketState.waiting:
        wait = f"（目安 約{wait_minutes}分）" if ahead else ""
        return PublicStatus("お待ちください", f"あなたの前に {ahead}人 お待ちです{wait}。")
    if state in AT_COUNTER and ticket.counter is not None:
        place = ticket.counter.label
        return PublicStatus(f"呼び出されました：{place}", f"{place}へお越しください。", called=True)
    if state == TicketState.held:
        return PublicStatus("窓口でお手続き中です（保留）")
    if state == TicketState.cashier_waiting:
        return PublicStatus("会計待ちです", "準備ができましたら、この番号で会計にお呼びします。")
    if state == TicketState.cashier_called:
        return PublicStatus(f"呼び出されました：{ticket.cashier_place}", called=True)
    if state == TicketState.no_show:
        return PublicStatus("お呼びしましたが、いらっしゃいませんでした", "窓口の職員にお声がけください。")
    return PublicStatus("お手続きは終了しました")


@dataclass(frozen=True)
class CounterActions:
    """What the counter page offers for the ticket at the counter: while it is called (the
    visitor has not come yet) 対応開始, 再呼出 and 不在 (`no_show_blocked` until enough recalls);
    完了 is the main action once the visitor is served."""

    called: bool
    serving: bool
    no_show_blocked: bool


def counter_actions(ticket: Ticket, settings: QueueSettings) -> CounterActions:
    return CounterActions(called=ticket.state == TicketState.called, serving=ticket.state == TicketState.serving,
                          no_show_blocked=ticket.recalls < settings.recalls_before_no_show)
