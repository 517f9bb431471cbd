"""First checks of medical-subsidy applications (000 §6(12)②, issue 21): the rules are data with
their source; what is missing is listed, and only a complete application goes to the city."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.dates import today
from app.counter.monthly import handovers, subsidy
from app.counter.monthly.models import SubsidyKind
from app.counter.monthly.summary import monthly_checks_summary
from app.extensions import db
from tests.registry.factories import make_household


def test_every_kind_has_its_rules_and_source() -> None:
    found = subsidy.rules()
    assert set(found) == set(SubsidyKind)
    for rule in found.values():
        assert rule.source.startswith("000 §6(12)②") and rule.items
    assert found[SubsidyKind.child].age_limit_end_of_fiscal_year == 18


@pytest.mark.parametrize(("born", "until"), [
    (date(2012, 4, 1), date(2030, 3, 31)),  # reaches 18 on 31 March 2030 itself
    (date(2012, 4, 2), date(2031, 3, 31)),  # reaches 18 on 1 April 2030
    (date(2012, 2, 29), date(2030, 3, 31)),  # reaches 18 on 28 February 2030
])
def test_covered_until_the_31_march_after_reaching_the_age(born: date, until: date) -> None:
    assert subsidy.covered_until(born, 18) == until


@pytest.fixture
def child(app) -> int:
    household = make_household([{"family_name": "医療", "given_name": "親", "birth_date": date(1985, 5, 1)},
                                {"family_name": "医療", "given_name": "子", "birth_date": date(2015, 6, 1)},
                                {"family_name": "医療", "given_name": "兄", "birth_date": date(2000, 6, 1)}])
    db.session.commit()
    return household.members[1].id


def test_the_missing_are_listed_and_a_complete_one_goes_to_the_city(app, make_user, child: int) -> None:
    operator = make_user("operator")
    with pytest.raises(subsidy.SubsidyError) as refused:
        subsidy.check(subsidy.CheckInput(kind="", resident_id=None, received_on=None), by=operator)
    assert {p.field for p in refused.value.problems} == {"kind", "resident_id", "received_on"}
    partial = subsidy.check(subsidy.CheckInput("child", child, today(), ["form", "receipt"]), by=operator)
    assert partial.missing == ["受給者証（番号の確認）", "振込先口座の分かるもの"]
    with pytest.raises(subsidy.SubsidyError, match="不足が2件"):
        subsidy.send_to_city(partial, by=operator)
    complete = subsidy.check(subsidy.CheckInput("child", child, today(),
                                                ["form", "recipient_card", "receipt", "account"]), by=operator)
    assert complete.missing == []
    subsidy.send_to_city(complete, by=operator)
    handover = handovers.get(complete.handover_id or 0)
    assert handover is not None and handover.resident_id == child and "子ども医療費" in handover.what
    db.session.commit()
    summary = monthly_checks_summary(db.session, today().replace(day=1), today())
    assert (summary.subsidy_checked, summary.subsidy_incomplete, summary.subsidy_sent) == (2, 1, 1)
    assert summary.handovers_handed == 1


def test_a_child_past_the_age_limit_is_listed(app, make_user, child: int) -> None:
    operator = make_user("operator")
    older = child + 1
    made = subsidy.check(subsidy.CheckInput("child", older, today(), ["form", "recipient_card", "receipt", "account"]),
                         by=operator)
    assert made.missing and made.missing[0].startswith("対象年齢外")


def test_the_page_checks_and_keeps_the_input_when_refused(app, client, login_as, child: int) -> None:
    login_as("operator")
    assert "ひとり親家庭等医療費" in client.get("/counter/monthly/subsidy").get_data(as_text=True)
    refused = client.post("/counter/monthly/subsidy", data={"kind": "child", "resident_id": "999999",
                                                            "received_on": today().isoformat(),
                                                            "present": ["child:form"]})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "住民番号 999999 の住民記録はありません" in body
    assert 'value="child:form" checked' in body
    made = client.post("/counter/monthly/subsidy", data={"kind": "child", "resident_id": str(child),
                                                         "received_on": today().isoformat(),
                                                         "present": ["child:form", "maternity:receipt"]})
    assert made.status_code == 303
    page = client.get("/counter/monthly/subsidy").get_data(as_text=True)
    assert "医療機関の領収書" in page and "申請者に確認" in page
