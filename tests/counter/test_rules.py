"""Each eligibility and identity rule of 000 §6(1)①ア〜エ and §7(1), without a database."""

from __future__ import annotations

import pytest

from app.counter.rules import (
    Checks,
    ProcedureRules,
    eligibility_problems,
    identity_problems,
    identity_sufficient,
    reception_problems,
)

PHOTO = {"my_number_card", "drivers_license", "passport"}
CARD = {"seal_card"}
LABELS = {"drivers_license": "運転免許証", "health_insurance": "健康保険証", "pension_book": "年金手帳",
          "seal_card": "印鑑登録証"}
RESIDENT_COPY = ProcedureRules("住民票の写しの交付", "resident",
                               ["self", "household", "proxy", "third_party", "official", "postal"],
                               "photo_or_two", "", "power_of_attorney", ["交付請求書"])
FAMILY_REGISTER = ProcedureRules("戸籍謄本の交付", "family_register",
                                 ["self", "proxy", "third_party", "official", "postal"],
                                 "photo_or_two", "", "power_of_attorney", ["交付請求書"])
SEAL_CERT = ProcedureRules("印鑑登録証明書の交付", "seal", ["self", "proxy"], "seal_card", "", "seal_card",
                           ["交付請求書"])
SEAL_REGISTRATION = ProcedureRules("印鑑登録申請", "seal", ["self", "proxy"], "photo", "inquiry_letter",
                                   "power_of_attorney", ["印鑑登録申請書"])


def _fields(problems) -> list[str]:
    return [p.field for p in problems]


# -- identity levels ------------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "docs", "ok"), [
    ("photo_or_two", ["drivers_license"], True),
    ("photo_or_two", ["health_insurance", "pension_book"], True),
    ("photo_or_two", ["health_insurance"], False),
    ("photo_or_two", [], False),
    ("photo", ["passport"], True),
    ("photo", ["health_insurance", "pension_book"], False),
    ("seal_card", ["seal_card"], True),
    ("seal_card", ["drivers_license"], False),
    ("none", [], True),
])
def test_identity_levels(level: str, docs: list[str], ok: bool) -> None:
    assert identity_sufficient(level, docs, PHOTO, CARD) is ok


def test_one_document_below_two_names_the_rule_and_what_was_seen() -> None:
    [problem] = identity_problems(FAMILY_REGISTER, Checks(identity_docs=["health_insurance"]), PHOTO, CARD, LABELS)
    assert problem.field == "identity_docs"
    assert "戸籍法施行規則 §11の2" in problem.message and "健康保険証" in problem.message


def test_resident_copy_cites_the_resident_registry_act() -> None:
    [problem] = identity_problems(RESIDENT_COPY, Checks(identity_docs=[]), PHOTO, CARD, LABELS)
    assert "住民基本台帳法 §12③" in problem.message


def test_seal_certificate_needs_the_seal_card_not_a_licence() -> None:
    [problem] = identity_problems(SEAL_CERT, Checks(identity_docs=["drivers_license"]), PHOTO, CARD, LABELS)
    assert "印鑑登録証" in problem.message
    assert identity_problems(SEAL_CERT, Checks(identity_docs=["seal_card"]), PHOTO, CARD, LABELS) == []


def test_seal_registration_without_photo_id_may_use_the_inquiry_letter() -> None:
    checks = Checks(identity_docs=["health_insurance", "pension_book"])
    [problem] = identity_problems(SEAL_REGISTRATION, checks, PHOTO, CARD, LABELS)
    assert "照会書" in problem.message
    checks.identity_alternative_used = True
    assert identity_problems(SEAL_REGISTRATION, checks, PHOTO, CARD, LABELS) == []


def test_postal_request_is_told_to_enclose_copies() -> None:
    [problem] = identity_problems(RESIDENT_COPY, Checks(requester_kind="postal"), PHOTO, CARD, LABELS)
    assert problem.message.startswith("郵便請求では本人確認書類の写し")


