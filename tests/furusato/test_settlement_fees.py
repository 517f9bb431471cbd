"""The portals' and payment fees the city pays directly (004 §13(1)イ ただし書; issue 19 §2) in
the cost ratio: a ratio computed by hand with the fees, a rate changed mid-year, the page naming
a portal without a rate (the ratio then a lower bound), and the rates refused on bad input."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.furusato.models import Donation
from app.furusato.settlement import costs, rates, ratio
from app.furusato.settlement.models import RateKind, SettlementRate
from app.furusato.settlement.rates import RateInput, SettlementError
from tests.furusato.settlement_data import november

FEE = "ポータルサイト・決済の手数料（付随費用）"


def _fee_rates() -> None:
    for kind, key, start, value in [
            (RateKind.portal_fee, "choice", date(2026, 4, 1), 500),  # 5.00%
            (RateKind.portal_fee, "choice", date(2026, 11, 16), 600),  # 6.00% from the 16th
            (RateKind.portal_fee, "satofull", date(2026, 4, 1), 1000), (RateKind.portal_fee, "own_site",
                                                                        date(2026, 4, 1), 0),
            (RateKind.payment_fee, "card", date(2026, 4, 1), 155), (RateKind.payment_fee, "cash", date(2026, 4, 1), 0)]:
        db.session.add(SettlementRate(kind=kind, key=key, effective_from=start, value=value))
    # the counter's donation without a gift was paid in cash
    db.session.query(Donation).filter_by(order_id="N5").one().payment_method = "cash"
    db.session.flush()


def test_the_cost_ratio_with_the_fees_golden(app, furusato) -> None:
    november()
    _fee_rates()
    found = ratio.cost_ratio(date(2026, 11, 30))
    # FY2026 to 11/30, by hand, by code (choice, own_site, satofull; card, cash). ふるさとチョイス: 10/31 5,000
    # and 11/3 10,000 at 5% (250 + 500), 11/20 50,000 at 6% (3,000); さとふる 30,000 at 10%; 本市独自サイト
    # 20,000 at 0%; the direct row has no portal fee.
    # Card 1.55% of 225,000 - 100,000 in cash = 125,000: 1,937.5, rounded down once; cash 0%.
    assert [(f.kind.value, f.label, f.base, f.amount) for f in found.fees] == [
        ("portal_fee", "ふるさとチョイス", 65_000, 3_750), ("portal_fee", "本市独自サイト", 20_000, 0),
        ("portal_fee", "さとふる", 30_000, 3_000), ("payment_fee", "クレジットカード", 125_000, 1_937),
        ("payment_fee", "現金（窓口）", 100_000, 0)]
    amounts = {c.label: c.amount for c in found.categories}
    assert amounts[FEE] == 3_750 + 3_000 + 1_937 == 8_687
    # the other categories as test_settlement.py computes them: 71,470
    assert (found.received, found.cost, found.percent) == (225_000, 71_470 + 8_687, "35.6%")
    assert not found.lower_bound and found.missing == []
    # outside the contractor's invoice (§13(1)イ ただし書: not in the commission)
    assert costs.costs(date(2026, 11, 1), date(2026, 12, 1)).total == 66_520


def test_a_fee_rate_changed_mid_year_applies_from_its_date_per_donation(app, furusato) -> None:
    november()
    _fee_rates()
    db.session.add(SettlementRate(kind=RateKind.portal_fee, key="choice", effective_from=date(2026, 11, 20),
                                  value=700))
    fees = costs.fees(date(2026, 4, 1), date(2026, 12, 1))
    choice = next(f for f in fees.lines if f.label == "ふるさとチョイス")
    # 11/20 is the new rate's first day: 50,000 at 7%; the earlier days keep 5%.
    assert (choice.base, choice.amount) == (65_000, 250 + 500 + 3_500)
    october = costs.fees(date(2026, 10, 1), date(2026, 11, 1))
    assert [(f.label, f.amount) for f in october.lines if f.kind == RateKind.portal_fee] == [("ふるさとチョイス", 250)]


def test_a_portal_without_a_fee_rate_is_named_and_the_ratio_is_a_lower_bound(app, furusato, client,
                                                                              login_as) -> None:
    november()
    _fee_rates()
    db.session.query(SettlementRate).filter_by(kind=RateKind.portal_fee, key="satofull").delete()
    db.session.commit()
    found = ratio.cost_ratio(date(2026, 11, 30))
    assert found.lower_bound and found.missing == ["さとふるの手数料率が未登録です"]
    assert {c.label: c.amount for c in found.categories}[FEE] == 3_750 + 1_937
    login_as("supervisor")
    page = client.get("/furusato/settlement/ratio?year=2026")
    assert page.status_code == 200
    assert "さとふるの手数料率が未登録です" in page.text and "下限値" in page.text
    assert "ふるさとチョイスの手数料率が未登録です" not in page.text


def test_fee_rates_refused_on_bad_input_change_nothing(app, furusato, make_user) -> None:
    supervisor = make_user("supervisor")
    with pytest.raises(SettlementError) as refused:
        rates.set_rate(RateInput("portal_fee", "nosuch", date(2026, 4, 1), 10_001), by=supervisor)
    problems = {p.field: p.message for p in refused.value.problems}
    assert set(problems) == {"key", "value"}
    assert "ポータルサイトのコード「nosuch」は登録されていません" in problems["key"]
    assert "choice（ふるさとチョイス）" in problems["key"]  # the known codes named
    assert "100%" in problems["value"]
    with pytest.raises(SettlementError) as refused:
        rates.set_rate(RateInput("payment_fee", "bitcoin", date(2026, 4, 1), -1), by=supervisor)
    problems = {p.field: p.message for p in refused.value.problems}
    assert set(problems) == {"key", "value"} and "決済方法「bitcoin」は登録されていません" in problems["key"]
    assert db.session.query(SettlementRate).count() == 0
    row = rates.set_rate(RateInput("portal_fee", "ふるさとチョイス", date(2026, 4, 1), 10_000), by=supervisor)
    assert (row.key, row.value) == ("choice", 10_000)  # a name is taken for its code; 100% is allowed


def test_the_rates_page_refuses_an_unknown_portal_and_keeps_what_was_typed(app, furusato, client, login_as) -> None:
    login_as("supervisor")
    typed = {"kind": "portal_fee", "key": "ｒａｋｕｔｅｎｎ", "effective_from": "2026-04-01", "value": "１２０００"}
    refused = client.post("/furusato/settlement/rates", data=typed)
    assert refused.status_code == 422
    assert "ポータルサイトのコード「rakutenn」は登録されていません" in refused.text
    assert "0%～100%" in refused.text and 'value="rakutenn"' in refused.text
    assert db.session.query(SettlementRate).count() == 0
    done = client.post("/furusato/settlement/rates", data={**typed, "key": "rakuten", "value": "1000"})
    assert done.status_code == 303
    page = client.get("/furusato/settlement/rates").text
    assert "楽天ふるさと納税" in page and "10.00%" in page


def test_the_demo_has_a_fee_rate_for_every_demo_portal(app, furusato) -> None:
    from app.core.dates import today
    from app.furusato.settlement import demo
    from tests.furusato.reporting_data import donation, donor

    demo.load()
    codes = [p.code for p in rates.fee_portals()]
    assert {r.key for r in rates.rates() if r.kind == RateKind.portal_fee} == set(codes)
    person = donor()
    for code in [*codes, "direct"]:  # paid by card
        donation(person, today(), 10_000, portal=code)
    found = ratio.cost_ratio(today())
    assert found.missing == [] and {c.label: c.amount for c in found.categories}[FEE] > 0
