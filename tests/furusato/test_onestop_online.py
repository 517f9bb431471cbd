"""Online one-stop applications through the service's profile (004 §7(11)オ): refused until the
city approves online intake (§7(11)ウ), every bad row named at once with nothing stored, the
number sealed at once and never repeated in a message."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.furusato.onestop import applications, online, vault
from app.furusato.onestop.models import IntakeChannel, MatchState, OneStopApplication
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, YEAR, paid_donation

HEADER = ("申請日,寄附年,氏名,氏名（カナ）,生年月日,性別,郵便番号,住所,電話番号,メールアドレス,個人番号,本人確認,"
          "確定申告不要,寄附先5団体以下")


def _line(person: tuple, number: str, *, received: str | None = None, birth: str | None = None) -> str:
    name, kana, born, phone, postal, address = person
    return ",".join([received or date.today().strftime("%Y/%m/%d"), str(YEAR), name, kana,
                     birth or born.strftime("%Y/%m/%d"), "男性", postal, address, phone, "donor@example.jp", number,
                     "マイナンバーカード", "はい", "はい"])


def _file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


@pytest.fixture
def approved(app, furusato):
    before = app.config["YAKUBA_CONFIG"]
    app.config["YAKUBA_CONFIG"] = dataclasses.replace(before, ONESTOP_ONLINE_INTAKE=True)
    yield
    app.config["YAKUBA_CONFIG"] = before


def _stored() -> int:
    return int(db.session.scalar(select(func.count()).select_from(OneStopApplication)) or 0)


def test_online_intake_is_refused_until_the_city_approves_it(furusato) -> None:
    with pytest.raises(applications.OneStopError) as refused:
        online.import_file(_file(_line(PEOPLE[0], NUMBERS[0])), by=None)
    assert "ONESTOP_ONLINE_INTAKE" in refused.value.message and _stored() == 0


def test_a_services_file_is_received_as_online_applications(approved) -> None:
    paid_donation(PEOPLE[0], 10_000)
    db.session.commit()
    made = online.import_file(_file(_line(PEOPLE[0], NUMBERS[0]), _line(PEOPLE[1], NUMBERS[1])), by=None)
    db.session.commit()
    assert [a.channel for a in made] == [IntakeChannel.online] * 2
    first = made[0]
    assert (first.name.replace("\u3000", " "), first.gender, first.match) == (PEOPLE[0][0], "男", MatchState.matched)
    assert first.document_codes == ["card_front", "card_back"] and first.declared_five_or_fewer
    assert vault.for_eltax(first.number_cipher) == NUMBERS[0] and NUMBERS[0].encode() not in first.number_cipher


def test_every_bad_row_is_named_at_once_and_nothing_is_stored(approved) -> None:
    late = date(YEAR + 1, 1, 11).strftime("%Y/%m/%d") if date.today() > date(YEAR + 1, 1, 11) else None
    lines = [_line(PEOPLE[0], NUMBERS[0]), _line(PEOPLE[1], "123456789012"), _line(PEOPLE[2], NUMBERS[2], birth="昭和")]
    if late:
        lines.append(_line(PEOPLE[0], NUMBERS[3], received=late))
    with pytest.raises(applications.OneStopError) as refused:
        online.import_file(_file(*lines), by=None)
    messages = [p.message for p in refused.value.problems]
    assert any(m.startswith("3行目") and "個人番号" in m for m in messages)
    assert any(m.startswith("4行目") and "生年月日" in m for m in messages)
    assert not any("2行目" in m for m in messages)
    assert not any("123456789012" in m for m in messages)
    assert _stored() == 0


def test_a_file_without_the_profiles_columns_is_refused_with_them_named(approved) -> None:
    with pytest.raises(applications.OneStopError) as refused:
        online.import_file("氏名,住所\r\n佐々木,盛岡\r\n".encode(), by=None)
    assert "個人番号" in refused.value.message and _stored() == 0


def test_the_command_reports_the_refusal_without_the_number(app, furusato, tmp_path) -> None:
    path = tmp_path / "online.csv"
    path.write_bytes(_file(_line(PEOPLE[1], "123456789012")))
    result = app.test_cli_runner().invoke(args=["furusato", "one-stop", "import-online", str(path)])
    assert result.exit_code == 1 and "ONESTOP_ONLINE_INTAKE" in result.output and "123456789012" not in result.output


def test_a_nul_in_a_cell_refuses_its_row_by_column_and_the_number_is_not_repeated(approved) -> None:
    shifted = _line(PEOPLE[1], NUMBERS[1], birth=NUMBERS[2])  # the number where the birth date goes
    with pytest.raises(applications.OneStopError) as refused:
        online.import_file(_file(_line(PEOPLE[0], NUMBERS[0]).replace("男性", "男\x00性"), shifted), by=None)
    messages = [p.message for p in refused.value.problems]
    assert messages[0] == "2行目（性別）：使えない文字（NUL）が含まれています。"
    assert messages[1].startswith("3行目（生年月日）：生年月日の日付が読めません")
    assert not any(NUMBERS[2] in m for m in messages) and _stored() == 0