def test_official_request_identifies_itself() -> None:
    assert identity_problems(RESIDENT_COPY, Checks(requester_kind="official"), PHOTO, CARD, LABELS) == []


# -- eligibility ----------------------------------------------------------------------------------

def test_a_kind_the_procedure_does_not_accept_is_refused_with_the_law() -> None:
    [problem] = eligibility_problems(FAMILY_REGISTER, Checks(requester_kind="household"))
    assert problem.field == "requester_kind"
    assert "同一世帯員" in problem.message and "戸籍法 §10①" in problem.message


def test_proxy_without_power_of_attorney_cannot_go_on() -> None:
    [problem] = eligibility_problems(RESIDENT_COPY, Checks(requester_kind="proxy"))
    assert problem.field == "power_of_attorney"
    assert "委任状" in problem.message and "000 §7(1)" in problem.message
    assert eligibility_problems(RESIDENT_COPY, Checks(requester_kind="proxy", power_of_attorney=True)) == []


def test_proxy_for_a_seal_certificate_needs_the_card_not_a_power_of_attorney() -> None:
    assert eligibility_problems(SEAL_CERT, Checks(requester_kind="proxy")) == []


def test_third_party_needs_a_legitimate_reason_and_documents() -> None:
    problems = eligibility_problems(RESIDENT_COPY, Checks(requester_kind="third_party"))
    assert _fields(problems) == ["third_party_reason", "third_party_documents"]
    assert "住民基本台帳法 §12の3①" in problems[0].message
    ok = Checks(requester_kind="third_party", third_party_reason_kind="rights",
                third_party_reason="貸金返還請求訴訟の提起のため", third_party_documents="金銭消費貸借契約書")
    assert eligibility_problems(RESIDENT_COPY, ok) == []


def test_third_party_for_a_family_register_cites_the_family_register_act() -> None:
    problems = eligibility_problems(FAMILY_REGISTER, Checks(requester_kind="third_party",
                                                             third_party_reason_kind="rights"))
    assert "戸籍法 §10の2①" in problems[0].message


def test_official_request_needs_the_office_and_the_legal_basis() -> None:
    [problem] = eligibility_problems(RESIDENT_COPY, Checks(requester_kind="official", official_office="一関税務署"))
    assert problem.field == "official_basis" and "§12の2" in problem.message
    assert eligibility_problems(RESIDENT_COPY, Checks(requester_kind="official", official_office="一関税務署",
                                                      official_basis="国税徴収法 §146の2")) == []


def test_household_member_must_be_in_the_same_household() -> None:
    checks = Checks(requester_kind="household", requester_household_id=1, subject_household_id=2)
    [problem] = eligibility_problems(RESIDENT_COPY, checks)
    assert "同一の世帯" in problem.message
    checks.subject_household_id = 1
    assert eligibility_problems(RESIDENT_COPY, checks) == []


def test_a_household_member_must_be_matched_in_the_registry() -> None:
    [problem] = eligibility_problems(RESIDENT_COPY, Checks(requester_kind="household", subject_household_id=1))
    assert problem.field == "requester_kind" and "照合" in problem.message
    # a new household moving in is in no registry yet: nothing to match against
    assert eligibility_problems(RESIDENT_COPY, Checks(requester_kind="household")) == []


def test_self_must_be_the_subject() -> None:
    checks = Checks(requester_kind="self", requester_resident_id=1, subject_resident_id=2)
    assert "別人" in eligibility_problems(RESIDENT_COPY, checks)[0].message


# -- content and documents ------------------------------------------------------------------------

def test_content_check_and_documents_are_required() -> None:
    problems = reception_problems(RESIDENT_COPY, Checks())
    assert _fields(problems) == ["content_checked", "documents_checked"]
    assert "交付請求書" in problems[1].message
    assert reception_problems(RESIDENT_COPY, Checks(content_checked=True, documents_checked=["交付請求書"])) == []
