"""The case workflow through its services: checks, input, review, issue, fees, timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.counter import actions, cases, checks, inputs, issue, lists, residents, review, visits
from app.counter.cases import CaseError
from app.counter.checks import CheckInput
from app.counter.forms_data import InputError, field_errors
from app.register.services import bill_for_source
from tests.registry.factories import make_household, yamabiko_family

COPY_INPUT = {"copies": "2", "scope": "household", "include_relationship": "on", "purpose": "勤務先へ提出"}


def test_one_visit_carries_several_cases(operator) -> None:
    visit = visits.open_visit("山彦 太郎", ["resident_record_copy", "seal_certificate", "nhi_enrollment"], operator)
    assert [c.procedure.code for c in visit.cases] == ["resident_record_copy", "seal_certificate", "nhi_enrollment"]
    assert {c.state for c in visit.cases} == {"received"}
    assert visit.ticket_id is None


def test_reception_needs_a_name_and_a_known_procedure(operator) -> None:
    with pytest.raises(CaseError) as exc:
        visits.open_visit(" ", ["resident_record_copy"], operator)
    assert exc.value.problems[0].field == "visitor_name"
    with pytest.raises(CaseError, match="使用されていない"):
        visits.open_visit("山彦", ["no_such_procedure"], operator)


def test_checks_refuse_with_every_rule_named_and_change_nothing(open_case, operator) -> None:
    case = open_case()
    checks.save_checks(case, CheckInput(requester_kind="proxy", requester_name="代理 次郎",
                                          identity_docs=["health_insurance"]), operator)
    with pytest.raises(CaseError) as exc:
        checks.confirm_checks(case, operator)
    fields = [p.field for p in exc.value.problems]
    assert fields == ["power_of_attorney", "identity_docs", "content_checked", "documents_checked"]
    assert case.state == "checking"


def test_the_full_path_with_one_return_then_approval(checked_case, operator, city, db_session) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    assert case.state == "input"
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.return_for_correction(case, city, "使用目的を具体的に")
    assert (case.state, case.returned, case.return_reason) == ("input", True, "使用目的を具体的に")
    assert case in db_session.scalars(lists.returned_to(operator)).all()
    inputs.save_input(case, {**COPY_INPUT, "purpose": "勤務先（株式会社やまびこ）へ提出"}, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    assert case.state == "issue" and case.reviewer_id == city.id
    issue.issue(case, operator)
    assert case.state == "payment"
    assert [(f.fee_code, f.quantity, f.unit_amount, f.amount) for f in case.fee_lines] == [
        ("resident_record_copy", 2, 300, 600)]
    bill = bill_for_source("case", case.id)
    assert bill.state == "open" and [(line.fee_code, line.quantity) for line in bill.lines] == [
        ("resident_record_copy", 2)]
    issue.complete_payment(case, operator)
    assert case.state == "done" and case.closed_at is not None
    taken = [e.action for e in case.events]
    assert taken == ["receive", "subject", "start_check", "confirm_checks", "input", "request_review",
                       "start_review", "return", "input", "request_review", "start_review", "approve", "issue",
                       "complete_payment"]
    assert all(e.username for e in case.events)


def test_changing_the_subject_after_the_checks_is_checked_again(checked_case, operator) -> None:
    family = yamabiko_family()
    stranger = make_household([{"family_name": "川辺", "given_name": "次郎", "birth_date": date(1975, 1, 1)}],
                              address="岩手県一関市大手町1番1号")
    case = checked_case(subject_id=family.members[0].id)
    assert case.state == "input"
    case.requester_resident_id = family.members[0].id  # as a card read in 確認 would have matched
    residents.set_subject(case, stranger.members[0].id, operator)
    inputs.save_input(case, COPY_INPUT, operator)
    with pytest.raises(CaseError) as refused:
        inputs.request_review(case, operator)
    assert "別人" in refused.value.problems[0].message and case.state == "input"


def test_the_requester_match_is_fixed_once_the_checks_are_done(checked_case, operator) -> None:
    case = checked_case(subject_id=yamabiko_family().members[0].id)
    with pytest.raises(CaseError, match="受付・確認の段階"):
        residents.set_requester_resident(case, None, operator)


def test_operator_cannot_approve_and_city_staff_cannot_issue(checked_case, operator, city) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    with pytest.raises(CaseError, match="市職員"):
        review.start_review(case, operator)
    review.start_review(case, city)
    with pytest.raises(CaseError, match="000 §7\\(2\\)"):
        review.approve(case, operator)
    review.approve(case, city)
    with pytest.raises(CaseError, match="窓口の業務従事者"):
        issue.issue(case, city)


def test_a_return_needs_a_reason(checked_case, operator, city) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    with pytest.raises(CaseError, match="差戻しの理由"):
        review.return_for_correction(case, city, "  ")


def test_certificates_cannot_skip_review_and_others_cannot_ask_for_it(checked_case, operator) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    with pytest.raises(CaseError, match="000 §7\\(2\\)"):
        inputs.finish_input(case, operator)
    nhi = checked_case("nhi_enrollment", documents_checked=["届出書", "健康保険の資格喪失証明書"])
    inputs.save_input(nhi, {}, operator)
    with pytest.raises(CaseError, match="審査を要しません"):
        inputs.request_review(nhi, operator)
    inputs.finish_input(nhi, operator)
    issue.issue(nhi, operator)
    assert nhi.state == "done" and nhi.fee_lines == []


def test_input_before_checks_is_refused(open_case, operator) -> None:
    case = open_case()
    with pytest.raises(CaseError, match="入力は状態が「入力」"):
        inputs.save_input(case, COPY_INPUT, operator)


def test_official_requests_are_free_but_listed(checked_case, operator) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id, requester_kind="official",
                        official_office="一関税務署", official_basis="国税徴収法 §146の2", identity_docs=[])
    inputs.save_input(case, COPY_INPUT, operator)
    [line] = case.fee_lines
    assert line.official_free and line.amount == 0 and line.unit_amount == 300


def test_my_number_only_for_self_or_household(checked_case, operator) -> None:
    household = yamabiko_family()
    proxy = checked_case(subject_id=household.members[0].id, requester_kind="proxy", power_of_attorney=True)
    with pytest.raises(InputError) as exc:
        inputs.save_input(proxy, {**COPY_INPUT, "include_my_number": "on"}, operator)
    assert "住民基本台帳法 §12⑤" in field_errors(exc.value)["include_my_number"]
    own = checked_case(subject_id=household.members[0].id)
    inputs.save_input(own, {**COPY_INPUT, "include_my_number": "on"}, operator)
    assert own.form_data["include_my_number"] is True


def test_input_errors_name_each_field(checked_case, operator) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {"copies": "0", "scope": "", "purpose": ""}, operator)
    assert set(field_errors(exc.value)) == {"copies", "scope", "purpose"}
    assert field_errors(exc.value)["copies"].startswith("通数は1〜20")
    assert case.form_data == {}


def test_members_must_belong_to_the_subjects_household(checked_case, operator) -> None:
    household = yamabiko_family()
    other = make_household([{"family_name": "他人", "given_name": "一", "birth_date": date(1970, 1, 1)}])
    case = checked_case(subject_id=household.members[0].id)
    with pytest.raises(InputError) as exc:
        inputs.save_input(case, {**COPY_INPUT, "scope": "selected", "members": [str(other.members[0].id)]},
                            operator)
    assert "対象の世帯" in field_errors(exc.value)["members"]


def test_hold_and_resume_return_to_the_same_state(checked_case, operator) -> None:
    case = checked_case()
    with pytest.raises(CaseError, match="保留の理由"):
        cases.hold(case, operator, "")
    cases.hold(case, operator, "必要書類を取りに帰宅")
    assert case.state == "on_hold"
    with pytest.raises(CaseError):
        inputs.request_review(case, operator)
    cases.resume(case, operator)
    assert case.state == "input"


def test_withdrawal_closes_the_case_and_drops_fees(checked_case, operator) -> None:
    household = yamabiko_family()
    case = checked_case(subject_id=household.members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    cases.withdraw(case, operator, "本人の申出により取下げ")
    assert case.state == "withdrawn" and case.fee_lines == [] and case.closed_at
    with pytest.raises(CaseError):
        cases.resume(case, operator)


def test_time_in_each_state_comes_from_the_events(checked_case, operator) -> None:
    case = checked_case()
    base = datetime(2026, 4, 1, 9, 0)
    changes = [e for e in case.events if e.from_state != e.to_state]
    for minutes, event in zip((0, 5, 12), changes, strict=True):
        event.at = base + timedelta(minutes=minutes)
    spent = lists.time_in_states(case, until=base + timedelta(minutes=30))
    assert spent == {"received": timedelta(minutes=5), "checking": timedelta(minutes=7),
                     "input": timedelta(minutes=18)}


def test_work_lists_and_search(checked_case, open_case, operator, city, db_session) -> None:
    household = yamabiko_family()
    reviewed = checked_case(subject_id=household.members[0].id)
    inputs.save_input(reviewed, COPY_INPUT, operator)
    inputs.request_review(reviewed, operator)
    waiting = open_case("seal_certificate", visitor="印鑑 花子")
    assert db_session.scalars(lists.waiting_for_review()).all() == [reviewed]
    assert set(db_session.scalars(lists.my_cases(operator)).all()) == {reviewed, waiting}
    assert set(db_session.scalars(lists.todays_cases()).all()) == {reviewed, waiting}
    found = db_session.scalars(lists.search_cases(lists.CaseSearch(person="印鑑"))).all()
    assert found == [waiting]
    by_state = lists.search_cases(
        lists.CaseSearch(state="review_requested", procedure="resident_record_copy"))
    assert db_session.scalars(by_state).all() == [reviewed]
    assert db_session.scalars(lists.search_cases(lists.CaseSearch(date_to=date(2000, 1, 1)))).all() == []
    lists.list_cases(lists.todays_cases(), operator, purpose="本日の案件")
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.object_type == "case_list")) is not None


def test_every_case_change_is_audited(checked_case, operator, db_session) -> None:
    case = checked_case()
    details = db_session.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "case",
                                                                 AuditEntry.object_id == str(case.id))).all()
    assert "確認内容の記録" in details
    assert any(d.startswith("確認完了：確認→入力") for d in details)


def test_average_time_per_state_over_closed_cases(checked_case, operator) -> None:
    first, second = checked_case(), checked_case()
    base = datetime(2026, 4, 1, 9, 0)
    for case, minutes in ((first, 4), (second, 8)):
        cases.withdraw(case, operator, "取下げ")
        changes = [e for e in case.events if e.from_state != e.to_state]
        for n, event in enumerate(changes):
            event.at = base + timedelta(minutes=minutes * n)
    average = lists.average_time_in_states([first, second, checked_case()])
    assert average == {"received": timedelta(minutes=6), "checking": timedelta(minutes=6),
                       "input": timedelta(minutes=6)}


def _issued_copy(checked_case, operator, city):
    """A 住民票の写し case approved by city staff and issued: waiting at the cashier."""
    case = checked_case(subject_id=yamabiko_family().members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    issue.issue(case, operator)
    return case


def _take_to_payment(case, subject_id: int, operator, city) -> None:
    """Checks (driving licence), input, city review and issue: the case waits at the cashier."""
    residents.set_subject(case, subject_id, operator)
    checks.save_checks(case, CheckInput(requester_name="山彦 太郎", identity_docs=["drivers_license"],
                                          content_checked=True, documents_checked=list(case.procedure.documents)),
                         operator)
    checks.confirm_checks(case, operator)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    issue.issue(case, operator)


def _called_ticket():
    """An 証明書 ticket called at counter 1: the visitor now at the counter."""
    from app.core.services import save_counter
    from app.queue import services as queue

    desk = save_counter(None, 1, "証明書", "citizens")
    category = queue.save_category(None, queue.CategoryInput(
        code="certificate", name="証明書", letter="A", counter_ids=(desk.id,), minutes_per_ticket=5, sort_order=1))
    ticket = queue.issue_ticket(category, check_hours=False)
    assert queue.call_next(desk) is ticket
    return ticket


def test_paying_the_bill_at_the_register_completes_the_case(
        checked_case, operator, city, make_user, db_session) -> None:
    from app.devices.services import NewTerminal, create_terminal
    from app.register.services import PaymentInput, bill_for_source, take_payment

    case = _issued_copy(checked_case, operator, city)
    register_pc, _ = create_terminal(NewTerminal("register-c", "会計 レジ", "register"))
    cashier = make_user("operator", "cashier1")
    bill = bill_for_source("case", case.id)
    result = take_payment(bill.id, register_pc, PaymentInput("cash", 1000, "k" * 32), cashier)
    db_session.commit()
    assert case.state == "done"
    assert case.events[-1].note == f"領収番号 {result.payment.receipt_no}"


def test_a_voided_payment_sends_the_case_back_to_payment_or_refunds_it(
        checked_case, operator, city, make_user, db_session) -> None:
    from app.devices.services import NewTerminal, create_terminal
    from app.register.services import PaymentInput, approve_void, bill_for_source, request_void, take_payment

    case = _issued_copy(checked_case, operator, city)
    register_pc, _ = create_terminal(NewTerminal("register-v", "会計 レジ", "register"))
    cashier, supervisor = make_user("operator", "cashier-v"), make_user("supervisor", "chief-v")
    bill = bill_for_source("case", case.id)
    first = take_payment(bill.id, register_pc, PaymentInput("cash", 1000, "a" * 32), cashier).payment

    approve_void(request_void(first, register_pc, cashier, "金額の誤り", reopen_bill=True), supervisor)
    assert (case.state, case.closed_at, bill.state) == ("payment", None, "open")
    assert (case.events[-1].action, case.events[-1].username) == ("reopen_payment", "chief-v")
    assert case.events[-1].note == f"領収番号 {first.receipt_no} を取消：金額の誤り"

    second = take_payment(bill.id, register_pc, PaymentInput("cash", 600, "b" * 32), cashier).payment
    assert case.state == "done"
    approve_void(request_void(second, register_pc, cashier, "交付を取りやめ返金", reopen_bill=False), supervisor)
    db_session.commit()
    assert (case.state, bill.state) == ("withdrawn", "cancelled") and case.closed_at is not None
    assert [e.action for e in case.events if e.action in ("complete_payment", "reopen_payment", "refund")] == [
        "complete_payment", "reopen_payment", "complete_payment", "refund"]


def test_a_fee_the_register_refuses_stops_the_issue_with_a_message(checked_case, operator, city, db_session) -> None:
    from sqlalchemy import delete

    from app.register.models import Fee

    case = checked_case(subject_id=yamabiko_family().members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    review.start_review(case, city)
    review.approve(case, city)
    db_session.execute(delete(Fee).where(Fee.code == "resident_record_copy"))  # a gap in today's schedule
    with pytest.raises(CaseError, match="会計へ送れませんでした：手数料「resident_record_copy」は手数料表にない"):
        issue.issue(case, operator)
    assert case.state == "issue"


def test_the_operator_cannot_complete_payment_by_hand(checked_case, operator, city) -> None:
    case = _issued_copy(checked_case, operator, city)
    with pytest.raises(CaseError, match="不明な操作"):
        actions.act(case, "complete_payment", operator)
    assert case.state == "payment"


def test_a_visit_with_two_fee_cases_leaves_the_cashier_after_both_are_paid(
        operator, city, make_user, db_session) -> None:
    from app.devices.services import NewTerminal, create_terminal
    from app.register.services import PaymentInput, bill_for_source, open_bill_for_ticket, take_payment

    ticket = _called_ticket()
    visit = visits.open_visit("山彦 太郎", ["resident_record_copy", "resident_record_copy"], operator,
                                ticket_id=ticket.id)
    subject = yamabiko_family().members[0].id
    for case in visit.cases:
        _take_to_payment(case, subject, operator, city)
    first, second = visit.cases
    assert open_bill_for_ticket(ticket.label).id == bill_for_source("case", first.id).id  # oldest first
    register_pc, _ = create_terminal(NewTerminal("register-2", "会計 レジ", "register"))
    cashier = make_user("operator", "cashier-2")
    take_payment(bill_for_source("case", first.id).id, register_pc, PaymentInput("cash", 600, "c" * 32), cashier)
    assert (first.state, second.state, ticket.state) == ("done", "payment", "cashier_waiting")
    take_payment(bill_for_source("case", second.id).id, register_pc, PaymentInput("cash", 600, "d" * 32), cashier)
    db_session.commit()
    assert (second.state, ticket.state) == ("done", "finished")


def test_a_case_issued_after_the_visits_first_payment_brings_the_number_back(
        operator, city, make_user, db_session) -> None:
    from app.devices.services import NewTerminal, create_terminal
    from app.register.services import PaymentInput, bill_for_source, take_payment

    ticket = _called_ticket()
    visit = visits.open_visit("山彦 太郎", ["resident_record_copy", "resident_record_copy"], operator,
                                ticket_id=ticket.id)
    first, second = visit.cases
    subject = yamabiko_family().members[0].id
    _take_to_payment(first, subject, operator, city)
    register_pc, _ = create_terminal(NewTerminal("register-3", "会計 レジ", "register"))
    cashier = make_user("operator", "cashier-3")
    take_payment(bill_for_source("case", first.id).id, register_pc, PaymentInput("cash", 600, "e" * 32), cashier)
    assert ticket.state == "finished"
    _take_to_payment(second, subject, operator, city)
    assert ticket.state == "cashier_waiting"
    take_payment(bill_for_source("case", second.id).id, register_pc, PaymentInput("cash", 600, "f" * 32), cashier)
    db_session.commit()
    assert (second.state, ticket.state) == ("done", "finished")


def test_a_cancelled_bill_withdraws_the_case_and_the_number_leaves_the_cashier(
        operator, city, make_user, db_session) -> None:
    from app.register.services import bill_for_source, cancel_bill

    ticket = _called_ticket()
    case = visits.open_visit("山彦 太郎", ["resident_record_copy"], operator, ticket_id=ticket.id).cases[0]
    _take_to_payment(case, yamabiko_family().members[0].id, operator, city)
    assert ticket.state == "cashier_waiting"
    cancel_bill(bill_for_source("case", case.id), "会計前に帰られた", make_user("supervisor", "chief-c"))
    db_session.commit()
    assert (case.state, ticket.state) == ("withdrawn", "no_show")
    assert (case.events[-1].action, case.events[-1].note) == ("cancel_payment", "請求取消：会計前に帰られた")
    assert (case.withdraw_reason, case.fee_lines) == ("請求取消：会計前に帰られた", [])


def test_the_ticket_follows_the_case_to_the_cashier_and_out(
        checked_case, operator, city, make_user, db_session) -> None:
    from app.devices.services import NewTerminal, create_terminal
    from app.queue import services as queue
    from app.register.services import PaymentInput, bill_for_source, take_payment

    ticket = _called_ticket()
    case = visits.open_visit("山彦 太郎", ["resident_record_copy"], operator, ticket_id=ticket.id).cases[0]
    _take_to_payment(case, yamabiko_family().members[0].id, operator, city)
    bill = bill_for_source("case", case.id)
    assert (ticket.state, bill.ticket_number) == ("cashier_waiting", ticket.label)
    assert queue.call_next_cashier("会計窓口") is ticket
    register_pc, _ = create_terminal(NewTerminal("register-q", "会計 レジ", "register"))
    take_payment(bill.id, register_pc, PaymentInput("cash", 1000, "q" * 32), make_user("operator", "cashier2"))
    db_session.commit()
    assert (case.state, ticket.state) == ("done", "finished")
