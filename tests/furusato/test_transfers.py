"""Bulk payment matching (issue 16 §1): a bank's or ゆうちょ's transfer file matched to the
donations waiting for their money; certain matches recorded once, the rest listed until the
office resolves them, bad files refused naming the row or column with nothing changed."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato import services, transfer_matching
from app.furusato.models import Donation, DonationPayment
from app.furusato.transfer_models import MatchKind, TransferBatch, TransferRow, TransferState

PHONE = services.DonationInput(
    channel="phone", applied_on=date(2026, 10, 1), amount=30_000, payment_method="bank", status="unpaid",
    paid_on=None, gift_code="", quantity=1, one_stop=False, receipt_wish=True, name="髙﨑 太郎",
    kana="タカサキ タロウ", birth_date=None, phone="03-1234-5678", email="", postal_code="029-4102",
    address="岩手県西磐井郡平泉町平泉1", notes="")
BANK_HEADER = ["取引日", "入金額", "出金額", "残高", "振込依頼人名", "摘要"]
FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
POSTAL_HEADER = ["払込日", "払込金額", "払込人名カナ", "通信欄", "受付局", "受付番号"]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "cp932") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])  # CRLF, and "30,000" quoted, as banks write them
    return out.getvalue().encode(encoding)


def bank(*rows: tuple[str, str, str]) -> bytes:
    """Credits (day, amount, payer) of a bank's statement, with a withdrawal among them."""
    lines = [[on, amount, "", "1,000,000", payer, "振込"] for on, amount, payer in rows]
    lines.append(["2026/11/30", "", "5000", "995,000", "", "手数料"])
    return csv_bytes(BANK_HEADER, lines)


