"""The call centre's gift complaints (004 §7(8)ウ, issue 19 §4): an inquiry of category 苦情
about a gift opens a shipping problem on the donor's line chosen on the form; the problem
points back at the inquiry; the city sees both; a wrong choice is refused and keeps nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.furusato.calls import services as calls
from app.furusato.calls.models import Inquiry
from app.furusato.shipping import lines, runs
from app.furusato.shipping.models import ShipmentLine, ShippingProblem
from tests.furusato.test_shipping import OUTSIDE, _paid, shop  # noqa: F401  (the fixture)


def _complaint(donor_id: int | None, line_id: int | None, **changes) -> calls.InquiryInput:
    base = dict(channel="phone", caller_kind="donor", caller_name="山田 花子", caller_contact="03-1234-5678",
                donor_id=donor_id, category="complaint", said="りんごが傷んで届いた", done="", state="open",
                follow_up_on=None, shipment_line_id=line_id, problem_kind="damage")
    return calls.InquiryInput(**{**base, **changes})


def _ordered(shop) -> tuple[int, ShipmentLine]:  # noqa: F811
    donation = _paid()
    run = runs.run_order(shop["supplier"], None)
    db.session.commit()
    return donation.donor_id, runs.lines_of(run)[0]


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_gift_complaint_opens_a_problem_on_the_donor_s_line_linked_to_the_inquiry(shop, make_user) -> None:  # noqa: F811
    donor_id, line = _ordered(shop)
    inquiry = calls.record(_complaint(donor_id, line.id), by=make_user("operator"))
    (problem,) = calls.problems_of(inquiry)
    assert (problem.line_id, problem.kind, problem.complaint, problem.inquiry_id) == (line.id, "damage", True,
                                                                                     inquiry.id)
    assert problem.detail == "りんごが傷んで届いた" and f"問い合わせ #{inquiry.id}" in problem.donor_contact
    assert [line.id for line in calls.donor_lines(donor_id, by=make_user("operator", username="op-2"))] == [line.id]


def test_a_line_of_another_donor_or_a_complaint_without_its_kind_is_refused_keeping_nothing(shop, make_user) -> None:  # noqa: F811
    donor_id, line = _ordered(shop)
    other = _paid(**{**OUTSIDE, "name": "佐藤 一郎", "kana": "サトウ イチロウ", "phone": "03-9999-0000"})
    db.session.commit()
    assert other.donor_id != donor_id
    operator = make_user("operator")
    for data, field, text in (
            (_complaint(other.donor_id, line.id), "shipment_line_id", "この寄附者の明細ではありません"),
            (_complaint(donor_id, line.id, problem_kind=""), "problem_kind", "苦情の種類"),
            (_complaint(donor_id, line.id, category="gift"), "shipment_line_id", "「苦情」のときだけ"),
            (_complaint(donor_id, 999_999), "shipment_line_id", "L999999")):
        try:
            calls.record(data, by=operator)
        except calls.InquiryRefused as refused:
            assert any(p.field == field and text in p.message for p in refused.problems), refused.problems
        else:
            raise AssertionError(f"not refused: {data}")
        db.session.rollback()
    assert (_count(Inquiry), _count(ShippingProblem)) == (0, 0)


def test_an_open_line_cannot_carry_a_complaint(shop, make_user) -> None:  # noqa: F811
    donation = _paid()
    lines.collect(None)
    db.session.commit()
    line = db.session.scalar(select(ShipmentLine).where(ShipmentLine.donation_id == donation.id))
    try:
        calls.record(_complaint(donation.donor_id, line.id), by=make_user("operator"))
    except calls.InquiryRefused as refused:
        assert refused.problems[0].message.startswith(f"出荷明細 L{line.id} は未発注です")
    else:
        raise AssertionError("not refused")


def test_the_form_offers_the_donor_s_lines_and_the_city_sees_both(shop, client, login_as) -> None:  # noqa: F811
    donor_id, line = _ordered(shop)
    login_as("operator")
    page = client.get(f"/furusato/inquiries?donor={donor_id}").get_data(as_text=True)
    assert f'<option value="{line.id}">L{line.id} 山彦りんご 5kg（発注済）</option>' in page
    refused = client.post("/furusato/inquiries", data={
        "channel": "phone", "caller_kind": "donor", "donor_id": str(donor_id), "category": "complaint",
        "said": "箱が潰れていた", "state": "open", "shipment_line_id": str(line.id), "problem_kind": ""})
    assert refused.status_code == 422 and "苦情の種類" in refused.get_data(as_text=True)
    assert f'<option selected value="{line.id}">' in refused.get_data(as_text=True)  # kept as chosen
    assert _count(ShippingProblem) == 0
    response = client.post("/furusato/inquiries", data={
        "channel": "phone", "caller_kind": "donor", "donor_id": str(donor_id), "category": "complaint",
        "said": "箱が潰れていた", "state": "open", "shipment_line_id": str(line.id), "problem_kind": "damage"})
    assert response.status_code == 303
    problem = db.session.scalar(select(ShippingProblem))
    assert problem.inquiry_id is not None and problem.line_id == line.id
    client.post("/logout")
    login_as("city_staff", username="city-reader")
    problems_page = client.get("/furusato/shipping/problems").get_data(as_text=True)
    assert f'href="/furusato/inquiries/{problem.inquiry_id}"' in problems_page and "破損（苦情）" in problems_page
    inquiry_page = client.get(f"/furusato/inquiries/{problem.inquiry_id}").get_data(as_text=True)
    assert 'id="inquiry-problems"' in inquiry_page and f"L{line.id}" in inquiry_page
