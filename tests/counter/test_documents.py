"""The 住民票の写し and the 受付案内票 PDFs, read back as text."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core import services as core
from app.core.dates import today, wareki
from app.counter import documents, inputs, moves, review
from app.demo import DEMO_CITY
from app.registry.adapter import get_adapter
from tests.registry.factories import yamabiko_family


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def approved_copy(checked_case, operator, city):
    core.save_municipality(DEMO_CITY)

    def make(**form: str):
        household = yamabiko_family()
        case = checked_case(subject_id=household.members[0].id)
        inputs.save_input(case, {"copies": "1", "scope": "household", "purpose": "勤務先", **form}, operator)
        inputs.request_review(case, operator)
        review.start_review(case, city)
        return case, household

    return make


def test_not_before_city_approval(approved_copy, city) -> None:
    case, _ = approved_copy()
    with pytest.raises(documents.DocumentError, match="承認された後"):
        documents.resident_record_copy_pdf(case, city)


def test_whole_household_with_certification(approved_copy, city, tmp_path, db_session) -> None:
    case, household = approved_copy(include_relationship="on", include_domicile="on")
    review.approve(case, city)
    text = pdf_text(documents.resident_record_copy_pdf(case, city), tmp_path)
    assert "住　民　票" in text or "住 民 票" in text
    for m in household.members:
        assert m.given_name in text
    assert "世帯全員の住民票の原本と相違ないことを証明する" in text
    assert "山彦市長" in text and wareki(today()) in text
    assert "世帯主" in text and "岩手県一関市竹山町7番" in text
    assert "個人番号" in text  # named among the omitted items
    printed = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "print")).all()
    assert len(printed) == 1 and "4人" in printed[0].detail


def test_registry_text_with_markup_characters_is_printed_as_written(approved_copy, city, tmp_path) -> None:
    case, household = approved_copy(include_relationship="on", include_domicile="on")
    household.address = "岩手県一関市竹山町7番2号 A&B<コーポ>201"
    household.members[0].domicile = "岩手県一関市竹山町7番 <旧>"
    review.approve(case, city)
    text = pdf_text(documents.resident_record_copy_pdf(case, city), tmp_path)
    assert "A&B<コーポ>201" in text and "竹山町7番 <旧>" in text


def test_chosen_members_and_omissions(approved_copy, city, tmp_path) -> None:
    case, household = approved_copy()
    review.return_for_correction(case, city, "一部の方に")
    inputs.save_input(case, {"copies": "1", "scope": "selected", "members": [str(household.members[2].id)],
                               "purpose": "学校"}, case.operator)
    inputs.request_review(case, case.operator)
    review.start_review(case, city)
    review.approve(case, city)
    text = pdf_text(documents.resident_record_copy_pdf(case, city), tmp_path)
    assert "翔" in text and "花子" not in text
    assert "世帯の一部の住民票" in text
    assert "世帯主・続柄・本籍・筆頭者・個人番号の記載を省略" in text


def test_my_number_printed_only_when_asked_and_never_logged(approved_copy, city, tmp_path, db_session) -> None:
    case, household = approved_copy(include_my_number="on")
    review.approve(case, city)
    text = pdf_text(documents.resident_record_copy_pdf(case, city), tmp_path)
    number = get_adapter().my_number(household.members[0].id)
    assert number is not None
    assert f"{number[:4]} {number[4:8]} {number[8:]}" in text
    logged = " ".join(a.detail for a in db_session.scalars(select(AuditEntry)))
    assert number not in logged and f"{number[:4]} {number[4:8]}" not in logged


def test_reception_guide_lists_departments(checked_case, operator, tmp_path) -> None:
    core.save_municipality(DEMO_CITY)
    household = yamabiko_family()
    case = checked_case("move_within", subject_id=household.members[0].id, documents_checked=["住民異動届"])
    inputs.save_input(case, {"moved_on": (today() - timedelta(days=1)).isoformat(), "postal_code": "0210001",
                               "address": "岩手県一関市新町9番9号",
                               "members": [str(m.id) for m in household.members]}, operator)
    text = pdf_text(documents.reception_guide_pdf(case, moves.related_for_case(case, operator), operator), tmp_path)
    assert "受 付 案 内 票" in text
    assert "こども家庭課" in text and "国民健康保険 住所変更届" in text and "学校教育課" in text