def upload(client, data: bytes, profile: str = "bank", name: str = "meisai.csv"):
    return client.post("/furusato/transfers", data={"profile": profile, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def donate(app, furusato):
    def make(**changes) -> Donation:
        found = services.create_direct_donation(replace(PHONE, **changes), None)
        db.session.commit()
        return found

    return make


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def rows() -> list[TransferRow]:
    db.session.expire_all()
    return list(db.session.scalars(select(TransferRow).order_by(TransferRow.id)))


def test_payer_names_fold_width_small_kana_and_legal_forms() -> None:
    assert transfer_matching.payer_keys("ﾀｶｻｷ ﾀﾛｳ").key == "タカサキタロウ"
    assert transfer_matching.payer_keys("ｼﾖｳﾍｲ").key == transfer_matching.payer_keys("しょうへい").key
    company = transfer_matching.payer_keys("ｶ)ﾔﾏﾋﾞｺｼﾖｳｼﾞ")
    assert company.key == "ヤマビコシヨウジ" and "カブシキガイシヤヤマビコシヨウジ" in company.spellings
    assert "ヤマビコシヨウジユウゲンガイシヤ" in transfer_matching.payer_keys("ﾔﾏﾋﾞｺｼﾖｳｼﾞ(ﾕ").spellings
    assert transfer_matching.payer_keys("ﾙ-ｼ-").key == "ルーシー"


def test_a_certain_match_is_recorded_once_and_the_same_file_is_refused(client, login_as, donate) -> None:
    clerk = login_as("operator")
    donation = donate()
    data = bank(("2026/11/05", "30,000", "ﾀｶｻｷ ﾀﾛｳ"))
    response = upload(client, data)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "入金記録 1" in page and "ﾀｶｻｷ ﾀﾛｳ" in page
    db.session.expire_all()
    assert donation.status == "paid" and donation.paid_on == date(2026, 11, 5) and donation.payment_method == "bank"
    payment = db.session.scalar(select(DonationPayment))
    assert payment.recorded_by == clerk.username and payment.received_on == date(2026, 11, 5)
    [row] = rows()
    assert row.state is TransferState.recorded and row.match is MatchKind.certain
    assert row.donation_id == donation.id and row.payment_id == payment.id
    batch = db.session.scalar(select(TransferBatch))
    assert (batch.rows, batch.recorded, batch.skipped) == (1, 1, 1)  # the withdrawal is no credit

    again = upload(client, data, name="again.csv")
    assert again.status_code == 422 and "既に取り込まれています" in again.get_data(as_text=True)
    # An overlapping statement: its old row is skipped, its new one is taken.
    overlap = upload(client, bank(("2026/11/05", "30,000", "ﾀｶｻｷ ﾀﾛｳ"), ("2026/11/06", "10,000", "ﾔﾏﾀﾞ ﾊﾅｺ")))
    assert overlap.status_code == 303
    assert count(DonationPayment) == 1 and count(TransferBatch) == 2
    assert [r.payer for r in rows()] == ["ﾀｶｻｷ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾊﾅｺ"]


def test_uncertain_and_unmatched_money_is_listed_until_resolved(client, login_as, donate) -> None:
    login_as("operator")
    twins = [donate(), donate()]  # same name, same amount: which one?
    company = donate(name="株式会社山彦商事", kana="カブシキガイシャ ヤマビコショウジ", amount=50_000)
    name_only = donate(name="佐藤 花子", kana="サトウ ハナコ", amount=20_000, payment_method="postal")
    amount_only = donate(name="鈴木 一郎", kana="スズキ イチロウ", amount=12_000)
    later = donate(name="田中 次郎", kana="タナカ ジロウ", amount=8_000, applied_on=date(2026, 11, 20))
    response = upload(client, bank(
        ("2026/11/05", "30000", "ﾀｶｻｷ ﾀﾛｳ"), ("2026/11/05", "50000", "ｶ)ﾔﾏﾋﾞｺｼﾖｳｼﾞ"),
        ("2026/11/06", "25000", "ｻﾄｳ ﾊﾅｺ"), ("2026/11/07", "12000", "ｽｽﾞｷ ﾖｼｺ"),
        ("2026/11/08", "8000", "ﾀﾅｶ ｼﾞﾛｳ"), ("2026/11/09", "7777", "ﾘｿｸ")))
    assert response.status_code == 303
    found = {r.payer: r for r in rows()}
    assert found["ｶ)ﾔﾏﾋﾞｺｼﾖｳｼﾞ"].state is TransferState.recorded  # 株式会社 spelled out by the donor
    assert found["ﾀｶｻｷ ﾀﾛｳ"].match is MatchKind.several
    assert found["ｻﾄｳ ﾊﾅｺ"].match is MatchKind.name_only
    assert found["ｽｽﾞｷ ﾖｼｺ"].match is MatchKind.amount_only
    assert found["ﾀﾅｶ ｼﾞﾛｳ"].match is MatchKind.none  # applied for after the transfer: not this money
    assert found["ﾘｿｸ"].state is TransferState.unmatched
    db.session.expire_all()
    assert company.status == "paid" and count(DonationPayment) == 1
    assert {d.status for d in (*twins, name_only, amount_only, later)} == {"unpaid"}

    listing = client.get("/furusato/transfers/open").get_data(as_text=True)
    assert "5件" in listing and f"{30000 + 25000 + 12000 + 8000 + 7777:,}円" in listing
    row = found["ﾀｶｻｷ ﾀﾛｳ"]
    screen = client.get(f"/furusato/transfers/rows/{row.id}").get_data(as_text=True)
    assert all(f'value="{d.id}"' in screen for d in twins) and "氏名・金額" in screen
    assert client.post(f"/furusato/transfers/rows/{row.id}/choose", data={}).status_code == 422
    assert client.post(f"/furusato/transfers/rows/{row.id}/choose",
                       data={"donation": str(name_only.id)}).status_code == 422  # not a candidate of this money
    chosen = client.post(f"/furusato/transfers/rows/{row.id}/choose", data={"donation": str(twins[1].id)})
    assert chosen.status_code == 303
    db.session.expire_all()
    assert twins[1].status == "paid" and twins[1].paid_on == date(2026, 11, 5) and twins[0].status == "unpaid"
    assert db.session.get(TransferRow, row.id).state is TransferState.recorded
    twice = client.post(f"/furusato/transfers/rows/{row.id}/choose", data={"donation": str(twins[0].id)})
    assert twice.status_code == 422 and "既に処理されています" in twice.get_data(as_text=True)

    # A name-only match whose amount differs is refused by the payment's own rule.
    sato = found["ｻﾄｳ ﾊﾅｺ"]
    refused = client.post(f"/furusato/transfers/rows/{sato.id}/choose", data={"donation": str(name_only.id)})
    assert refused.status_code == 422 and "一致しません" in refused.get_data(as_text=True)
    interest = found["ﾘｿｸ"]
    no_reason = client.post(f"/furusato/transfers/rows/{interest.id}/exclude", data={"reason": " "})
    assert no_reason.status_code == 422 and "理由を入力してください" in no_reason.get_data(as_text=True)
    assert client.post(f"/furusato/transfers/rows/{interest.id}/exclude",
                       data={"reason": "預金利息（寄附ではない）"}).status_code == 303
    after = client.get("/furusato/transfers/open").get_data(as_text=True)
    assert "3件" in after and f"{25000 + 12000 + 8000:,}円" in after and "ﾘｿｸ" not in after
    home = client.get("/furusato/").get_data(as_text=True)  # the office's home page says so too
    assert f"未照合の入金（振込・振替）：<a href=\"/furusato/transfers/open\">3件 {25000 + 12000 + 8000:,}円" in home
    assert count(DonationPayment) == 2
    details = list(db.session.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "furusato_transfer",
                                                                      AuditEntry.action == "update")))
    assert any("充当" in d for d in details) and any("対象外：預金利息" in d for d in details)


