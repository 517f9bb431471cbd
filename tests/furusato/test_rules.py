"""Normalisation, donor matching, suspect rules and the next-office-day deadline."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from app.auth.models import AuditEntry
from app.core.dates import now
from app.extensions import db
from app.furusato import donors, imports, services, suspects
from app.furusato import normalize as nz
from app.furusato.models import Donation, Donor, ImportBatch, SuspectFlag


@pytest.mark.parametrize(("a", "b"), [
    ("ショウヘイ", "シヨウヘイ"), ("ｼｮｳﾍｲ", "ショウヘイ"), ("しょうへい", "シヨウヘイ"),
    ("キッタ　ユウコ", "キツタユウコ"),
])
def test_kana_keys_fold_width_kind_and_small_kana(a: str, b: str) -> None:
    assert nz.kana_key(a) == nz.kana_key(b)


def test_kana_keys_keep_different_names_apart() -> None:
    assert nz.kana_key("ショウヘイ") != nz.kana_key("ショウタ")


@pytest.mark.parametrize(("a", "b"), [
    ("本町一丁目1番1号", "本町1-1-1"), ("本町１－１－１", "本町1-1-1"), ("本町二十三丁目4番地", "本町23-4"),
])
def test_address_keys(a: str, b: str) -> None:
    assert nz.address_key(a) == nz.address_key(b)


def test_postal_area_and_fit() -> None:
    area = nz.postal_area("0294102")
    assert area == nz.PostalArea("岩手県", "西磐井郡平泉町")
    assert nz.address_fits_area("岩手県西磐井郡平泉町平泉字衣関1", area)
    assert nz.address_fits_area("平泉町平泉1", area)
    assert not nz.address_fits_area("岩手県一関市竹山町7-2", area)
    assert nz.postal_area("0218501").city == "一関市"  # an office code
    assert nz.postal_area("0000000") is None


def _rec(**kw):
    base = dict(postal_code="100-0001", address="東京都千代田区千代田1-1", gift_code="YB-001", gift_name="りんご",
                quantity=1, amount=10_000, one_stop=False, birth_date=date(1980, 1, 1), name="山田　太郎",
                kana="ヤマダ　タロウ", phone="03-0000-0000")
    base.update(kw)
    return base


CTX = suspects.RuleContext(suspects.HomeArea("岩手県", "西磐井郡平泉町", ("02941",)),
                           {"YB-001": ("りんご", 10_000)}, ("name", "kana", "postal_code", "address", "phone"))


@pytest.mark.parametrize(("changes", "reason"), [
    ({"postal_code": "029-4102", "address": "岩手県西磐井郡平泉町平泉1"}, "in_city_gift"),
    ({"address": "大阪府大阪市北区梅田1"}, "postal_address_mismatch"),
    ({"postal_code": "999-9999"}, "postal_address_mismatch"),
    ({"phone": ""}, "missing_required"),
    ({"amount": 9_000}, "amount_gift_mismatch"),
    ({"gift_code": "NOPE"}, "amount_gift_mismatch"),
    ({"one_stop": True, "birth_date": None}, "one_stop_without_birth_date"),
])
def test_each_rule_flags_with_its_reason(changes, reason) -> None:
    assert suspects.evaluate(_rec(), CTX) == []
    assert [r for r, _ in suspects.evaluate(_rec(**changes), CTX)] == [reason]


def test_in_city_without_a_gift_is_not_suspect() -> None:
    rec = _rec(postal_code="029-4102", address="岩手県西磐井郡平泉町平泉1", gift_code="", gift_name="")
    assert suspects.evaluate(rec, CTX) == []


def test_repeat_donors_match_across_portals_despite_small_kana_and_width(run_file, portal_file, generator) -> None:
    first = next(generator.donations(1, prefix="A", bad=0))
    person = replace(first.person, given_kana="ショウヘイ", birth_date=date(1985, 3, 3))
    a = replace(first, person=person)
    b = replace(first, order_id="B1", person=replace(person, given_kana="ｼﾖｳﾍｲ", phone=person.phone.replace("-", "")),
                applied_at=datetime(2026, 9, 1, 10, 0))
    run_file("choice", portal_file("choice", [a]))
    run_file("rakuten", portal_file("rakuten", [b]))
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 1
    assert {d.donor_id for d in db.session.scalars(select(Donation))} == {1}


def test_duplicate_order_is_flagged(run_file, portal_file, generator) -> None:
    d = next(generator.donations(1, bad=0))
    twin = replace(d, order_id="OTHER1")
    run_file("ana", portal_file("ana", [d]))
    run_file("choice", portal_file("choice", [twin]))
    reasons = db.session.scalars(select(SuspectFlag.reason)).all()
    assert reasons.count("duplicate_order") == 1


def test_merge_and_unmerge_move_donations_back_and_are_audited(run_file, portal_file, generator) -> None:
    d1, d2 = list(generator.donations(2, bad=0))
    d2 = replace(d2, person=replace(d1.person, family_kana="ヤマモト", given_kana="タロウ", birth_date=None,
                                    street="別住所1-1"))
    d1 = replace(d1, person=replace(d1.person, family_kana="ヤマモト", given_kana="タロウ"))
    run_file("ana", portal_file("ana", [d1]))
    run_file("ana", portal_file("ana", [replace(d2, person=replace(d2.person, phone="090-0000-0000"))]))
    a, b = db.session.scalars(select(Donor).order_by(Donor.id)).all()
    candidates = donors.likely_matches()
    assert [(c.a.id, c.b.id) for c in candidates] == [(a.id, b.id)]
    assert "フリガナ" in candidates[0].reasons and "郵便番号" in candidates[0].reasons
    record = donors.merge(a, b, "電話で同一人物と確認", None)
    db.session.commit()
    assert {d.donor_id for d in db.session.scalars(select(Donation))} == {a.id}
    assert donors.likely_matches() == []
    donors.unmerge(record, None)
    db.session.commit()
    assert sorted(d.donor_id for d in db.session.scalars(select(Donation))) == [a.id, b.id]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "furusato_donor")).all()
    assert actions == ["merge", "unmerge"]
    donors.dismiss(a, b, None)
    db.session.commit()
    assert donors.likely_matches() == []


def test_deadline_follows_the_office_calendar(app, furusato) -> None:
    portal = services.portal_by_code("choice")
    # Monday 2026-11-30: the last office day on or before is itself; Sunday points back to Friday.
    assert services.last_office_day(date(2026, 11, 29)) == date(2026, 11, 27)
    assert services.last_office_day(date(2026, 11, 30)) == date(2026, 11, 30)
    # Year-end closure: 2027-01-04 (Mon) follows 12-28.
    assert services.last_office_day(date(2027, 1, 3)) == date(2026, 12, 28)

    def state(on: date) -> str:
        return next(d.state for d in services.import_deadlines(on) if d.portal.code == "choice")

    assert state(date(2026, 11, 30)) == "never"
    batch = ImportBatch(portal_id=portal.id, status="applied", finished_at=datetime(2026, 11, 27, 9, 0))
    db.session.add(batch)
    db.session.flush()
    assert state(date(2026, 11, 28)) == "met"        # Saturday: Friday's import covers it
    assert state(date(2026, 11, 30)) == "due"        # Monday: Friday-Sunday due today
    assert state(date(2026, 12, 1)) == "overdue"     # Tuesday: Monday passed without an import
    batch.finished_at = datetime(2026, 11, 30, 8, 45)
    assert state(date(2026, 11, 30)) == "met"
    assert now()  # the helper itself is used by the views


def test_intake_validation_and_matching(app, furusato) -> None:
    data = services.DonationInput(
        channel="fax", applied_on=date(2026, 10, 1), amount=10_000, payment_method="postal", status="unpaid",
        paid_on=None, gift_code="YB-001", quantity=1, one_stop=True, receipt_wish=True, name="山田 花子",
        kana="やまだ はなこ", birth_date=None, phone="03-1234-5678", email="", postal_code="029-4102",
        address="岩手県西磐井郡平泉町平泉1", notes="")
    donation = services.create_direct_donation(data, None)
    assert donation.order_id == "FAX-20261001-0001" and donation.kana == "ヤマダ\u3000ハナコ"
    reasons = {f.reason for f in db.session.scalars(select(SuspectFlag))}
    assert reasons == {"in_city_gift", "one_stop_without_birth_date"}
    with pytest.raises(services.FurusatoError) as refused:
        services.create_direct_donation(replace(data, postal_code="123"), None)
    assert refused.value.field == "postal_code"
    again = services.create_direct_donation(replace(data, applied_on=date(2026, 10, 2)), None)
    assert again.donor_id == donation.donor_id


def test_small_chunks_give_the_same_result(run_file, portal_file, generator, monkeypatch) -> None:
    monkeypatch.setattr(imports.steps, "CHUNK_ROWS", 7)
    rows = list(generator.donations(50, bad=0, repeat=0.3))
    batch, counts = run_file("mynavi", portal_file("mynavi", rows))
    assert counts.created == 50 and batch.status == "applied"
    data = portal_file("mynavi", rows)
    _, again = run_file("mynavi", data)
    assert again.unchanged == 50
    assert imports.detect_encoding(io.BytesIO(data)) == "cp932"


def _flags_by_order() -> list[tuple[str, str, str]]:
    """Every flag as (order number, reason, detail with the twins' ids written as order numbers)."""
    orders = dict(db.session.execute(select(Donation.id, Donation.order_id)).all())
    out = []
    for flag in db.session.scalars(select(SuspectFlag)):
        detail = re.sub(r"#(\d+)", lambda m: orders[int(m.group(1))], flag.detail)
        out.append((orders[flag.donation_id], str(flag.reason), detail))
    return sorted(out)


def _forget_donations() -> None:
    for model in (SuspectFlag, Donation, Donor):
        db.session.execute(delete(model))
    db.session.commit()


def test_duplicate_orders_do_not_depend_on_the_chunk_size(run_file, portal_file, generator, monkeypatch) -> None:
    """Issue 22: the first of a twin pair was flagged only when its twin came in the same chunk."""
    rows = [replace(d, status="paid") for d in generator.donations(40, bad=0, repeat=0)]
    # Twins far apart (other chunks whatever the size), a twin next to its first, and a triple.
    twins = [replace(rows[i], order_id=f"TWIN{i:04d}") for i in (0, 3, 17, 17)]
    twins[-1] = replace(twins[-1], order_id="TRIPLE17")
    data = portal_file("choice", [*rows[:10], twins[1], *rows[10:], twins[0], twins[2], twins[3]])
    found = []
    for chunk, piece in ((5, 3), (10_000, 10_000)):
        monkeypatch.setattr(imports.steps, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(imports.steps, "APPLY_ROWS", piece)
        batch, counts = run_file("choice", data)
        assert batch.status == "applied" and counts.created == 44
        found.append((counts.suspects, _flags_by_order()))
        _forget_donations()
    (small_count, small), (whole_count, whole) = found
    twinned = {order for order, reason, _ in whole if reason == "duplicate_order"}
    assert twinned == {rows[0].order_id, "TWIN0000", rows[3].order_id, "TWIN0003", rows[17].order_id, "TWIN0017",
                       "TRIPLE17"}
    assert small == whole and small_count == whole_count
    triple = next(detail for order, reason, detail in whole
                  if order == rows[17].order_id and reason == "duplicate_order")
    assert "TWIN0017" in triple and "TRIPLE17" in triple
