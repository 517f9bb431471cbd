"""Bills, payments, idempotency, gap-free receipt numbers and the append-only record."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.auth.models import AuditEntry
from app.extensions import db
from app.register import services
from app.register.append_only import AppendOnlyError
from app.register.fees import FeeInput, Item, save_fee
from app.register.models import Bill, Payment, ReceiptSequence
from app.register.services import RegisterError
from tests.register.conftest import new_key


def pay(bill, register, cashier, method="cash", received=None, key=None, at=None, reference=""):
    result = services.take_payment(bill.id, register, services.PaymentInput(method, received, key or new_key(),
                                                                            reference=reference), cashier, at=at)
    db.session.commit()
    return result


def test_cash_payment_computes_change_and_copies_the_schedule(make_bill, register, cashier) -> None:
    bill = make_bill(("resident_record_copy", 2), ("family_register_copy", 1), ("tax_certificate", 1, True),
                     ticket="C-012")
    result = pay(bill, register, cashier, received=2000)
    payment = result.payment
    assert result.created
    assert payment.total == 300 * 2 + 450 and payment.received == 2000 and payment.change == 950
    assert [(line.label, line.quantity, line.unit_amount, line.amount, line.official) for line in payment.lines] == [
        ("住民票の写し", 2, 300, 600, False),
        ("戸籍謄本・抄本", 1, 450, 450, False),
        ("税証明", 1, 0, 0, True),
    ]
    assert payment.receipt_number == 1 and payment.receipt_no == f"{payment.fiscal_year}-000001"
    assert db.session.get(Bill, bill.id).state == "paid"
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "payment")).all()
    assert [(a.action, a.object_id) for a in audit] == [("create", str(payment.id))]
    assert payment.receipt_no in audit[0].detail and "1,050円" in audit[0].detail


def test_too_little_cash_is_refused_and_uses_no_number(make_bill, register, cashier) -> None:
    bill = make_bill(("removed_family_register_copy", 1))
    with pytest.raises(RegisterError) as refused:
        services.take_payment(bill.id, register, services.PaymentInput("cash", 500, new_key()), cashier)
    assert refused.value.field == "received" and "不足" in refused.value.message
    db.session.rollback()
    assert db.session.get(Bill, bill.id).state == "open"
    assert pay(bill, register, cashier, received=1000).payment.receipt_number == 1


def test_a_failed_transaction_gives_its_receipt_number_back(make_bill, register, cashier) -> None:
    first, second = make_bill(), make_bill()
    services.take_payment(first.id, register, services.PaymentInput("cash", 300, new_key()), cashier)
    db.session.rollback()  # e.g. the request failed after the payment was written
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
    assert pay(second, register, cashier, received=300).payment.receipt_number == 1
    assert pay(first, register, cashier, received=300).payment.receipt_number == 2


def test_the_same_key_never_charges_twice(make_bill, register, cashier) -> None:
    bill = make_bill(("seal_certificate", 1))
    key = new_key()
    first = pay(bill, register, cashier, received=1000, key=key)
    again = pay(bill, register, cashier, received=1000, key=key)
    assert first.created and not again.created
    assert again.payment.id == first.payment.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert db.session.get(ReceiptSequence, first.payment.fiscal_year).last_number == 1


def test_a_key_cannot_pay_another_bill(make_bill, register, cashier) -> None:
    key = new_key()
    pay(make_bill(), register, cashier, received=300, key=key)
    other = make_bill()
    with pytest.raises(RegisterError, match="別の請求"):
        services.take_payment(other.id, register, services.PaymentInput("cash", 300, key), cashier)


def test_a_paid_bill_is_not_paid_again_under_a_new_key(make_bill, register, cashier) -> None:
    bill = make_bill()
    pay(bill, register, cashier, received=300)
    with pytest.raises(RegisterError, match="収納済"):
        services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()), cashier)


def test_malformed_keys_are_refused(make_bill, register, cashier) -> None:
    with pytest.raises(RegisterError, match="受付キー"):
        services.take_payment(make_bill().id, register, services.PaymentInput("cash", 300, "short"), cashier)


def test_cashless_payment_records_the_method_and_takes_the_exact_total(make_bill, register, cashier) -> None:
    bill = make_bill(("temporary_vehicle_permit", 1))
    payment = pay(bill, register, cashier, method="qr_code", received=99999, reference="TX-778").payment
    assert (payment.method, payment.total, payment.received, payment.change) == ("qr_code", 750, 750, 0)
    assert payment.method_reference == "TX-778"


def test_official_requests_are_free_and_marked(make_bill, register, cashier) -> None:
    bill = make_bill(("resident_record_copy", 3, True))
    payment = pay(bill, register, cashier, method="cash", received=None).payment
    assert (payment.method, payment.total, payment.received) == ("free", 0, 0)
    assert payment.lines[0].official and payment.lines[0].amount == 0
    assert payment.receipt_number == 1


def test_unknown_methods_are_refused(make_bill, register, cashier) -> None:
    with pytest.raises(RegisterError, match="支払方法"):
        services.take_payment(make_bill().id, register, services.PaymentInput("bitcoin", 300, new_key()), cashier)


def test_receipt_numbers_restart_with_the_fiscal_year(make_bill, register, cashier, staff) -> None:
    march = datetime(2026, 3, 31, 16, 0)
    last = pay(make_bill(), register, cashier, received=300, at=march).payment
    services.close_day(last.day, services.DrawerCount({100: 3}, 0, ""), staff("operator", "closer"))
    db.session.commit()
    april = pay(make_bill(), register, cashier, received=300, at=datetime(2026, 4, 1, 9, 0)).payment
    assert (last.fiscal_year, last.receipt_number) == (2025, 1)
    assert (april.fiscal_year, april.receipt_number, april.receipt_no) == (2026, 1, "2026-000001")


def test_a_fee_change_applies_from_its_date_and_rewrites_nothing(make_bill, register, cashier, staff) -> None:
    before = pay(make_bill(), register, cashier, received=300, at=datetime(2026, 3, 31, 10, 0)).payment
    services.close_day(before.day, services.DrawerCount({100: 3}, 0, ""), staff("operator", "closer"))
    save_fee(FeeInput("resident_record_copy", "住民票の写し", "通", 350, date(2026, 4, 1)),
             backdate=True)  # entered in March
    db.session.commit()
    after = pay(make_bill(), register, cashier, received=350, at=datetime(2026, 4, 1, 10, 0)).payment
    db.session.expire_all()
    assert db.session.get(Payment, before.id).total == 300
    assert after.total == 350 and after.lines[0].unit_amount == 350


def test_opening_again_replaces_the_lines_of_an_unpaid_bill(make_bill) -> None:
    bill = make_bill(("resident_record_copy", 1))
    again = services.open_bill(bill.source_type, bill.source_id, "山彦 一郎",
                               [Item("seal_certificate", 2)], ticket_number="C-7")
    db.session.commit()
    assert again.id == bill.id
    assert [(line.fee_code, line.quantity) for line in again.lines] == [("seal_certificate", 2)]
    assert services.quote_bill(again).total == 600 and again.ticket_number == "C-7"


def test_a_paid_bill_cannot_be_opened_again(make_bill, register, cashier) -> None:
    bill = make_bill()
    pay(bill, register, cashier, received=300)
    with pytest.raises(RegisterError, match="収納済み"):
        services.open_bill(bill.source_type, bill.source_id, "山彦 一郎", [Item("seal_certificate", 1)])


@pytest.mark.parametrize(("lines", "message"), [
    ([], "請求する手数料がありません"),
    ([Item("no_such_fee", 1)], "手数料表にない"),
    ([Item("resident_record_copy", 0)], "数量は1"),
    ([Item("resident_record_copy", 100)], "数量は1"),
])
def test_bills_need_known_fees_and_sensible_quantities(fees, lines, message) -> None:
    with pytest.raises(RegisterError, match=message):
        services.open_bill("test", 1, "山彦 一郎", lines)


def test_cancelled_bills_cannot_be_paid(make_bill, register, cashier, staff) -> None:
    bill = make_bill()
    with pytest.raises(RegisterError, match="統括責任者"):
        services.cancel_bill(bill, "来庁者が帰宅", cashier)
    supervisor = staff("supervisor")
    with pytest.raises(RegisterError, match="理由"):
        services.cancel_bill(bill, " ", supervisor)
    services.cancel_bill(bill, "来庁者が帰宅", supervisor)
    db.session.commit()
    with pytest.raises(RegisterError, match="取消"):
        services.take_payment(bill.id, register, services.PaymentInput("cash", 300, new_key()), cashier)
    assert services.open_bills() == []


def test_payments_cannot_be_edited_or_deleted(make_bill, register, cashier) -> None:
    payment = pay(make_bill(), register, cashier, received=300).payment
    payment.total = 0
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    for statement in (sa.text("UPDATE payments SET total = 0"), sa.text("DELETE FROM payment_lines")):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(Payment, payment.id).total == 300
