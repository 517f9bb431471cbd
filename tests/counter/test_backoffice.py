"""The back-office ledgers left by issue 21: 旅券 (the six months of 旅券法 §18①二 counted as
民法 §140・§143② count them), 住居番号の通知 (a number once per 街区, the notice PDF), 進達 (the
overdue answers) and 不着保険証 (the registry address check; handed over or destroyed, never both);
each refuses with every problem at once and changes nothing, and audits what it reads and writes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.auth.models import AuditEntry
from app.core import services as core
from app.counter.backoffice import cards, forwardings, house_numbers, passports
from app.counter.backoffice.common import BackofficeError
from app.counter.backoffice.models import AddressCheck, HouseNumberNotice, PassportApplication, ReturnedCard
from app.demo import DEMO_CITY
from app.extensions import db
from app.registry.models import Household, Resident
from app.reports.sections import Period, backoffice_section

DAY = date(2026, 12, 7)


def _passport(operator: Any, issued_on: date, *, received: date | None = None) -> PassportApplication:
    received = received or issued_on - timedelta(days=10)
    item = passports.receive(passports.ApplicationInput("旅川 一郎", "山彦市本町1-1", "ten_years", received),
                             today=received, by=operator)
    passports.send(item, passports.StepInput(received + timedelta(days=1)), today=issued_on, by=operator)
    passports.arrive(item, passports.StepInput(issued_on, issued_on), today=issued_on, by=operator)
    return item


@pytest.mark.parametrize(("issued", "first_lapsed_day"), [
    (date(2026, 6, 10), date(2026, 12, 11)),  # 民法 §143②: ends 12-10, past from 12-11
    (date(2026, 8, 31), date(2027, 3, 1)),  # no 31 February: ends on 28 February
    (date(2026, 8, 30), date(2027, 3, 1)),
    (date(2027, 8, 29), date(2028, 3, 1)),  # leap year: ends on 29 February
    (date(2026, 12, 31), date(2027, 7, 1)),  # across the year, 30 June the last day
])
def test_a_passport_is_past_six_months_from_the_right_day(operator, issued, first_lapsed_day) -> None:
    assert passports.lapses_on(issued) == first_lapsed_day
    item = _passport(operator, issued)
    eve = first_lapsed_day - timedelta(days=1)
    assert not passports.past_six_months(item, eve)
    assert passports.past_six_months(item, first_lapsed_day)
    assert list(db.session.scalars(passports.uncollected_query(eve))) == []
    assert list(db.session.scalars(passports.uncollected_query(first_lapsed_day))) == [item]


def test_a_lapsed_passport_is_not_handed_out_but_returned_and_leaves_the_list(operator) -> None:
    item = _passport(operator, date(2026, 6, 10))
    with pytest.raises(BackofficeError) as refused:
        passports.hand_out(item, passports.StepInput(date(2026, 12, 11), identity_document="旅券"),
                           today=date(2026, 12, 11), by=operator)
    assert refused.value.field == "day" and "第18条第1項第2号" in refused.value.message
    assert item.handed_on is None
    passports.return_to_prefecture(item, passports.StepInput(date(2026, 12, 11)), today=date(2026, 12, 11),
                                   by=operator)
    assert passports.state_label(item, DAY).startswith("未交付失効")
    assert list(db.session.scalars(passports.uncollected_query(DAY))) == []


def test_a_passport_goes_from_receipt_to_hand_out_with_the_identity_checked(operator) -> None:
    item = _passport(operator, date(2026, 12, 1))
    assert passports.state_label(item, DAY) == "交付待ち"
    with pytest.raises(BackofficeError) as refused:
        passports.return_to_prefecture(item, passports.StepInput(DAY), today=DAY, by=operator)
    assert "6か月" in refused.value.message
    passports.hand_out(item, passports.StepInput(DAY, identity_document="運転免許証"), today=DAY, by=operator)
    assert (item.handed_on, item.identity_checked_by_id) == (DAY, operator.id)
    kinds = [e.detail for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "passport_application", AuditEntry.object_id == str(item.id)))]
    assert any("旅券交付" in d for d in kinds) and any("受付" in d for d in kinds)


def test_a_passport_application_refuses_every_problem_at_once(operator) -> None:
    with pytest.raises(BackofficeError) as refused:
        passports.receive(passports.ApplicationInput(" ", "", "", DAY + timedelta(days=1)), today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"applicant_name", "applicant_address", "kind", "received_on"}
    assert db.session.query(PassportApplication).count() == 0
    item = passports.receive(passports.ApplicationInput("旅川 花子", "山彦市本町1-1", "five_years", DAY), today=DAY,
                             by=operator)
    with pytest.raises(BackofficeError) as refused:
        passports.arrive(item, passports.StepInput(DAY, None), today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"", "issued_on"}  # not sent yet; no issue date


def test_the_database_refuses_a_passport_both_handed_out_and_returned(operator) -> None:
    item = _passport(operator, date(2026, 12, 1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE counter_passport_applications SET handed_on = :d, returned_on = :d "
                                "WHERE id = :i"), {"d": DAY, "i": item.id})
        db.session.flush()
    db.session.rollback()


def _notice(number: str = "12", **changes: Any) -> house_numbers.NoticeInput:
    values = {"block": "山彦市本町一丁目3番", "number": number, "building": "新居邸", "person_name": "新居 正男",
              "person_role": "所有者", "applied_on": DAY - timedelta(days=3), "issued_on": DAY}
    return house_numbers.NoticeInput(**(values | changes))


def test_a_house_number_is_notified_once_in_its_block_and_the_notice_is_a_pdf(operator) -> None:
    core.save_municipality(DEMO_CITY)
    notice = house_numbers.issue(_notice("１５－２"), today=DAY, by=operator)
    assert (notice.notice_number, notice.address) == ("2026-0001", "山彦市本町一丁目3番15-2号")
    with pytest.raises(BackofficeError) as refused:
        house_numbers.issue(_notice("15-2", person_name="別人"), today=DAY, by=operator)
    assert refused.value.field == "number" and "2026-0001" in refused.value.message
    other_block = house_numbers.issue(_notice("15-2", block="山彦市本町一丁目4番"), today=DAY, by=operator)
    assert other_block.notice_number == "2026-0002"
    from app.counter.backoffice.house_pdf import notice_pdf

    assert notice_pdf(notice).startswith(b"%PDF")
    house_numbers.hand_over(notice, DAY, today=DAY, by=operator)
    with pytest.raises(BackofficeError):
        house_numbers.hand_over(notice, DAY, today=DAY, by=operator)


def test_a_house_number_notice_refuses_every_problem_at_once(operator) -> None:
    with pytest.raises(BackofficeError) as refused:
        house_numbers.issue(_notice("12a", person_name="", person_role="", issued_on=DAY - timedelta(days=5)),
                            today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"number", "person_name", "person_role", "issued_on"}
    assert db.session.query(HouseNumberNotice).count() == 0


def test_a_forwarding_is_overdue_from_the_day_after_its_answer_day(operator) -> None:
    item = forwardings.forward(forwardings.ForwardingInput("児童手当 認定請求書", "", "city_department", "子育て支援課",
                                                           DAY, forwardings.default_due(DAY)), today=DAY, by=operator)
    due = DAY + timedelta(days=forwardings.DEFAULT_ANSWER_DAYS)
    assert item.due_on == due
    assert list(db.session.scalars(forwardings.overdue_query(due))) == []
    assert list(db.session.scalars(forwardings.overdue_query(due + timedelta(days=1)))) == [item]
    with pytest.raises(BackofficeError) as refused:
        forwardings.record_answer(item, forwardings.AnswerInput(DAY - timedelta(days=1), ""), today=due, by=operator)
    assert {p.field for p in refused.value.problems} == {"answered_on", "answer"}
    forwardings.record_answer(item, forwardings.AnswerInput(due, "受理しました"), today=due, by=operator)
    assert list(db.session.scalars(forwardings.overdue_query(due + timedelta(days=1)))) == []


def test_a_forwarding_refuses_every_problem_at_once(operator) -> None:
    with pytest.raises(BackofficeError) as refused:
        forwardings.forward(forwardings.ForwardingInput("", "", "x", "", DAY, DAY - timedelta(days=1)), today=DAY,
                            by=operator)
    assert {p.field for p in refused.value.problems} == {"what", "destination_kind", "destination", "due_on"}


@pytest.fixture
def resident(app) -> Resident:
    household = Household(postal_code="9990001", address="山彦市本町2丁目3番4号", created_on=date(2000, 1, 1))
    person = Resident(household=household, family_name="転居", given_name="太郎", family_kana="テンキョ",
                      given_kana="タロウ", birth_date=date(1960, 1, 1), sex="1", relationship="世帯主",
                      resident_since=date(2000, 1, 1), address_since=date(2000, 1, 1), notified_on=date(2000, 1, 1))
    db.session.add_all([household, person])
    db.session.flush()
    return person


def _card(operator: Any, resident_id: int | None = None, address: str = "山彦市本町9丁目9番9号",
          returned: date = DAY) -> ReturnedCard:
    return cards.receive(cards.CardInput("nhi", "転居 太郎", resident_id, address, returned, "moved"), today=DAY,
                         by=operator)


def test_a_card_cannot_be_destroyed_and_handed_over_both(operator) -> None:
    card = _card(operator)
    cards.hand_over(card, cards.EndInput(DAY, "本人（窓口）"), today=DAY, by=operator)
    with pytest.raises(BackofficeError) as refused:
        cards.destroy(card, cards.EndInput(DAY, "市の指示"), today=DAY, by=operator)
    assert "引渡し済" in refused.value.message and card.destroyed_on is None
    other = _card(operator)
    cards.destroy(other, cards.EndInput(DAY, "市の指示"), today=DAY, by=operator)
    with pytest.raises(BackofficeError):
        cards.hand_over(other, cards.EndInput(DAY, "本人"), today=DAY, by=operator)
    db.session.commit()
    with pytest.raises(IntegrityError):  # and the database says so too
        db.session.execute(text("UPDATE counter_returned_cards SET handed_on = :d WHERE id = :i"),
                           {"d": DAY, "i": other.id})
        db.session.flush()
    db.session.rollback()


def test_the_address_is_checked_against_the_registry_and_the_read_audited(operator, resident) -> None:
    moved = _card(operator, resident.id)
    assert cards.check_address(moved, today=DAY, by=operator) == AddressCheck.differs
    assert moved.registry_address.endswith("本町2丁目3番4号")
    same = _card(operator, resident.id, address="山彦市本町２丁目３番４号")
    assert cards.check_address(same, today=DAY, by=operator) == AddressCheck.same
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "resident",
                                                        AuditEntry.object_id == str(resident.id)))
    assert any("不着保険証の住所確認" in e.detail for e in reads)
    with pytest.raises(BackofficeError):
        cards.check_address(_card(operator), today=DAY, by=operator)  # no resident number


def test_open_cards_are_listed_oldest_first_with_their_age(operator) -> None:
    old, new = _card(operator, returned=DAY - timedelta(days=95)), _card(operator, returned=DAY - timedelta(days=3))
    done = _card(operator, returned=DAY - timedelta(days=200))
    cards.hand_over(done, cards.EndInput(DAY, "保険年金課"), today=DAY, by=operator)
    assert list(db.session.scalars(cards.open_query())) == [old, new]
    assert [(cards.age(c, DAY), cards.age_band(c, DAY)) for c in (old, new)] == [(95, "90日以上"), (3, "30日未満")]
    with pytest.raises(BackofficeError) as refused:
        cards.receive(cards.CardInput("", "", 999999, "", None, ""), today=DAY, by=operator)
    assert {p.field for p in refused.value.problems} == {"kind", "person_name", "resident_id", "mailed_address",
                                                         "returned_on", "reason"}


def test_the_monthly_report_counts_each_ledger(operator) -> None:
    _passport(operator, date(2026, 5, 1), received=date(2026, 4, 20))  # past six months from 2 November
    forwardings.forward(forwardings.ForwardingInput("書類", "", "other_office", "海辺町", date(2026, 11, 2),
                                                    date(2026, 11, 10)), today=DAY, by=operator)
    _card(operator, returned=date(2026, 11, 20))
    house_numbers.issue(_notice(applied_on=date(2026, 11, 1), issued_on=date(2026, 11, 5)), today=DAY, by=operator)
    figures = backoffice_section(Period(date(2026, 11, 1), date(2026, 11, 30))).figures
    assert (figures["passports_past_six_months"], figures["forwardings_sent"], figures["forwardings_overdue"],
            figures["cards_returned"], figures["cards_open"], figures["house_numbers_issued"]) == (1, 1, 1, 1, 1, 1)
    assert backoffice_section(Period(date(2026, 10, 1), date(2026, 10, 31))).figures["passports_past_six_months"] == 0
