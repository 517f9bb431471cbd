"""The donation search's free text, the one total, and the 疑義データ pages (issue 15 §4).
Each runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.furusato import search, worklist
from app.furusato.models import Donation, SuspectFlag
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes

HANAKO = {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ",
          "phone": "090-1234-5678"}


@pytest.fixture
def imported(run_file, generator):
    """20 donations on ふるさとチョイス, three of them 山田 花子's (one cancelled)."""
    rows = list(generator.donations(20, prefix="CH2026", repeat=0, bad=0, suspects=0))
    for i in range(3):
        rows[i] = replace(rows[i], person=replace(rows[i].person, **HANAKO),
                          status="cancelled" if i == 2 else "paid")
    run_file("choice", portal_bytes(file_profiles()["choice"], rows))
    return rows


def _found(text: str) -> set[str]:
    result = search.search(search.DonationFilter(text=text), by=None)
    return {d.order_id for d in result.rows}


@pytest.mark.parametrize("text", ["山田 花子", "山田花子", "山田　花子", "ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダハナコ", "やまだはなこ",
                                  "090-1234-5678", "09012345678", "０９０（１２３４）５６７８", "+81 90 1234 5678"])
def test_the_person_is_found_by_name_kana_or_phone_in_any_form(imported, text) -> None:
    assert _found(text) == {r.order_id for r in imported[:3]}


def test_a_part_of_an_order_number_finds_its_donation(imported) -> None:
    assert _found(imported[7].order_id[-5:]) == {imported[7].order_id}
    assert _found("CH2026") == {r.order_id for r in imported}
    assert _found("ＣＨ２０２６") == {r.order_id for r in imported}  # full width, folded
    assert _found("%") == set()  # a LIKE wildcard is a character, not a pattern


def test_a_few_digits_are_not_taken_for_a_phone_number(imported) -> None:
    assert _found("5678") == set()


def test_one_total_everywhere_cancelled_apart(client, login_as, imported) -> None:
    standing = [r for r in imported if r.status != "cancelled"]
    cancelled = [r for r in imported if r.status == "cancelled"]
    assert cancelled, "the fixture has a cancellation"
    total = search.total(search.DonationFilter())
    assert (total.count, total.amount) == (len(standing), sum(r.amount for r in standing))
    assert (total.cancelled_count, total.cancelled_amount) == (len(cancelled), sum(r.amount for r in cancelled))
    monthly = search.totals(search.DonationFilter())
    assert sum(m.amount for m in monthly) == total.amount and sum(m.count for m in monthly) == total.count
    login_as("supervisor")
    line = (f"合計 {len(standing)}件 {total.amount:,}円（キャンセル{len(cancelled)}件 "
            f"{total.cancelled_amount:,}円は含みません）")
    assert line in client.get("/furusato/donations").get_data(as_text=True)
    assert line in client.get("/furusato/totals?date_from=2026-01-01").get_data(as_text=True)


def test_the_suspect_list_pages_with_its_count(client, login_as, imported) -> None:
    donation_id = db.session.scalar(select(Donation.id))
    flags = [SuspectFlag(donation_id=donation_id, reason="missing_required", detail=f"#{i}")
             for i in range(worklist.PAGE_SIZE + 5)]
    db.session.add_all(flags)
    db.session.commit()
    total = db.session.scalar(select(db.func.count()).select_from(SuspectFlag).where(SuspectFlag.status != "cleared"))
    login_as("operator")
    first = client.get("/furusato/suspects").get_data(as_text=True)
    assert f"{total}件（古い順、1/2ページ）" in first and "次へ" in first
    second = client.get("/furusato/suspects?status=open&page=2").get_data(as_text=True)
    assert f"{total}件（古い順、2/2ページ）" in second and "前へ" in second
    assert f">{flags[-1].detail}<" in second and f">{flags[-1].detail}<" not in first
