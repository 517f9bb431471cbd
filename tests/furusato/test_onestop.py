"""One-stop applications (issue 17): intake, matching, review, changes, the deadline, the vault,
and the eLTAX files (golden file for a fixture layout; a change notice alters the row)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.onestop import applications, eltax, review, vault
from app.furusato.onestop.models import ApplicationState, MatchState, OneStopApplication, OneStopChange
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, YEAR, form, paid_donation

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def donations(furusato: None) -> list:
    made = [paid_donation(PEOPLE[0], 10_000, 30), paid_donation(PEOPLE[0], 20_000, 5),
            paid_donation(PEOPLE[1], 30_000, 12), paid_donation(PEOPLE[2], 15_000, 3)]
    db.session.commit()
    return made


def test_a_typed_form_is_matched_to_the_donor_and_the_years_donations(donations) -> None:
    application = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=None)
    assert application.match == MatchState.matched
    assert sorted(c.donation_id for c in application.covered) == sorted(d.id for d in donations[:2])
    assert (application.home_code, application.home_name) == ("032018", "岩手県盛岡市")
    assert application.masked_number == "●●●●●●●●" + NUMBERS[0][-4:]
    assert NUMBERS[0].encode() not in application.number_cipher
    assert vault.for_eltax(application.number_cipher) == NUMBERS[0]


def test_a_designated_citys_ward_notifies_the_city(donations) -> None:
    application = applications.receive(form(PEOPLE[1], NUMBERS[1]), by=None)
    assert (application.home_code, application.home_name) == ("141003", "神奈川県横浜市")


def test_an_unknown_person_is_left_for_the_uncertain_screen(donations) -> None:
    stranger = ("田中 次郎", "タナカ ジロウ", date(1950, 1, 1), "", "020-0021", "岩手県盛岡市中央通9-9")
    application = applications.receive(form(stranger, NUMBERS[2]), by=None)
    assert application.match == MatchState.unmatched and not application.covered
    assert not review.passes(application)


def test_bad_input_is_refused_all_at_once_without_repeating_the_number(donations) -> None:
    with pytest.raises(applications.OneStopError) as refused:
        applications.receive(form(PEOPLE[0], "123456789012", name="", postal_code="0000000"), by=None)
    fields = {p.field for p in refused.value.problems}
    assert {"name", "number", "postal_code"} <= fields
    assert not any("123456789012" in p.message for p in refused.value.problems)
    assert db.session.scalar(select(OneStopApplication.id)) is None


def test_an_application_after_10_january_is_refused_with_the_rule_named(donations) -> None:
    with pytest.raises(applications.OneStopError) as refused:
        applications.receive(form(PEOPLE[0], NUMBERS[0], tax_year=YEAR - 1), by=None)
    assert "地方税法附則第7条" in refused.value.message and "1月10日" in refused.value.message
    assert refused.value.field == "received_on"


def test_deficient_then_corrected_then_accepted(donations) -> None:
    application = applications.receive(form(PEOPLE[0], NUMBERS[0], documents=["notification_card"]), by=None)
    items = {i.key: i.ok for i in review.checklist(application)}
    assert items == {"form": True, "documents": False, "declaration": True, "donations": True}
    with pytest.raises(applications.OneStopError, match="番号確認・身元確認"):
        review.accept(application, by=None)
    review.mark_deficient(application, "identity_document", "", by=None)
    assert application.state == ApplicationState.deficient
    assert review.counts(YEAR).deficient == 1
    review.correct(application, documents_added=["insurance_card", "pension"], by=None)
    review.accept(application, by=None)
    assert application.state == ApplicationState.accepted and review.counts(YEAR).unacknowledged == 1


def test_reveal_is_for_a_number_handler_with_a_reason_and_audited_without_the_number(donations, make_user) -> None:
    application = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=None)
    clerk, handler = make_user("operator"), make_user("supervisor", number_handler=True)
    with pytest.raises(vault.NumberRefused):
        vault.reveal(application, "確認", by=clerk)
    with pytest.raises(vault.NumberRefused):
        vault.reveal(application, " ", by=handler)
    assert vault.reveal(application, "市からの照会", by=handler) == NUMBERS[0]
    row = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "furusato_onestop_number")).one()
    assert "市からの照会" in row.detail and NUMBERS[0] not in row.detail


def test_key_rotation_keeps_every_number_readable(donations) -> None:
    from cryptography.fernet import Fernet

    application = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=None)
    old = vault._keys()
    new_keys = (Fernet.generate_key().decode(), *old)
    token = vault._fernet(new_keys).rotate(application.number_cipher)
    assert Fernet(new_keys[0].encode()).decrypt(token).decode() == NUMBERS[0]  # the new key alone reads it


def _accepted(people: list[int]) -> list[OneStopApplication]:
    made = []
    for i in people:
        a = applications.receive(form(PEOPLE[i], NUMBERS[i]), by=None)
        review.accept(a, by=None)
        made.append(a)
    db.session.commit()
    return made


def test_the_eltax_file_of_a_fixture_layout_is_the_golden_file(donations, tmp_path) -> None:
    _accepted([0, 1, 2])
    summaries = eltax.build(YEAR, tmp_path, by=None, layout_path=GOLDEN / "eltax_fixture_layout.yaml",
                            made_on=date(YEAR + 1, 1, 20))
    assert [(s.code, s.rows, s.total, s.correction) for s in summaries] == [
        ("032018", 2, 45_000, False), ("141003", 1, 30_000, False)]
    morioka = (tmp_path / summaries[0].file).read_bytes()
    expected = (GOLDEN / "eltax_fixture_032018.txt").read_bytes().replace(b"YYYY", str(YEAR).encode()).replace(
        b"NEXT", str(YEAR + 1).encode())
    assert morioka == expected
    assert (tmp_path / summaries[0].list).read_bytes().startswith(b"%PDF")


def test_a_change_notice_alters_the_outgoing_row_and_marks_a_correction(donations, tmp_path) -> None:
    [application] = _accepted([0])
    first = eltax.build(YEAR, tmp_path / "1", by=None, layout_path=GOLDEN / "eltax_fixture_layout.yaml")
    assert eltax.build(YEAR, tmp_path / "2", by=None)[0].unchanged is False  # another layout: other bytes
    applications.change(application, application.received_on, {"address": "岩手県盛岡市中央通3-3-3"}, by=None)
    db.session.commit()
    assert application.changed_after_handover
    again = eltax.build(YEAR, tmp_path / "3", by=None, layout_path=GOLDEN / "eltax_fixture_layout.yaml")
    assert again[0].correction and again[0].file.endswith("_teisei.txt")
    before, after = ((tmp_path / d / s[0].file).read_bytes().decode("cp932") for d, s in (("1", first), ("3", again)))
    assert "中央通１－１－１" in before and "中央通３－３－３" in after and "中央通１－１－１" not in after
    assert after.startswith("H2")
    history = db.session.scalars(select(OneStopChange).where(OneStopChange.application_id == application.id)).all()
    assert [(h.field, h.after) for h in history] == [("address", "岩手県盛岡市中央通3-3-3")]


def test_a_change_after_10_january_is_refused(donations) -> None:
    [application] = _accepted([0])
    with pytest.raises(applications.OneStopError, match="地方税法附則第7条"):
        applications.change(application, date(YEAR + 1, 1, 11), {"address": "x"}, by=None)


def test_a_withdrawn_application_is_not_notified(donations, tmp_path) -> None:
    a, b = _accepted([0, 2])
    applications.withdraw(a, a.received_on, "確定申告する", by=None)
    db.session.commit()
    [summary] = eltax.build(YEAR, tmp_path, by=None)
    assert summary.rows == 1 and summary.total == 15_000


def test_the_command_prints_json_per_municipality(donations, app, tmp_path) -> None:
    _accepted([0, 1])
    result = app.test_cli_runner().invoke(args=["furusato", "one-stop", "eltax", "--year", str(YEAR),
                                                "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {(x["code"], x["rows"]) for x in lines} == {("032018", 1), ("141003", 1)}
    data = (tmp_path / lines[0]["file"]).read_bytes()
    assert data.decode("cp932").count("\r\n") == 3
