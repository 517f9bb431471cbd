"""郵便物の戻り (issue 16 §4): a returned envelope is recorded from its certificate number, the
donor's follow-up closes it with a corrected address (a correction with history and a 再発行
with the same number, waiting for the next batch) or without a resend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.core.dates import fiscal_year, now, today
from app.extensions import db
from app.furusato import payments, returns, services
from app.furusato.certificate_numbers import issue
from app.furusato.models import Certificate, Correction, Donation
from app.furusato.returns_models import ReturnedItem, ReturnedMail
from tests.furusato.test_payments import PHONE

YEAR = fiscal_year(today())
NEW_ADDRESS = {"postal_code": "０２９－４１０２", "address": "岩手県西磐井郡平泉町平泉字志羅山２０"}


def _paid(**changes) -> Donation:
    donation = services.create_direct_donation(replace(PHONE, **changes), None)
    payments.record_payment(donation, PHONE.applied_on + timedelta(days=3), donation.amount, "bank", None)
    return donation


@pytest.fixture
def posted(app, furusato) -> list[Certificate]:
    """A posted batch: 髙﨑 太郎 with two donations in one envelope (第1号, 第2号), 山田 花子 alone (第3号)."""
    first, second = _paid(), _paid(amount=50_000)
    other = _paid(name="山田 花子", kana="ヤマダ ハナコ", phone="0191-22-3333", address="岩手県一関市大手町1-1",
                  postal_code="021-0877")
    certificates = issue([first, second, other], "batch-1", by=None)
    for certificate in certificates:
        certificate.posted_at = now()
    db.session.commit()
    return certificates


def _return(text: str, reason: str = "unknown_address", note: str = "", year: int | None = None) -> ReturnedMail:
    return returns.record_return(returns.ReturnInput(text, year, reason, note), None)


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _outcome(outcome: str, note: str = "", **address: str) -> returns.OutcomeInput:
    return returns.OutcomeInput(outcome, address.get("postal_code", ""), address.get("address", ""), note)


def test_a_return_is_recorded_for_the_whole_envelope_from_the_printed_number(posted) -> None:
    returned = _return(f"{YEAR}年度第2号", "moved")  # as printed, after the form's fold
    db.session.commit()
    assert returned.certificate_id == posted[1].id and returned.donor_id == posted[0].donor_id
    assert [i.certificate_id for i in returned.items] == [posted[0].id, posted[1].id]
    assert returned.is_open and returned.returned_on == today() and returned.reason_text == "転居先不明"
    details = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "furusato_donation", AuditEntry.detail.startswith("受領証明書の戻り"))).all()
    assert sorted(details) == [f"受領証明書の戻り {YEAR}年度 第{n}号（転居先不明）" for n in (1, 2)]
    # The number alone is taken in the year the form gives (the page offers this one).
    alone = _return("3", "other", "表札なし", year=YEAR)
    assert alone.certificate_id == posted[2].id and alone.reason_text == "その他（表札なし）"


def test_the_number_is_read_as_printed_in_either_calendar_as_a_barcode_or_alone() -> None:
    for text in ("2026年度第123号", "令和8年度第123号", "2026-123", "第123号", "123"):
        assert returns.parse_number(text, 2026) == (2026, 123), text
    assert returns.parse_number("令和元年度第1号", None) == (2019, 1)
    assert returns.parse_number("123", None) is None and returns.parse_number("平成30年度第1号", 2026) is None


def test_bad_numbers_and_reasons_are_refused_naming_each_field_and_change_nothing(posted) -> None:
    for text, message in ((f"{YEAR}年度第99号", f"「{YEAR}年度 第99号」の受領証明書はありません"),
                          ("第1号の控え", "読み取れません"), ("", "証明書番号を入力してください")):
        with pytest.raises(services.FurusatoError) as refused:
            _return(text, "")
        fields = {p.field: p.message for p in refused.value.problems}
        assert set(fields) == {"certificate", "reason"} and message in fields["certificate"]
    with pytest.raises(services.FurusatoError) as no_year:
        _return("3")
    assert no_year.value.field == "fiscal_year" and "年度を入力" in no_year.value.message
    with pytest.raises(services.FurusatoError) as no_note:
        _return(f"{YEAR}年度第1号", "other")
    assert no_note.value.field == "reason_note"
    posted[2].posted_at = None  # printed, but the batch was never confirmed as posted
    with pytest.raises(services.FurusatoError) as unposted:
        _return(f"{YEAR}年度第3号")
    assert unposted.value.field == "certificate" and "発送の記録がありません" in unposted.value.message
    db.session.rollback()
    assert _count(ReturnedMail) == 0 and _count(ReturnedItem) == 0


def test_an_envelope_comes_back_once(posted) -> None:
    first = _return(f"{YEAR}年度第1号")
    db.session.commit()
    with pytest.raises(services.FurusatoError) as again:  # the other certificate of the same envelope
        _return(f"{YEAR}年度第2号", "refused")
    assert again.value.field == "certificate" and "対応中です" in again.value.message
    db.session.rollback()
    returns.close_return(first, _outcome("no_resend", "寄附者から不要との申出"), None)
    db.session.commit()
    with pytest.raises(services.FurusatoError) as closed:
        _return(f"{YEAR}年度第1号")
    assert "対応済みです" in closed.value.message
    db.session.rollback()
    assert _count(ReturnedMail) == 1


def test_a_corrected_address_keeps_its_history_and_makes_one_reissue_with_the_same_number(
        posted, make_user) -> None:
    clerk = make_user("operator")
    returned = _return(f"{YEAR}年度第1号")
    waiting = _paid(amount=10_000)  # paid since, no certificate yet: the next batch would post it there
    db.session.commit()
    old_address = db.session.get(Donation, posted[0].donation_id).address
    data = _outcome("corrected", "本人に確認", postal_code="029-4102", address=NEW_ADDRESS["address"])
    returns.close_return(returned, data, clerk)
    db.session.commit()
    for original in posted[:2]:
        donation = db.session.get(Donation, original.donation_id)
        assert donation.address == "岩手県西磐井郡平泉町平泉字志羅山20"
        history = db.session.scalars(select(Correction).where(Correction.donation_id == donation.id)).all()
        assert [(c.field, c.old_value, c.username, c.source, c.channel) for c in history] == [
            ("address", old_address, clerk.username, "donor_request", "phone")]
        assert "受領証明書の戻り（宛所不明）" in history[0].reason and "本人に確認" in history[0].reason
        copies = db.session.scalars(select(Certificate).where(Certificate.reissue_of_id == original.id)).all()
        assert [(c.fiscal_year, c.number, c.batch, c.posted_at) for c in copies] == [
            (original.fiscal_year, original.number, "", None)]  # waiting for the next batch
    assert donation.donor.address == "岩手県西磐井郡平泉町平泉字志羅山20"  # the donor follows
    assert waiting.address == "岩手県西磐井郡平泉町平泉字志羅山20"
    assert [c.field for c in db.session.scalars(select(Correction).where(Correction.donation_id == waiting.id))] == [
        "address"]
    assert not db.session.scalars(select(Certificate).where(Certificate.reissue_of_id == posted[2].id)).all()
    assert not returned.is_open and returned.outcome == "corrected" and returned.closed_by == clerk
    assert [i.reissue.number for i in returned.items] == [1, 2]
    with pytest.raises(services.FurusatoError) as twice:
        returns.close_return(returned, data, clerk)
    assert twice.value.field == "outcome"
    db.session.rollback()
    assert _count(Certificate) == 5
    # The reissue, once printed and posted, can come back in its turn.
    for item in returned.items:
        item.reissue.batch, item.reissue.posted_at = "batch-2", now()
    db.session.commit()
    assert _return(f"{YEAR}年度第1号").certificate_id == returned.items[0].reissue_id


def test_refused_outcomes_name_their_field_and_change_nothing(posted) -> None:
    returned = _return(f"{YEAR}年度第1号")
    db.session.commit()
    same = db.session.get(Donation, posted[0].donation_id)
    cases = ((_outcome(""), "outcome"), (_outcome("unreachable"), "note"),
             (_outcome("corrected"), "postal_code"),
             (_outcome("corrected", postal_code=same.postal_code, address=same.address), "address"),
             (_outcome("corrected", postal_code="999-9999", address="どこか1-1"), "postal_code"))
    for data, field in cases:
        with pytest.raises(services.FurusatoError) as refused:
            returns.close_return(returned, data, None)
        assert field in {p.field for p in refused.value.problems}, (data, refused.value.problems)
        db.session.rollback()
    assert returned.is_open and _count(Correction) == 0 and _count(Certificate) == 3
    same.phone = "12"  # a field of the donation this form does not have
    db.session.commit()
    with pytest.raises(services.FurusatoError) as elsewhere:
        returns.close_return(returned, _outcome("corrected", **NEW_ADDRESS), None)
    assert elsewhere.value.field == "outcome" and same.order_id in elsewhere.value.message
    assert "修正を登録" in elsewhere.value.message
    db.session.rollback()
    assert returned.is_open and _count(Correction) == 0 and _count(Certificate) == 3


def test_the_open_list_is_oldest_first_with_ages_pages_and_closed_returns_leave_it(posted, monkeypatch) -> None:
    a, b = _return(f"{YEAR}年度第1号"), _return(f"{YEAR}年度第3号", "unclaimed")
    a.returned_on, b.returned_on = today() - timedelta(days=3), today() - timedelta(days=10)
    db.session.commit()
    page = returns.open_returns(today(), by=None)
    assert page.count == 2 and [(line.returned.id, line.age) for line in page.rows] == [(b.id, 10), (a.id, 3)]
    assert page.rows[0].donor.phone == "0191-22-3333"
    monkeypatch.setattr(returns, "PAGE_SIZE", 1)
    second = returns.open_returns(today(), 2, by=None)
    assert (second.count, second.pages, [line.returned.id for line in second.rows]) == (2, 2, [a.id])
    monkeypatch.undo()
    returns.close_return(b, _outcome("unreachable", "3回架電、不在"), None)
    db.session.commit()
    page = returns.open_returns(today(), by=None)
    assert page.count == 1 and [line.returned.id for line in page.rows] == [a.id]


def test_the_pages_record_a_scanned_return_and_its_outcome(client, login_as, posted) -> None:
    login_as("operator")
    page = client.get("/furusato/returns")
    assert page.status_code == 200 and "郵便物の戻り" in page.get_data(as_text=True)
    bad = client.post("/furusato/returns", data={"certificate": "２０２６年度　第９９号", "reason": "moved"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "第99号」の受領証明書はありません" in text and 'value="2026年度第99号"' in text
    assert _count(ReturnedMail) == 0
    typed = f"{YEAR}年度　第１号".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = client.post("/furusato/returns", data={"certificate": typed, "reason": "moved"})
    assert done.status_code == 303
    listed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "戻りを転居先不明として記録しました" in listed and "0日" in listed and "03-1234-5678" in listed
    returned = db.session.scalar(select(ReturnedMail))
    assert returned is not None
    again = client.post("/furusato/returns", data={"certificate": typed, "reason": "moved"})
    assert again.status_code == 422 and "対応中です" in again.get_data(as_text=True)
    assert client.get(f"/furusato/returns/{returned.id}").status_code == 200
    donor_page = client.get(f"/furusato/donors/{returned.donor_id}").get_data(as_text=True)
    assert "未対応（住所の確認が必要）" in donor_page and f"{YEAR}年度 第1号 ほか1件" in donor_page
    same = client.post(f"/furusato/returns/{returned.id}", data={"outcome": "unreachable"})
    assert same.status_code == 422 and "経緯を入力してください" in same.get_data(as_text=True)
    closed = client.post(f"/furusato/returns/{returned.id}", data={"outcome": "corrected", **NEW_ADDRESS})
    assert closed.status_code == 303
    assert "未対応の戻りはありません" in client.get(closed.headers["Location"]).get_data(as_text=True)
    reads = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "read", AuditEntry.object_type == "furusato_donor")).all()
    assert any("郵便物の戻り（未対応、1ページ）" in r for r in reads)
    assert any(f"（郵便物の戻り #{returned.id}）" in r for r in reads)
    # The refused second scan showed the open list again: its read is kept.
    assert sum("郵便物の戻り（未対応" in r for r in reads) == 2
    assert _count(Certificate) == 5
