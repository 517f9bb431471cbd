"""The queue (000 §11 別表: 窓口案内表示システム, 会計呼び出し表示システム) and the ticket machine.

What other domains use (all in `app.queue.services`; they flush, the caller's request commits):

Counter (cases):
- `current_ticket(counter)`: the ticket being called or served at a counter (the operator's
  counter is `app.core.desk.my_counter()`), or None. Its id goes into the counter domain's
  `Visit.ticket_id` (`counter.visits.open_visit(..., ticket_id=...)`): that is the link
  between a ticket and the cases of the visit.
- `finish(ticket, by)`, `send_to_cashier(ticket, by)`: end the counter's part (`by` is the
  member of staff who acts, a `User`).

Register (fees):
- `cashier_waiting()`: select() of the 会計待ち tickets, longest waiting first.
- `call_next_cashier(place, by)`: call the next one to `place` (e.g. "会計窓口", "レジ2"),
  with the same no-duplicate locking as the counters; None when nobody waits.
- `call_cashier_ticket(ticket, place, by)`, `recall_cashier(ticket, by)`.
- `finish_cashier(ticket, by)`: the fees are paid; the ticket is finished.
- `ticket_by_label("A-042")` finds today's ticket from a bill's `ticket_number`;
  `ticket_by_code(code)` from its QR code (the public status page's key).

Statistics for the monthly report: `app.queue.stats.tickets_of(start, end)`, `summarize(day)`.
"""