def test_a_postal_transfer_is_recorded_as_postal_by_the_number_in_its_message(client, login_as, donate) -> None:
    login_as("operator")
    donation = donate(payment_method="postal", amount=10_000)
    child = donate(payment_method="postal", amount=10_000, name="髙﨑 一郎", kana="タカサキ イチロウ")
    data = csv_bytes(POSTAL_HEADER, [
        ["2026/11/10", "10000", "ﾀｶｻｷ ﾀﾛｳ", "ふるさと納税", "平泉", "0001"],
        # the father pays his son's donation, and writes its number (full-width) in the 通信欄
        ["2026/11/11", "10000", "ﾀｶｻｷ ﾀﾛｳ", f"寄附番号 {child.order_id.translate(FULL_WIDTH)}", "平泉", "0002"]])
    assert upload(client, data, profile="postal").status_code == 303
    db.session.expire_all()
    assert donation.status == "paid" and child.status == "paid" and child.paid_on == date(2026, 11, 11)
    assert set(db.session.scalars(select(DonationPayment.method))) == {"postal"}
    assert [r.match for r in rows()] == [MatchKind.certain, MatchKind.order]


@pytest.mark.parametrize(("data", "profile", "message"), [
    (csv_bytes(BANK_HEADER, [["2026/11/05", "30000", "", "", "ﾀｶｻｷ ﾀﾛｳ", ""]], "utf-8"), "bank",
     "1行目がShift_JIS（CP932）として読めません（UTF-8のようです）"),
    (csv_bytes(["取引日", "入金額", "摘要"], [["2026/11/05", "30000", "ﾀｶｻｷ"]]), "bank",
     "必須の列「振込依頼人名」がファイルの見出し（1行目）にありません"),
    (csv_bytes(POSTAL_HEADER, [["2026/11/10", "10000", "ﾀｶｻｷ ﾀﾛｳ", "", "", ""]]), "bank",
     "このファイルは郵便振替（払込み明細）のようです"),
    (b"", "bank", "ファイルが空です"),
])
def test_an_unreadable_file_is_refused_on_upload_and_nothing_is_kept(client, login_as, donate, data, profile,
                                                                    message) -> None:
    login_as("operator")
    donate()
    response = upload(client, data, profile=profile)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(TransferBatch) == 0 and count(DonationPayment) == 0


def test_bad_rows_fail_the_file_naming_each_row_and_change_nothing(client, login_as, donate) -> None:
    login_as("operator")
    donation = donate()
    data = bank(("2026/11/05", "30000", "ﾀｶｻｷ ﾀﾛｳ"), ("2026/13/01", "1000", "ﾔﾏﾀﾞ"), ("2026/11/07", "1万", "ｽｽﾞｷ"),
                ("2099/01/01", "500", "ﾐﾗｲ"))
    response = upload(client, data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "失敗（変更なし）" in page
    assert "3行目：取引日「2026/13/01」が日付として読めません" in page
    assert "4行目：入金額「1万」が金額として読めません" in page
    assert "5行目：取引日「2099/01/01」が未来の日付です" in page
    db.session.expire_all()
    assert count(TransferRow) == 0 and count(DonationPayment) == 0 and donation.status == "unpaid"
    # The corrected file is taken (a refused file does not block it).
    assert upload(client, bank(("2026/11/05", "30000", "ﾀｶｻｷ ﾀﾛｳ"))).status_code == 303
    assert count(DonationPayment) == 1


def test_the_pages_are_the_office_staffs(client, login_as, furusato) -> None:
    login_as("city_staff")
    assert client.get("/furusato/transfers").status_code == 403
    assert client.get("/furusato/transfers/open").status_code == 403
