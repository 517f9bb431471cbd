"""The procedure catalog covers every item of 000 §6(1)-(14) and §6(15)⑧⑪, completely."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from app.counter import catalog
from app.counter.models import Procedure
from app.register.fees import DEFAULT_FEES

# Read off the specification (shared/seeds/000_*.txt §6), independently of the catalog: each
# item with the words a catalog entry for it must carry in its name.
SPEC_ITEMS: dict[str, list[str]] = {
    "000 §6(1) 住民票関係証明": ["住民票の写し", "住民票記載事項証明", "除票"],
    "000 §6(1) 戸籍関係証明": ["戸籍謄本", "除籍", "身分証明書"],
    "000 §6(1) 戸籍の附票": ["戸籍の附票"],
    "000 §6(1) 印鑑登録証明": ["印鑑登録証明書"],
    "000 §6(1) 税証明": ["税証明"],
    "000 §6(1) 行政証明": ["行政証明"],
    "000 §6(2)": ["印鑑登録申請", "印鑑登録廃止"],
    "000 §6(3)": ["転入届", "転出届", "転居届", "世帯変更届"],
    "000 §6(4)①": ["記載事項変更"],
    "000 §6(4)②": ["交付申請"],
    "000 §6(4)③": ["再交付", "紛失"],
    "000 §6(4)④": ["電子証明書", "暗証番号再設定"],
    "000 §6(5)": ["改葬許可"],
    "000 §6(6)": ["実態調査"],
    "000 §6(7)": ["住居表示"],
    "000 §6(8)①②": ["旅券発給申請"],
    "000 §6(8)③": ["旅券の交付"],
    "000 §6(9)①②": ["臨時運行許可"],
    "000 §6(9)③": ["返納"],
    "000 §6(10)": ["手数料の収納"],
    "000 §6(11)①ア": ["資格取得", "資格喪失", "住所変更"],
    "000 §6(11)①イ": ["再交付"],
    "000 §6(11)①ウ": ["短期被保険者証"],
    "000 §6(11)①エ": ["資格証明書"],
    "000 §6(11)①オ": ["加入期間証明書", "高額療養費発生状況証明書", "旧被扶養者連絡票", "特定同一世帯所属者移動連絡票"],
    "000 §6(11)①カ": ["修学中", "遠隔地", "住所地特例"],
    "000 §6(11)①キ": ["旧被扶養者減免", "非自発的失業者軽減"],
    "000 §6(11)①ク": ["送付先変更"],
    "000 §6(11)①ケ": ["回収"],
    "000 §6(11)②ア": ["限度額適用認定証"],
    "000 §6(11)②イ": ["特定疾病療養受療証"],
    "000 §6(11)②ウ": ["再交付"],
    "000 §6(11)②エ": ["高額療養費", "高額介護合算", "外来年間合算"],
    "000 §6(11)②オ": ["療養費"],
    "000 §6(11)②カ": ["葬祭費"],
    "000 §6(11)②キ": ["出産育児一時金"],
    "000 §6(11)②ク": ["不当利得"],
    "000 §6(12)①ア": ["子ども医療費"],
    "000 §6(12)①イ": ["妊産婦医療費"],
    "000 §6(12)①ウ": ["重度心身障害者医療費"],
    "000 §6(12)①エ": ["ひとり親家庭等医療費"],
    "000 §6(12)①オ": ["受給者証の回収"],
    "000 §6(12)②ア": ["子ども医療費の給付"],
    "000 §6(12)②イ": ["妊産婦医療費の給付"],
    "000 §6(12)②ウ": ["重度心身障害者医療費の給付"],
    "000 §6(12)②エ": ["ひとり親家庭等医療費の給付"],
    "000 §6(13)①ア": ["資格変更"],
    "000 §6(13)①イ": ["被保険者証", "限度額適用認定証", "特定疾病受療証"],
    "000 §6(13)①ウ": ["回収"],
    "000 §6(13)①エ": ["負担区分"],
    "000 §6(13)①オ": ["還付口座"],
    "000 §6(13)①カ": ["口座振替"],
    "000 §6(13)①キ": ["納付方法変更"],
    "000 §6(13)①ク": ["不着保険証"],
    "000 §6(13)②ア": ["葬祭費"],
    "000 §6(13)②イ": ["相続人代表者"],
    "000 §6(13)②ウ": ["療養費", "食事療養差額"],
    "000 §6(13)②エ": ["高額療養費", "外来年間合算"],
    "000 §6(13)②オ": ["高額介護合算"],
    "000 §6(14)①": ["資格取得", "種別変更", "喪失", "付加保険料", "任意加入", "基礎年金番号通知書"],
    "000 §6(14)②": ["免除", "納付猶予", "学生納付特例", "法定免除", "産前産後"],
    "000 §6(14)③": ["老齢基礎年金", "障害基礎年金", "遺族基礎年金", "寡婦年金", "未支給", "死亡一時金",
                    "死亡届", "障害状態確認届", "年金生活者支援給付金", "その他の給付"],
    "000 §6(14)④": ["年金事務所"],
    "000 §6(15)⑧": ["交付書類等のお渡し"],
    "000 §6(15)⑪": ["関連業務の申請書等の受付・進達"],
}


def _names_by_spec() -> dict[str, str]:
    by_spec: dict[str, list[str]] = {}
    for entry in catalog.entries():
        by_spec.setdefault(entry["spec"], []).append(entry["name"])
    return {spec: " / ".join(names) for spec, names in by_spec.items()}


@pytest.mark.parametrize(("spec", "words"), list(SPEC_ITEMS.items()))
def test_every_spec_item_has_an_entry(spec: str, words: list[str]) -> None:
    names = _names_by_spec().get(spec, "")
    missing = [w for w in words if w not in names]
    assert not missing, f"{spec}: no catalog entry for {missing}"


def test_the_spec_items_cover_every_numbered_part_of_section_6() -> None:
    numbered = {s.split(" ")[1].split("①")[0].split("②")[0].split("③")[0].split("④")[0] for s in SPEC_ITEMS}
    assert {f"§6({n})" for n in range(1, 15)} <= numbered


def test_every_entry_says_everything_the_counter_needs() -> None:
    for entry in catalog.entries():
        for key in ("department", "ticket_category", "applicants", "identity", "documents", "fields",
                    "review_required", "handover"):
            assert key in entry, (entry["code"], key)
        assert entry["applicants"], entry["code"]


def test_certificates_and_moves_are_always_reviewed_by_city_staff() -> None:
    """000 §7(2)."""
    for entry in catalog.entries():
        if entry["category"] in ("certificate", "move"):
            assert entry["review_required"], entry["code"]


def test_certificates_accept_official_and_postal_requests_where_the_law_allows() -> None:
    copy_entry = next(e for e in catalog.entries() if e["code"] == "resident_record_copy")
    assert {"self", "household", "proxy", "third_party", "official", "postal"} == set(copy_entry["applicants"])


def test_every_fee_code_is_in_the_registers_fee_schedule() -> None:
    """The register owns the fee schedule (amounts and effective dates); the catalog names codes."""
    schedule = {code for code, _, _, _ in DEFAULT_FEES}
    used = {e["fee"] for e in catalog.entries() if e["fee"]}
    assert used and used <= schedule


def test_a_broken_entry_is_refused() -> None:
    data = copy.deepcopy(catalog.read_file())
    data["procedures"][0]["applicants"] = ["neighbour"]
    with pytest.raises(catalog.CatalogError, match="applicants"):
        catalog.entries(data)
    data = copy.deepcopy(catalog.read_file())
    data["procedures"][0]["fee"] = "NO_SUCH_FEE"
    with pytest.raises(catalog.CatalogError, match="fee"):
        catalog.entries(data)


def test_loading_twice_updates_and_keeps_admin_edits(app, db_session, make_user) -> None:
    from app.counter.catalog import ProcedureEdit, update_procedure
    from app.register.fees import seed_default_fees

    seed_default_fees(date(2020, 4, 1))
    first = catalog.load()
    assert (first.created, first.updated, first.kept) == (len(catalog.entries()), 0, ())
    edited = db_session.scalar(select(Procedure).where(Procedure.code == "resident_record_copy"))
    update_procedure(edited, ProcedureEdit(
        name="住民票の写し（窓口）", department=edited.department, ticket_category=edited.ticket_category,
        applicants=["self", "household"], identity=edited.identity, documents=["交付請求書", "委任状"],
        handover=edited.handover, fee_code=edited.fee_code, review_required=True, active=True), make_user("admin"))
    edited.fields = []  # as an older catalog file would have left it
    again = catalog.load()
    assert (again.created, again.updated, again.kept) == (0, len(catalog.entries()) - 1, ("resident_record_copy",))
    assert (edited.name, edited.applicants, edited.documents) == (
        "住民票の写し（窓口）", ["self", "household"], ["交付請求書", "委任状"])
    assert [f["name"] for f in edited.fields][:2] == ["copies", "scope"]  # the form always follows the file
    forced = catalog.load(overwrite_admin_edits=True)
    assert forced.kept == () and edited.name == "住民票の写しの交付" and edited.admin_edited_at is None
    assert db_session.scalar(select(func.count()).select_from(Procedure)) == len(catalog.entries())
