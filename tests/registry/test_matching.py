"""住民基本台帳との照合 (000 §6(3)①カ): folding kana, width and address notation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.registry import services
from app.registry.matching import Entered, fold_address, fold_kana, fold_name
from tests.registry.factories import yamabiko_family


@pytest.mark.parametrize(("a", "b"), [
    ("やまびこ　しょう", "ヤマビコ ショウ"),
    ("ﾔﾏﾋﾞｺ ｼｮｳ", "ヤマビコショウ"),
    ("ヤマビコ ショウ", "ヤマビコ シヨウ"),  # small kana folded
])
def test_kana_folds_script_width_spaces_and_small_kana(a: str, b: str) -> None:
    assert fold_kana(a) == fold_kana(b)


def test_different_kana_stay_different() -> None:
    assert fold_kana("ヤマビコ タロウ") != fold_kana("ヤマビコ ジロウ")


def test_name_folds_width_and_spaces() -> None:
    assert fold_name("山彦　太郎") == fold_name("山彦 太郎") == "山彦太郎"


@pytest.mark.parametrize("written", [
    "岩手県一関市竹山町７番２号",
    "岩手県一関市竹山町7-2",
    "岩手県一関市竹山町 ７－２",
    "岩手県一関市竹山町7番地2",
])
def test_address_notations_fold_together(written: str) -> None:
    assert fold_address(written) == fold_address("岩手県一関市竹山町7番2号")


def test_kanji_chome_folds_to_digits() -> None:
    assert fold_address("本町一丁目1番1号") == fold_address("本町1-1-1")
    assert fold_address("本町十二丁目3番") == fold_address("本町12-3")
    assert fold_address("本町二丁目1番1号") != fold_address("本町1-1-1")


def test_match_finds_the_person_and_highlights_differences(app, db_session) -> None:
    yamabiko_family()
    candidates = services.match(Entered(name="山彦 太郎", kana="やまびこ たろう", birth_date=date(1980, 5, 5),
                                        sex="1", address="岩手県一関市竹山町7番3号"), by=None)
    best = candidates[0]
    assert best.person.given_name == "太郎"
    assert [d.field for d in best.differences] == ["address"]
    assert not best.exact


def test_exact_match_and_audit_of_the_records_shown(app, db_session) -> None:
    household = yamabiko_family()
    candidates = services.match(Entered(name="山彦　花子", birth_date=date(1982, 8, 1),
                                        address="岩手県一関市竹山町７番２号"), by=None)
    assert candidates[0].exact
    reads = db_session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.object_type == "resident", AuditEntry.action == "read")).all()
    assert str(candidates[0].person.id) in reads
    assert candidates[0].person.household_id == household.id


def test_no_candidate_when_nothing_resembles(app, db_session) -> None:
    yamabiko_family()
    assert services.match(Entered(name="佐藤 一郎", birth_date=date(1950, 1, 1)), by=None) == []
