"""臨時運行許可 (issue 21): a plate lent once at a time (the service and the database's partial
unique index, on both databases), the five-day period (道路運送車両法 §35③), the overdue list
from day 6 after the period (§35⑥), the fee sent to the register, and the pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from app.core import services as core
from app.counter.ledgers import plates
from app.counter.ledgers.models import TemporaryPermit
from app.counter.ledgers.plates import LedgerError, PermitInput, ReturnInput
from app.demo import DEMO_CITY
from app.extensions import db
from app.register import services as register

DAY = date(2026, 12, 7)


def _permit(plate_id: int | None, start: date = DAY, days: int = 3, **changes: Any) -> PermitInput:
    values = {"plate_id": plate_id, "applicant_name": "山彦 自動車商会", "applicant_address": "山彦市本町1-1",
              "vehicle_name": "トヨタ", "chassis_number": "zvw50-1234567", "purpose": "新規登録のための回送",
              "route": "山彦市本町〜山彦運輸支局", "period_from": start, "period_to": start + timedelta(days=days - 1)}
    return PermitInput(**(values | changes))


@pytest.fixture
def plate(operator) -> Any:
    return plates.add_plate("山彦 臨 101", operator)


def test_a_plate_cannot_be_issued_twice_while_it_is_out_and_is_free_again_once_returned(plate, operator) -> None:
    first = plates.issue_permit(_permit(plate.id), today=DAY, by=operator)
    assert (first.permit_number, first.chassis_number) == ("2026-0001", "ZVW50-1234567")

    with pytest.raises(LedgerError) as refused:
        plates.issue_permit(_permit(plate.id, applicant_name="別の申請者"), today=DAY, by=operator)
    assert refused.value.field == "plate_id" and "貸出中" in refused.value.message
    assert "2026-0001" in refused.value.message
    assert db.session.query(TemporaryPermit).count() == 1
    assert [p.number for p in plates.plates_in()] == []

    plates.return_permit(first, ReturnInput(DAY + timedelta(days=3), "山彦 次郎"), today=DAY + timedelta(days=3),
                         by=operator)
    assert [p.number for p in plates.plates_in()] == ["山彦 臨 101"]
    second = plates.issue_permit(_permit(plate.id, start=DAY + timedelta(days=3)), today=DAY + timedelta(days=3),
                                 by=operator)
    assert second.permit_number == "2026-0002"
    assert [(p.number, out.id if out else None) for p, out in plates.inventory()] == [("山彦 臨 101", second.id)]


def test_the_database_itself_refuses_a_second_permit_for_a_plate_that_is_out(plate, operator) -> None:
    """Two counters at the same moment both pass the service's check; the partial unique index
    stops the second row on SQLite and on PostgreSQL alike."""
    plates.issue_permit(_permit(plate.id), today=DAY, by=operator)
    db.session.commit()
    twin = TemporaryPermit(fiscal_year=2026, serial=99, plate_id=plate.id, applicant_name="x", applicant_address="x",
                           vehicle_name="x", chassis_number="x", purpose="x", route="x", period_from=DAY,
                           period_to=DAY, issued_by_id=operator.id)
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    returned = TemporaryPermit(fiscal_year=2026, serial=98, plate_id=plate.id, applicant_name="x",
                               applicant_address="x", vehicle_name="x", chassis_number="x", purpose="x", route="x",
                               period_from=DAY, period_to=DAY, issued_by_id=operator.id, returned_on=DAY)
    db.session.add(returned)
    db.session.flush()  # a returned permit of the same plate is history, not a second loan


def test_the_overdue_list_shows_a_permit_from_day_6_after_its_period(plate, operator) -> None:
    permit = plates.issue_permit(_permit(plate.id, days=5), today=DAY, by=operator)
    end = permit.period_to
    assert permit.due_return == end + timedelta(days=5)
    assert plates.overdue(end + timedelta(days=5)) == []  # day 5: still within §35⑥
    assert not plates.is_overdue(permit, end + timedelta(days=5))
    assert plates.overdue(end + timedelta(days=6)) == [permit]  # day 6: late
    assert plates.is_overdue(permit, end + timedelta(days=6))
    plates.record_reminder(permit, today=end + timedelta(days=6), by=operator)
    assert permit.reminded_on == end + timedelta(days=6)
    plates.return_permit(permit, ReturnInput(end + timedelta(days=8), "山彦 次郎"), today=end + timedelta(days=8),
                         by=operator)
    assert plates.overdue(end + timedelta(days=8)) == []


def test_a_period_over_five_days_and_missing_fields_are_refused_all_at_once(plate, operator) -> None:
    with pytest.raises(LedgerError) as refused:
        plates.issue_permit(_permit(plate.id, days=6, chassis_number=" ", route=""), today=DAY, by=operator)
    fields = {p.field: p.message for p in refused.value.problems}
    assert set(fields) == {"period_to", "chassis_number", "route"}
    assert "5日以内" in fields["period_to"] and "第35条第3項" in fields["period_to"]
    with pytest.raises(LedgerError) as refused:
        plates.issue_permit(_permit(None, start=DAY - timedelta(days=1)), today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"plate_id", "period_from"}
    assert db.session.query(TemporaryPermit).count() == 0


def test_the_fee_goes_to_the_register_as_a_bill(plate, operator) -> None:
    permit = plates.issue_permit(_permit(plate.id), today=DAY, by=operator)
    bill = plates.permit_bill(permit)
    assert bill is not None and bill.is_open and bill.visitor_label == "山彦 自動車商会"
    assert [(line.fee_code, line.quantity) for line in bill.lines] == [("temporary_vehicle_permit", 1)]
    assert register.quote_bill(bill).total == 750


def test_a_return_before_the_period_or_twice_is_refused(plate, operator) -> None:
    permit = plates.issue_permit(_permit(plate.id), today=DAY, by=operator)
    with pytest.raises(LedgerError) as refused:
        plates.return_permit(permit, ReturnInput(DAY - timedelta(days=1), ""), today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"returned_on", "returned_by_name"}
    plates.return_permit(permit, ReturnInput(DAY, "山彦 次郎"), today=DAY, by=operator)
    with pytest.raises(LedgerError, match="返納済み"):
        plates.return_permit(permit, ReturnInput(DAY, "山彦 次郎"), today=DAY, by=operator)


def test_the_pages_show_the_ledger_the_overdue_list_and_the_pdfs(client, login_as, procedures) -> None:
    user = login_as("operator")
    core.save_municipality(DEMO_CITY)
    plate = plates.add_plate("山彦 臨 202", user)
    late = TemporaryPermit(fiscal_year=2026, serial=7, plate_id=plate.id, applicant_name="遅延 太郎",
                           applicant_address="山彦市", vehicle_name="日産", chassis_number="ABC-1", purpose="回送",
                           route="市内", period_from=date(2026, 1, 5), period_to=date(2026, 1, 6),
                           issued_by_id=user.id)
    db.session.add(late)
    db.session.commit()
    page = client.get("/counter/ledgers/plates").get_data(as_text=True)
    assert "2026-0007" in page and "返納期限を過ぎたもの：1件" in page
    overdue = client.get("/counter/ledgers/plates/overdue").get_data(as_text=True)
    assert "遅延 太郎" in overdue and "1件" in overdue
    for url in (f"/counter/ledgers/plates/permits/{late.id}/permit.pdf",
                f"/counter/ledgers/plates/permits/{late.id}/reminder.pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), url
    response = client.post("/counter/ledgers/plates/permits", data={"plate_id": "", "period_from": "2026-12-07"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "貸与する番号標を選んでください" in body and "車台番号を入力してください" in body


def test_the_home_work_list_counts_overdue_plates_and_open_postal_requests(plate, operator) -> None:
    from app.counter import work
    from app.counter.ledgers import postal

    late = TemporaryPermit(fiscal_year=2026, serial=5, plate_id=plate.id, applicant_name="遅延 太郎",
                           applicant_address="山彦市", vehicle_name="日産", chassis_number="ABC-1", purpose="回送",
                           route="市内", period_from=date(2026, 1, 5), period_to=date(2026, 1, 6),
                           issued_by_id=operator.id)
    db.session.add(late)
    postal.receive(postal.PostalInput(date(2026, 1, 5), "郵便 花子", "山彦市", "family_register_copy", 1, 450, 1),
                   today=date(2026, 1, 5), by=operator)
    lines = {line.label: (line.count, line.endpoint) for line in work.waiting(operator)}
    assert lines["返納期限を過ぎた臨時運行許可番号標"] == (1, "ledgers.overdue")
    assert lines["未発送の郵便請求"] == (1, "ledgers.postal_page")
