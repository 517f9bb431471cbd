"""Supplier settlement and the contractor's invoice (004 §7(7), §13; issue 19 §1-2): a seeded
November reproduces a statement and an invoice computed by hand, with the §13(1)ア exclusions;
the cost ratio by category; the invoice's due day rolled past closed days."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.furusato.settlement import costs, ratio, services
from app.furusato.settlement.models import InvoiceState, SupplierMonthState
from app.furusato.settlement.periods import bill_due, payment_due
from app.furusato.settlement.rates import SettlementError
from tests.furusato.settlement_data import NOVEMBER, november

DECEMBER = date(2026, 12, 1)


def test_the_suppliers_statement_is_the_lines_shipped_in_the_month(app, furusato) -> None:
    seeded = november()
    found = services.statement(seeded["orchard"], NOVEMBER)
    rows = [(r.shipped_on, r.gift_code, r.parcels, r.count, r.unit_cost, r.procurement, r.shipping)
            for r in found.lines]
    # Hand-computed: りんご 2 parcels × 900; 和牛 one parcel of 2 × 9,000, 80-size 1,200 + cool 300.
    assert rows == [(date(2026, 11, 5), "SET-G1", 2, 2, 3_000, 6_000, 1_800),
                    (date(2026, 11, 5), "SET-G2", 1, 2, 9_000, 18_000, 1_500),
                    (date(2026, 11, 20), "SET-G1", 1, 1, 3_000, 3_000, 900)]
    assert (found.parcels, found.count, found.procurement, found.shipping, found.total) == (4, 5, 27_000, 4_200, 31_200)
    assert [s.supplier.code for s in services.statements(NOVEMBER)] == ["SET-1", "SET-2"]


def test_the_contractors_invoice_golden(app, furusato) -> None:
    november()
    c = services.invoice_figures(NOVEMBER)
    # §13(1)ア: counted 10,000 (11/3, 10%) + 10,000 (counter with a gift, 11/13, 10%) + 50,000 (11/20, 12%);
    # excluded さとふる 30,000, own site 20,000, the counter without a gift 100,000, the cancelled 99,000.
    assert (c.commission_base, c.commission) == (70_000, 1_000 + 1_000 + 6_000)
    assert (c.procurement, c.shipping) == (27_000 + 4_000, 4_200 + 900)  # §13(2), (3)
    assert c.certificates == 7 * 110  # §13(4): the batch posted 11/25
    assert (c.onestop_count, c.onestop) == (3, 3 * 550)  # §13(5)
    assert c.advertising == 20_000  # §13(6)
    assert c.total == 8_000 + 31_000 + 5_100 + 770 + 1_650 + 20_000 == 66_520


def test_a_month_is_confirmed_disputed_resolved_closed_and_reopened_by_a_supervisor(app, furusato, make_user) -> None:
    seeded = november()
    operator, supervisor = make_user("operator"), make_user("supervisor")
    orchard = seeded["orchard"]
    services.dispute(orchard, NOVEMBER, "11/20 のりんごは1箱ではなく2箱", by=operator)
    with pytest.raises(SettlementError):
        services.confirm(orchard, NOVEMBER, "", by=operator)
    with pytest.raises(SettlementError) as refused:
        services.resolve(orchard, NOVEMBER, "  ", by=operator)
    assert refused.value.field == "note"
    services.resolve(orchard, NOVEMBER, "出荷記録を確認、1箱で正しいと合意", by=operator)
    row = services.confirm(orchard, NOVEMBER, "", by=operator)
    assert (row.state, row.procurement, row.shipping) == (SupplierMonthState.confirmed, 27_000, 4_200)
    with pytest.raises(SettlementError):
        services.reopen(orchard, NOVEMBER, "訂正", by=operator)  # a supervisor only
    with pytest.raises(SettlementError):
        services.reopen(orchard, NOVEMBER, "", by=supervisor)  # with a reason
    services.reopen(orchard, NOVEMBER, "和牛の単価訂正のため", by=supervisor)
    assert [n.kind.value for n in row.notes] == ["dispute", "resolve", "confirm", "reopen"]
    from app.auth.models import AuditEntry
    assert db.session.query(AuditEntry).filter_by(object_type="furusato_supplier_month").count() == 4


def test_the_invoice_waits_for_every_supplier_and_is_tracked_to_paid(app, furusato, make_user) -> None:
    seeded = november()
    operator, city = make_user("operator"), make_user("city_staff")
    services.confirm(seeded["orchard"], NOVEMBER, "", by=operator)
    with pytest.raises(SettlementError) as refused:
        services.issue_invoice(NOVEMBER, by=operator)
    assert "山彦牧場" in refused.value.message
    services.confirm(seeded["ranch"], NOVEMBER, "", by=operator)
    invoice = services.issue_invoice(NOVEMBER, by=operator)
    assert (invoice.total, invoice.due_on) == (66_520, date(2026, 12, 10))
    with pytest.raises(SettlementError):
        services.accept_invoice(invoice, date(2026, 12, 9), by=operator)  # the city accepts
    services.accept_invoice(invoice, date(2026, 12, 9), by=city)
    assert invoice.pay_by == date(2027, 1, 8)  # §7(7)ウ: 30 days
    services.record_payment(invoice, date(2027, 1, 6), by=operator)
    assert invoice.state == InvoiceState.paid


def test_carrier_invoices_are_reconciled_against_the_lines(app, furusato, make_user) -> None:
    november()
    operator = make_user("operator")
    services.add_carrier_invoice(NOVEMBER, services.CarrierInput("ヤマト運輸", "Y-1", 5, 5_400), by=operator)
    found = services.reconciliation(NOVEMBER)
    assert (found.parcels, found.shipping, found.parcel_difference, found.difference) == (5, 5_100, 0, 300)
    with pytest.raises(SettlementError) as refused:
        services.add_carrier_invoice(NOVEMBER, services.CarrierInput("", "", None, -1), by=operator)
    assert {p.field for p in refused.value.problems} == {"carrier", "parcels", "amount"}


def test_the_cost_ratio_by_category_and_its_warning(app, furusato, make_user) -> None:
    november()
    found = ratio.cost_ratio(date(2026, 11, 30))
    amounts = {c.label: c.amount for c in found.categories}
    # FY2026 up to 11/30: November plus October's line (3,000 + 900), donation (5,000 at 10%) and application.
    assert amounts == {"返礼品等の調達に要する費用": 34_000, "返礼品等の送付に要する費用": 6_000,
                       "広報に要する費用": 20_000, "事務に要する費用（基本委託料）": 8_500,
                       "受領証明書の発送に要する費用（付随費用）": 770,
                       "ワンストップ特例の事務に要する費用（付随費用）": 1_100 + 1_100,
                       "ポータルサイト・決済の手数料（付随費用）": 0}  # no fee rates: test_settlement_fees.py
    assert found.lower_bound and "ふるさとチョイスの手数料率が未登録です" in found.missing
    assert (found.received, found.cost, found.percent, found.warning) == (225_000, 71_470, "31.8%", False)
    services.add_ad(services.AdInput(date(2026, 11, 28), "雑誌広告", "", 30_000, date(2026, 11, 20)),
                    by=make_user("operator"))
    found = ratio.cost_ratio(date(2026, 11, 30))
    assert (found.cost, found.percent, found.warning, found.over) == (101_470, "45.1%", True, False)


def test_an_ad_needs_the_citys_approval_beforehand(app, furusato, make_user) -> None:
    with pytest.raises(SettlementError) as refused:
        services.add_ad(services.AdInput(date(2026, 11, 1), "", "", 0, date(2026, 11, 2)), by=make_user("operator"))
    assert {p.field for p in refused.value.problems} == {"medium", "amount", "approved_on"}


@pytest.mark.parametrize(("month", "due"), [
    (date(2026, 11, 1), date(2026, 12, 10)),  # Thursday
    (date(2026, 12, 1), date(2027, 1, 12)),  # 10 Jan 2027 is a Sunday, the 11th 成人の日
    (date(2026, 9, 1), date(2026, 10, 13)),  # 10 Oct 2026 Saturday, the 12th スポーツの日
])
def test_the_invoice_is_due_by_the_10th_rolled_to_the_next_office_day(app, month: date, due: date) -> None:
    assert bill_due(month) == due


def test_payment_is_due_30_days_after_acceptance() -> None:
    assert payment_due(date(2026, 12, 9)) == date(2027, 1, 8)


def test_the_statement_lines_count_only_shipped_lines(app, furusato) -> None:
    november()
    assert sum(r.parcels for r in costs.statement_lines(NOVEMBER, DECEMBER)) == 5


def test_the_monthly_report_has_the_shipping_onestop_and_settlement_sections(app, furusato) -> None:
    from app.furusato.reports.sections import SECTIONS, Scope
    from app.furusato.settlement import report_sections

    november()
    assert all(s in SECTIONS for s in report_sections.SECTIONS)
    scope = Scope(NOVEMBER, DECEMBER)
    shipping = dict(report_sections.shipping(scope).rows)
    assert shipping["出荷した明細（個口）"] == 5
    onestop = dict(report_sections.onestop(scope).rows)
    assert onestop["受理した申請書（件）"] == 3
    money = {r[0]: r[2] for r in report_sections.settlement(scope).rows}
    assert money["山彦果樹園（確認待ち）"] == 27_000 and money["請求額の合計"] == 66_520
