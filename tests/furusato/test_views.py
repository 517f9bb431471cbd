"""The donation pages through the test client: upload, 取込調整, intake, correction, suspects,
search, export and totals. Refused input answers 422, keeps what was typed and saves nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.models import CatalogRequest, Correction, Donation, ImportBatch, SuspectContact, SuspectFlag
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes
from tests.conftest import PASSWORD


def _upload(client, code: str, data: bytes, name: str = "file.csv"):
    return client.post("/furusato/imports", data={"portal": code, "encoding": "",
                                                  "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_refused_then_mapped_in_the_browser_and_rerun(client, login_as, furusato, generator) -> None:
    login_as("operator")
    profile = file_profiles()["choice"]
    data = portal_bytes(replace(profile, columns={**profile.columns, "ご意見": "notes"}),
                        list(generator.donations(6, bad=0)))
    response = _upload(client, "choice", data, "choice-0401.csv")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未適用（要対応）" in page and "列「ご意見」" in page and "Shift_JIS" in page
    assert _count(Donation) == 0
    batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
    refused = client.post(f"/furusato/imports/{batch_id}/mapping", data={"col:ご意見": ""})
    assert refused.status_code == 422 and "取込先を選んでください" in refused.get_data(as_text=True)
    done = client.post(f"/furusato/imports/{batch_id}/mapping", data={"col:ご意見": "notes"})
    assert done.status_code == 303
    assert "取込済" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert _count(Donation) == 6


def test_accepting_good_rows_is_an_explicit_second_step(client, login_as, furusato, generator) -> None:
    login_as("operator")
    rows = list(generator.donations(5, bad=0))
    rows[1] = replace(rows[1], bad="date")
    response = _upload(client, "ana", portal_bytes(file_profiles()["ana"], rows))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "日時「2026/13/45」を読めません" in page and "正常な行だけ取り込む" in page
    assert _count(Donation) == 0
    batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
    assert client.post(f"/furusato/imports/{batch_id}/accept").status_code == 303
    assert _count(Donation) == 4


def test_upload_refuses_an_empty_file_and_keeps_the_portal(client, login_as, furusato) -> None:
    login_as("operator")
    response = _upload(client, "rakuten", b"")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "ファイルが空です" in body and 'selected value="rakuten"' in body


INTAKE = {"channel": "phone", "applied_on": "2026-10-01", "amount": "10000", "payment_method": "postal",
          "status": "unpaid", "paid_on": "", "gift_code": "YB-001", "quantity": "1", "one_stop": "y",
          "receipt_wish": "y", "name": "山田 花子", "kana": "ヤマダ ハナコ", "birth_date": "1980-05-05",
          "phone": "03-1234-5678", "email": "", "postal_code": "100-0001", "address": "東京都千代田区千代田1-1",
          "notes": ""}


def test_intake_refuses_bad_input_keeping_it_then_records_and_corrects(client, login_as, furusato) -> None:
    login_as("operator")
    bad = client.post("/furusato/intake", data={**INTAKE, "postal_code": "999-9999"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "郵便番号「999-9999」は存在しません" in body and 'value="山田 花子"' in body
    assert _count(Donation) == 0
    ok = client.post("/furusato/intake", data=INTAKE)
    assert ok.status_code == 303
    donation = db.session.scalar(select(Donation))
    assert donation.channel == "phone" and donation.order_id.startswith("PHONE-20261001-")
    form = {k: INTAKE[k] for k in ("name", "kana", "birth_date", "phone", "email", "postal_code", "address",
                                    "gift_code", "quantity", "one_stop", "receipt_wish", "notes")}
    missing_reason = client.post(f"/furusato/donations/{donation.id}/correct",
                                 data={**form, "address": "東京都千代田区千代田1-2", "source": "donor_request",
                                       "channel": "phone", "reason": ""})
    assert missing_reason.status_code == 422 and "修正の理由を入力してください" in missing_reason.get_data(as_text=True)
    done = client.post(f"/furusato/donations/{donation.id}/correct",
                       data={**form, "address": "東京都千代田区千代田1-2", "source": "donor_request",
                             "channel": "phone", "reason": "転居のため寄附者から電話"})
    assert done.status_code == 303
    correction = db.session.scalar(select(Correction))
    assert (correction.field, correction.old_value, correction.new_value, correction.source, correction.username) == (
        "address", "東京都千代田区千代田1-1", "東京都千代田区千代田1-2", "donor_request", "operator-furusato-user")
    page = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "転居のため寄附者から電話" in page
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "furusato_donation")).all()
    assert {"create", "update", "read"} <= set(actions)


def test_intake_shows_every_problem_at_once(client, login_as, furusato) -> None:
    login_as("operator")
    bad = client.post("/furusato/intake", data={**INTAKE, "applied_on": "2999-01-01", "status": "paid",
                                                 "kana": "やまだ花子", "postal_code": "999-9999", "phone": "1234"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ("申込日に未来の日付は入力できません", "入金済の場合は収納日を入力してください",
                    "入金済の場合は入金額を入力してください",
                    "フリガナはカタカナで入力してください", "郵便番号「999-9999」は存在しません",
                    "電話番号を市外局番から入力してください"):
        assert message in body
    assert _count(Donation) == 0


def test_suspect_work_list_contact_and_clear(client, login_as, furusato) -> None:
    login_as("operator")
    client.post("/furusato/intake", data={**INTAKE, "postal_code": "029-4102",
                                           "address": "岩手県西磐井郡平泉町平泉1"})
    flag = db.session.scalar(select(SuspectFlag))
    assert flag.reason == "in_city_gift"
    assert "市内在住者への返礼品" in client.get("/furusato/suspects").get_data(as_text=True)
    assert client.post(f"/furusato/suspects/{flag.id}", data={"action": "contact", "contact-method": "phone",
                                                              "contact-result": ""}).status_code == 422
    assert client.post(f"/furusato/suspects/{flag.id}", data={"action": "contact", "contact-method": "phone",
                                                              "contact-result": "返礼品不要と確認"}).status_code == 303
    assert client.post(f"/furusato/suspects/{flag.id}", data={"action": "clear",
                                                              "clear-note": "返礼品なしに修正"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(SuspectFlag, flag.id).status == "cleared"
    assert db.session.scalar(select(SuspectContact.result)) == "返礼品不要と確認"
    assert "該当する疑義はありません" in client.get("/furusato/suspects").get_data(as_text=True)


def test_search_export_and_totals(client, login_as, run_file, generator) -> None:
    rows = list(generator.donations(60, bad=0))
    run_file("choice", portal_bytes(file_profiles()["choice"], rows))
    login_as("supervisor")
    page = client.get("/furusato/donations?status=paid&portal=choice").get_data(as_text=True)
    paid = [r for r in rows if r.status == "paid"]
    assert f"{len(paid)}件" in page and f"{sum(r.amount for r in paid):,}円" in page
    fragment = client.get("/furusato/donations?status=paid", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "export-form" in fragment
    export = client.post("/furusato/exports", data={"status": "paid", "export_encoding": "utf-8-sig"})
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert lines[0][0] == "寄附ID" and len(lines) == len(paid) + 1
    sjis = client.post("/furusato/exports", data={"status": "paid", "export_encoding": "cp932"})
    assert sjis.data.decode("cp932").startswith("寄附ID")
    exports = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")).all()
    assert len(exports) == 2 and f"{len(paid)}件" in exports[0] and "status=paid" in exports[0]
    totals = client.get("/furusato/totals?date_from=2026-04-01").get_data(as_text=True)
    assert "<svg" in totals and "ふるさとチョイス" in totals
    assert client.get("/furusato/donations?date_from=notadate").status_code == 422


def test_city_staff_may_search_but_not_import(client, login_as, furusato) -> None:
    login_as("city_staff")
    assert client.get("/furusato/donations").status_code == 200
    assert client.get("/furusato/").status_code == 200
    assert client.get("/furusato/imports").status_code == 403


def test_catalog_requests(client, login_as, furusato) -> None:
    login_as("operator")
    bad = client.post("/furusato/catalog", data={"channel": "phone", "name": "佐藤 一郎", "postal_code": "12",
                                                 "address": "宮城県仙台市"})
    assert bad.status_code == 422 and 'value="佐藤 一郎"' in bad.get_data(as_text=True)
    ok = client.post("/furusato/catalog", data={"channel": "phone", "name": "佐藤 一郎", "postal_code": "980-0811",
                                                "address": "宮城県仙台市青葉区一番町1-1-1"})
    assert ok.status_code == 303
    request = db.session.scalar(select(CatalogRequest))
    assert client.post(f"/furusato/catalog/{request.id}/sent").status_code == 303
    db.session.expire_all()
    assert db.session.get(CatalogRequest, request.id).sent_on is not None
    assert client.get("/furusato/settings").status_code == 403


def test_settings_refuse_a_postal_code_outside_the_city(client, make_user, furusato) -> None:
    user = make_user("admin", "admin-x")
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    response = client.post("/furusato/settings", data={"home_prefecture": "岩手県", "home_city": "西磐井郡平泉町",
                                                       "home_postal_prefixes": "021-8501"})
    assert response.status_code == 422 and "平泉町の番号ではありません" in response.get_data(as_text=True)


def test_donation_and_donor_pages_show_the_birth_date_in_wareki(client, login_as, furusato) -> None:
    """As on the counter's pages: 昭和55年5月5日, not 1980-05-05 (issue 15 §5)."""
    login_as("operator")
    assert client.post("/furusato/intake", data=INTAKE).status_code == 303
    donation = db.session.scalar(select(Donation))
    for url in (f"/furusato/donations/{donation.id}", f"/furusato/donors/{donation.donor_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "昭和55年5月5日" in page and "1980-05-05" not in page, url


def test_intake_offers_paid_only_with_its_payment_and_records_it(client, login_as, furusato) -> None:
    from app.furusato.models import DonationPayment

    login_as("operator")
    page = client.get("/furusato/intake").get_data(as_text=True)
    assert 'value="paid"' in page and 'value="posted"' not in page and 'value="refunded"' not in page
    assert "収納日（入金済の場合）" in page and "入金額（入金済の場合）" in page
    bad = client.post("/furusato/intake", data={**INTAKE, "status": "paid", "paid_on": "2026-10-02",
                                                 "paid_amount": "9000"})
    assert bad.status_code == 422 and "入金額 9,000円 が寄附金額 10,000円 と一致しません" in bad.get_data(as_text=True)
    assert 'value="9000"' in bad.get_data(as_text=True)
    assert _count(Donation) == 0 and _count(DonationPayment) == 0
    assert client.post("/furusato/intake", data={**INTAKE, "status": "posted"}).status_code == 422
    ok = client.post("/furusato/intake", data={**INTAKE, "status": "paid", "paid_on": "2026-10-02",
                                                "paid_amount": "１０，０００"})
    assert ok.status_code == 303
    donation = db.session.scalar(select(Donation))
    payment = db.session.scalar(select(DonationPayment))
    assert (donation.status, donation.paid_on) == ("paid", payment.received_on)
    assert (payment.amount, payment.method, payment.recorded_by) == (10_000, "postal", "operator-furusato-user")


def test_the_office_edits_the_years_uses_and_intake_offers_them(client, login_as, furusato) -> None:
    login_as("operator")
    assert client.post("/furusato/uses?year=2026", data={"new-name": "", "new-active": "y"}).status_code == 422
    for name in ("子育て支援", "観光振興"):
        assert client.post("/furusato/uses?year=2026", data={"new-name": name, "new-active": "y"}).status_code == 303
    twin = client.post("/furusato/uses?year=2026", data={"new-name": "子育て支援", "new-active": "y"})
    assert twin.status_code == 422 and "既にあります" in twin.get_data(as_text=True)
    page = client.get("/furusato/uses?year=2026").get_data(as_text=True)
    assert page.index("子育て支援") < page.index("観光振興")
    from app.furusato.status_models import DonationUse

    tourism = db.session.scalar(select(DonationUse).where(DonationUse.name == "観光振興"))
    assert client.post(f"/furusato/uses/{tourism.id}", data={f"u{tourism.id}-name": "観光振興",
                                                             f"u{tourism.id}-sort_order": "5"}).status_code == 303
    form = client.get("/furusato/intake").get_data(as_text=True)
    assert 'value="子育て支援"' in form and 'value="観光振興"' not in form  # stopped: not offered any more
    refused = client.post("/furusato/intake", data={**INTAKE, "use": "観光振興"})
    assert refused.status_code == 422 and "2026年度の一覧から選んでください" in refused.get_data(as_text=True)
    assert client.post("/furusato/intake", data={**INTAKE, "use": "子育て支援"}).status_code == 303
    donation = db.session.scalar(select(Donation))
    assert donation.use == "子育て支援"
    shown = client.get(f"/furusato/donations/{donation.id}").get_data(as_text=True)
    assert "子育て支援" in shown and "一覧にない使い道" not in shown
    copied = client.post("/furusato/uses/copy?year=2027", data={"source": "2026"})
    assert copied.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(DonationUse).where(DonationUse.fiscal_year == 2027)) == 2


