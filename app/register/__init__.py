"""公金収納 (000 §6(10), §6(1)③イ): fees, bills, payments and receipts, voids, the daily close.

The seam for other domains is a **bill** (請求), opened service to service:

    from app.register.fees import Item
    from app.register.services import open_bill, bill_for_source, cancel_bill

    open_bill("case", case.id, "山彦 一郎", [Item("resident_record_copy", 2),
                                             Item("tax_certificate", 1, official=True)],
              ticket_number="C-012", by=current_user)

Lines are fee codes, quantities and the 公用 flag; the amounts come from the fee schedule on
the day the bill is paid. Opening again for the same source while unpaid replaces the lines.
A domain that must know when its bill is paid has a handler for its source type registered,
once, in app/reactions.py: `on_bill_paid("seal_certificate", handler)`; `handler(bill, payment)` runs inside
the paying transaction (a `Refusal` it raises rolls the payment back and is shown to the
cashier; any other error is a bug and fails the request). Its counterpart
`on_bill_voided(source_type, handler)` runs `handler(bill, reversal)` inside the transaction that
approves a void of that payment, with the bill "open" again or "cancelled" (refunded), and
`on_bill_cancelled(source_type, handler)` runs `handler(bill, user, reason)` when a supervisor
cancels an unpaid bill (the visitor left without paying).
Each change publishes `register:bills` (services.BILLS_CHANNEL) on the event publisher, with
`{"bill": id, "state": "open" | "paid" | "cancelled"}`: the cashier's screen follows them over
Server-Sent Events (/register/bills/stream, app/queue/streams.py) to refresh its open bills.
"""
