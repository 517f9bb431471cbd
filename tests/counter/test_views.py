"""The counter pages through the test client: what a person sees, and that refusals change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core import services as core
from app.counter import catalog
from app.counter.models import Case, Procedure
from app.demo import DEMO_CITY
from app.extensions import db
from app.register.fees import seed_default_fees
from tests.conftest import PASSWORD
from tests.registry.factories import yamabiko_family


@pytest.fixture
def setup(app, db_session):
    catalog.load()
    seed_default_fees(date(2020, 4, 1))
    core.save_municipality(DEMO_CITY)
    household = yamabiko_family()
    db.session.commit()
    return household


def _login(client, make_user, role: str, username: str) -> None:
    make_user(role, username)
    client.post("/login", data={"username": username, "password": PASSWORD})


def _logout(client) -> None:
    client.post("/logout")


def _fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _reception(client, *codes: str) -> int:
    response = client.post("/counter/reception", data={"visitor_name": "山彦 太郎", "procedures": list(codes)})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


CHECKS = {"requester_kind": "self", "requester_name": "山彦 太郎", "identity_docs": "drivers_license",
          "content_checked": "y", "documents_checked": "交付請求書", "then": "confirm"}


def test_reception_errors_keep_what_was_typed(client, make_user, setup) -> None:
    _login(client, make_user, "operator", "op")
    response = client.post("/counter/reception", data={"visitor_name": "山彦 太郎"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "手続を1つ以上選んでください" in page and 'value="山彦 太郎"' in page


def test_several_procedures_make_one_visit(client, make_user, setup) -> None:
    _login(client, make_user, "operator", "op")
    response = client.post("/counter/reception", data={"visitor_name": "山彦 太郎",
                                                       "procedures": ["resident_record_copy", "tax_certificate"]})
    assert response.status_code == 303 and "/counter/visits/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "住民票の写しの交付" in page and "税証明" in page


def test_refused_checks_name_the_rule_and_save_nothing(client, make_user, setup) -> None:
    _login(client, make_user, "operator", "op")
    case_id = _reception(client, "resident_record_copy")
    response = client.post(f"/counter/cases/{case_id}/checks", data={
        **CHECKS, "requester_kind": "proxy", "requester_name": "代理 次郎", "identity_docs": "health_insurance"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "委任状" in page and "000 §7(1)" in page and "本人確認が不足" in page
    assert 'value="代理 次郎"' in page
    case = _fresh(case_id)
    assert case.state == "received" and case.requester_name == "山彦 太郎"


def test_the_operator_and_city_staff_path(client, make_user, setup) -> None:
    household = setup
    _login(client, make_user, "operator", "op")
    case_id = _reception(client, "resident_record_copy")
    fragment = client.get(f"/counter/cases/{case_id}/residents?kana=やまびこ た", headers={"HX-Request": "true"})
    assert "山彦　太郎" in fragment.get_data(as_text=True)
    head_id = household.members[0].id
    assert client.post(f"/counter/cases/{case_id}/subject", data={"resident_id": head_id}).status_code == 303
    assert client.post(f"/counter/cases/{case_id}/checks", data=CHECKS).status_code == 303
    assert _fresh(case_id).state == "input"
    bad = client.post(f"/counter/cases/{case_id}/input", data={"copies": "abc", "scope": "household",
                                                               "purpose": "勤務先", "then": "request_review"})
    assert bad.status_code == 422
    assert "通数：通数は数字で入力してください" in bad.get_data(as_text=True)
    assert 'value="abc"' in bad.get_data(as_text=True)
    assert _fresh(case_id).state == "input"
    ok = client.post(f"/counter/cases/{case_id}/input", data={"copies": "1", "scope": "household",
                                                              "purpose": "勤務先", "then": "request_review"})
    assert ok.status_code == 303 and _fresh(case_id).state == "review_requested"
    refused = client.post(f"/counter/cases/{case_id}/actions/start_review")
    assert refused.status_code == 422 and "市職員" in refused.get_data(as_text=True)
    _logout(client)

    _login(client, make_user, "city_staff", "city")
    listing = client.get("/counter/").get_data(as_text=True)
    assert f"{case_id:06d}" in listing
    assert client.post(f"/counter/cases/{case_id}/actions/start_review").status_code == 303
    empty = client.post(f"/counter/cases/{case_id}/actions/return", data={"note": ""})
    assert empty.status_code == 422 and "差戻しの理由" in empty.get_data(as_text=True)
    assert client.post(f"/counter/cases/{case_id}/actions/return", data={"note": "通数を確認"}).status_code == 303
    _logout(client)

    client.post("/login", data={"username": "op", "password": PASSWORD})
    returned = client.get("/counter/?list=returned").get_data(as_text=True)
    assert f"{case_id:06d}" in returned
    assert "通数を確認" in client.get(f"/counter/cases/{case_id}").get_data(as_text=True)
    client.post(f"/counter/cases/{case_id}/input", data={"copies": "2", "scope": "household", "purpose": "勤務先",
                                                         "then": "request_review"})
    early = client.get(f"/counter/cases/{case_id}/certificate.pdf")
    assert early.status_code == 409 and "承認された後" in early.get_data(as_text=True)
    _logout(client)

    client.post("/login", data={"username": "city", "password": PASSWORD})
    client.post(f"/counter/cases/{case_id}/actions/start_review")
    assert client.post(f"/counter/cases/{case_id}/actions/approve").status_code == 303
    _logout(client)

    client.post("/login", data={"username": "op", "password": PASSWORD})
    pdf = client.get(f"/counter/cases/{case_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert client.post(f"/counter/cases/{case_id}/actions/issue").status_code == 303
    case = _fresh(case_id)
    assert case.state == "payment" and sum(f.amount for f in case.fee_lines) == 600
    page = client.get(f"/counter/cases/{case_id}").get_data(as_text=True)
    assert "会計待ち" in page and "600円" in page


def test_unknown_action_is_404(client, make_user, setup) -> None:
    _login(client, make_user, "operator", "op")
    case_id = _reception(client, "resident_record_copy")
    assert client.post(f"/counter/cases/{case_id}/actions/teleport").status_code == 404


def test_search_finds_by_person(client, make_user, setup) -> None:
    _login(client, make_user, "operator", "op")
    _reception(client, "resident_record_copy")
    page = client.get("/counter/?list=search&person=山彦").get_data(as_text=True)
    assert "住民票の写しの交付" in page
    nothing = client.get("/counter/?list=search&person=佐藤").get_data(as_text=True)
    assert "該当する案件はありません" in nothing


def test_search_shows_the_average_time_in_each_state_of_closed_cases(client, make_user, setup) -> None:
    from datetime import datetime, timedelta

    _login(client, make_user, "operator", "op")
    base = datetime(2026, 4, 1, 9, 0)
    for minutes in (4, 8):
        case_id = _reception(client, "resident_record_copy")
        client.post(f"/counter/cases/{case_id}/actions/start_check")
        withdrawn = client.post(f"/counter/cases/{case_id}/actions/withdraw", data={"note": "来庁者の都合"})
        assert withdrawn.status_code == 303
        changes = [e for e in _fresh(case_id).events if e.from_state != e.to_state]
        for n, event in enumerate(changes):
            event.at = base + timedelta(minutes=minutes * n)
        db.session.commit()
    _reception(client, "resident_record_copy")  # still open: not in the average
    page = client.get("/counter/?list=search&person=山彦").get_data(as_text=True)
    assert "完了・取下げ済みの2件の平均" in page
    assert "<th>受付</th><th>確認</th>" in page.replace("\n", "").replace(" ", "")
    assert page.count("6分0秒") == 2  # 受付 and 確認 took 4 and 8 minutes
    assert "状態ごとの平均所要時間" not in client.get("/counter/?list=mine").get_data(as_text=True)


def test_catalog_page_and_admin_edit(client, make_user, setup) -> None:
    _login(client, make_user, "admin", "adm")
    assert "住民票の写しの交付" in client.get("/counter/catalog").get_data(as_text=True)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "resident_record_copy"))
    form = {"name": procedure.name, "department": "citizens", "ticket_category": "certificate",
            "applicants": ["self", "proxy"], "identity": "photo_or_two", "documents": "交付請求書",
            "handover": "住民票の写し", "fee_code": "resident_record_copy", "active": "y"}
    refused = client.post(f"/counter/catalog/{procedure.id}", data=form)
    assert refused.status_code == 422 and "000 §7(2)" in refused.get_data(as_text=True)
    assert client.post(f"/counter/catalog/{procedure.id}", data={**form, "review_required": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Procedure, procedure.id).applicants == ["self", "proxy"]


def test_registry_enquiry_is_audited(client, make_user, setup) -> None:
    household = setup
    _login(client, make_user, "operator", "op")
    page = client.get("/registry/?kana=ヤマビコ").get_data(as_text=True)
    assert "山彦　花子" in page
    rid = household.members[1].id
    assert "山彦　翔" in client.get(f"/registry/residents/{rid}").get_data(as_text=True)
    assert client.get("/registry/residents/999999").status_code == 404
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert any(r.object_type == "resident" and r.object_id == str(rid) for r in reads)
    assert any(r.object_type == "resident_search" for r in reads)


def test_admin_may_not_read_the_registry(client, make_user, setup) -> None:
    _login(client, make_user, "admin", "adm")
    assert client.get("/registry/").status_code == 403
    assert client.get("/counter/").status_code == 403


def test_birth_dates_are_in_the_era_on_the_case_and_resident_pages(client, make_user, setup) -> None:
    # issue 15 §5: ISO birth dates (1980-05-05) where a 役所 document writes 昭和55年5月5日.
    head = setup.members[0]
    _login(client, make_user, "operator", "op")
    case_id = _reception(client, "resident_record_copy")
    assert client.post(f"/counter/cases/{case_id}/subject", data={"resident_id": head.id}).status_code == 303
    case_page = client.get(f"/counter/cases/{case_id}").get_data(as_text=True)
    assert "<dt>生年月日</dt><dd>昭和55年5月5日</dd>" in case_page and "1980-05-05" not in case_page
    resident_page = client.get(f"/registry/residents/{head.id}").get_data(as_text=True)
    assert "昭和55年5月5日（" in resident_page and "平成28年6月10日" in resident_page
    assert "1980-05-05" not in resident_page



def test_the_case_header_shows_the_operator_no_spec_reference(client, make_user, setup) -> None:
    """The operator's case page does not say 「000 §6(1)」 (issue 15 §5); the catalog keeps it."""
    _login(client, make_user, "operator", "op")
    case_id = _reception(client, "resident_record_copy")
    page = client.get(f"/counter/cases/{case_id}").get_data(as_text=True)
    assert "住民票の写しの交付" in page and "§6" not in page