def test_a_portals_use_is_kept_and_shown_when_not_in_the_years_list(client, login_as, run_file, portal_file,
                                                                    generator) -> None:
    donations = [replace(d, status="paid", use="市長におまかせ" if i else "ふるさとの森づくり")
                 for i, d in enumerate(generator.donations(2, bad=0.0, suspects=0.0))]
    run_file("choice", portal_file("choice", donations))
    login_as("operator")
    client.post("/furusato/uses?year=2026", data={"new-name": "市長におまかせ", "new-active": "y"})
    kept = {d.order_id: d for d in db.session.scalars(select(Donation))}
    assert {d.use for d in kept.values()} == {"市長におまかせ", "ふるさとの森づくり"}
    other = next(d for d in kept.values() if d.use == "ふるさとの森づくり")
    page = client.get(f"/furusato/donations/{other.id}").get_data(as_text=True)
    assert "ふるさとの森づくり" in page and "一覧にない使い道" in page


def test_every_full_portal_profile_maps_the_one_stop_wish_and_choice_the_use() -> None:
    # さとふる and the city's own site give only what their operator provides (004 §7(2)エ):
    # neither the one-stop wish nor the use; the other layouts have no use column either, and
    # staff can map one in 取込調整 when a portal adds it.
    for code, profile in file_profiles().items():
        if not profile.limited:
            assert "one_stop" in profile.columns.values(), code
    assert file_profiles()["choice"].column_for("use") == "寄附の使い道"


def test_the_mapping_screen_shows_examples_of_each_unknown_columns_values(client, login_as, furusato,
                                                                         generator) -> None:
    """「列「ご意見」の取込先」 with 「値の例：「…」」 under it, read from the stored file (issue 15 §4)."""
    login_as("operator")
    profile = file_profiles()["choice"]
    donations = [replace(d, notes=f"のし希望 {n}") for n, d in enumerate(generator.donations(4, bad=0))]
    data = portal_bytes(replace(profile, columns={"ご意見": "notes", **profile.columns}), donations)  # 備考 left empty
    _upload(client, "choice", data)
    batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
    page = client.get(f"/furusato/imports/{batch_id}/mapping").get_data(as_text=True)
    assert '<p class="note sample" data-column="ご意見">値の例：「のし希望 0」「のし希望 1」「のし希望 2」</p>' in page
    read = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")
                              .order_by(AuditEntry.id.desc())).first()
    assert (read.object_type, read.object_id, read.detail) == ("furusato_import_batch", str(batch_id),
                                                                "取込調整（列の値の例）")
