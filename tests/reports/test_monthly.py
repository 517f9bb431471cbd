"""The monthly 業務報告書 of a seeded month reconciles with the register's daily closes and the
queue's statistics (issue 20 §1), computed here from the rows themselves."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.queue import stats
from app.queue.models import Ticket
from app.register import reopening
from app.register.models import Payment, PaymentKind, PaymentLine, PaymentMethod, RegisterDay
from app.reports import monthly, sections


def _days(month):  # type: ignore[no-untyped-def]
    period = monthly.period_of(month)
    return list(sections.db.session.scalars(select(RegisterDay).where(
        RegisterDay.business_date >= period.start, RegisterDay.business_date <= period.end)
        .order_by(RegisterDay.business_date)))


def test_fees_reconcile_with_each_daily_close(demo_month, db_session) -> None:
    fees = sections.fees_section(monthly.period_of(demo_month))
    days = _days(demo_month)
    assert len(days) >= 15 and fees.figures["days"] == len(days)
    assert fees.figures["reconciliation"] == {"一致": len(days)}
    payments = [p for d in days for p in d_payments(db_session, d)]
    assert fees.figures["total"] == sum(p.total for p in payments) > 0
    by_method = Counter()
    for p in payments:
        by_method[str(p.method)] += p.total
    assert fees.figures["by_method"] == dict(by_method)
    by_fee = Counter()
    for p in payments:
        for line in p.lines:
            by_fee[line.fee_code] += line.amount
    assert fees.figures["by_fee"] == dict(by_fee)
    for day in days:  # each close counted the float plus the day's cash, as the payments give it
        cash = sum(p.total for p in d_payments(db_session, day) if p.method == PaymentMethod.cash)
        assert day.close.expected_cash == day.opening_float + cash
    rows = fees.tables[2].rows
    assert [r[0] for r in rows] == [d.business_date.isoformat() for d in days]
    assert any(r[7] == "-10" for r in rows)  # the demo's short day shows its difference


def d_payments(session, day):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Payment).where(Payment.register_day_id == day.id)))


def test_a_payment_behind_a_close_or_a_reopened_day_is_shown(demo_month, db_session, make_user) -> None:
    days = _days(demo_month)
    first, last = days[0], days[-1]
    # a payment written into a closed day behind the register's back: the close no longer agrees
    db_session.add(Payment(kind=PaymentKind.payment, bill_id=d_payments(db_session, first)[0].bill_id,
                           register_day_id=first.id, fiscal_year=2099, receipt_number=1, idempotency_key="x" * 32,
                           method=PaymentMethod.cash, total=300, received=300, change=0,
                           paid_at=first.opened_at + timedelta(hours=2), cashier_id=make_user("operator").id,
                           lines=[PaymentLine(position=1, fee_code="resident_record_copy", label="住民票の写し",
                                              unit="通", quantity=1, unit_amount=300, amount=300)]))
    reopening.reopen_day(last, "収納漏れの確認", by=make_user("supervisor"))
    db_session.flush()
    fees = sections.fees_section(monthly.period_of(demo_month))
    assert fees.figures["reconciliation"] == {"一致": len(days) - 2, "不一致": 1, "再開中": 1}
    states = {r[0]: r[8] for r in fees.tables[2].rows}
    assert states[first.business_date.isoformat()] == "不一致"
    assert states[last.business_date.isoformat()] == "再開中"
    assert "一致しない" in fees.notes[0]


def test_visitors_and_waits_are_the_queue_statistics(demo_month, db_session) -> None:
    period = monthly.period_of(demo_month)
    queue = sections.queue_section(period)
    tickets = list(db_session.scalars(select(Ticket).where(Ticket.office_day >= period.start,
                                                            Ticket.office_day <= period.end)))
    assert queue.figures["tickets"] == len(tickets) > 300
    assert queue.figures["by_category"] == dict(Counter(t.original_category.code for t in tickets))
    waits = [(t.first_called_at - t.issued_at).total_seconds() / 60 for t in tickets if t.first_called_at]
    assert abs(queue.figures["avg_wait"] - sum(waits) / len(waits)) < 1e-9
    # the same figures as the queue's own day statistics, summed over the month's days
    daily = [stats.summarize(day) for day in period.days()]
    assert sum(d.total.tickets for d in daily) == queue.figures["tickets"]
    assert sum(d.total.no_show for d in daily) == queue.figures["no_show"]
    all_waits = sorted(w for d in daily for w in d.total.waits)
    assert queue.figures["p90_wait"] == stats.percentile(all_waits, 0.9)
    hours = Counter(t.issued_at.hour for t in tickets)
    assert queue.figures["by_hour"] == dict(hours)


def test_the_other_sections_count_the_month(demo_month, db_session) -> None:
    period = monthly.period_of(demo_month)
    made = {s.key: s for s in sections.collect(period)}
    assert list(made) == ["queue", "cases", "returns", "certificates", "fees", "seal", "incidents", "inquiries",
                          "bereavement", "monthly_checks", "backoffice"]
    cases = made["cases"].figures
    assert cases["cases"] == cases["完了"] + cases["取下げ"] + cases["処理中"] > 0
    assert made["returns"].figures["returns"] == len(made["returns"].tables[0].rows) > 0
    copies = made["certificates"].figures["copies"]
    certificate_fees = {"resident_record_copy", "family_register_copy", "seal_certificate", "tax_certificate",
                        "family_register_annex"}
    paid_copies = sum(line.quantity for d in _days(demo_month) for p in d_payments(db_session, d)
                      for line in p.lines if line.fee_code in certificate_fees)
    assert copies == paid_copies > 0  # every certificate the demo issued was paid for at the register
