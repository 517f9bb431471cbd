from __future__ import annotations

import pytest
from click.testing import Result
from sqlalchemy import select

from app.core.services import SettingsError, municipality_check_digit, validate_municipality_code
from app.devices.models import Terminal


@pytest.mark.parametrize(("code", "valid"), [
    ("032093", True),   # 一関市
    ("131016", True),   # 千代田区
    ("011002", True),   # 札幌市
    ("032094", False),
    ("03209", False),
    ("482001", False),
])
def test_municipality_code_check_digit(code: str, valid: bool) -> None:
    if valid:
        assert validate_municipality_code(code) == code
    else:
        with pytest.raises(SettingsError):
            validate_municipality_code(code)


def test_check_digit_edge_remainders() -> None:
    assert municipality_check_digit("03209") == 3


def test_settings_form_refuses_a_bad_code_and_keeps_the_input(client, login_as) -> None:
    login_as("admin")
    data = {"name": "架空市", "code": "032094", "postal_code": "021-8501",
            "address": "岩手県架空市1-1", "mayor_name": "架空 太郎", "contractor_name": "株式会社テスト"}
    response = client.post("/admin/municipality", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "検査数字が一致しません" in body and 'value="架空市"' in body
    data["code"] = "032093"
    assert client.post("/admin/municipality", data=data).status_code == 303
    assert "架空市 役場業務システム" in client.get("/").get_data(as_text=True)


def test_settings_form_shows_every_problem_at_once(client, login_as) -> None:
    login_as("admin")
    data = {"name": "架空市", "code": "482001", "postal_code": "021-85", "address": "岩手県架空市1-1",
            "mayor_name": "　", "contractor_name": "株式会社テスト"}
    body = client.post("/admin/municipality", data=data).get_data(as_text=True)
    assert "先頭2桁（都道府県コード）は01〜47です" in body
    assert "郵便番号は7桁の数字で入力してください" in body
    assert "市長名：必須項目です。" in body


def test_a_counter_is_refused_with_every_problem_at_once(app) -> None:
    from app.core.services import save_counter

    save_counter(None, 9, "臨時", "citizens")
    with pytest.raises(SettingsError) as refused:
        save_counter(None, 9, " ", "planning")
    assert {(p.field, p.message) for p in refused.value.problems} == {
        ("number", "9番窓口は既にあります。"), ("name", "窓口名を入力してください。"),
        ("department", "担当課を選んでください。")}


def test_health_reports_the_database(client) -> None:
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_error_pages_are_japanese(client, login_as) -> None:
    login_as("operator")
    assert "ページが見つかりません" in client.get("/no/such/page").get_data(as_text=True)
    response = client.get("/admin/users")
    assert response.status_code == 403 and "権限がありません" in response.get_data(as_text=True)


def test_terminal_token_is_shown_once_and_stored_hashed(client, login_as, db_session) -> None:
    login_as("admin")
    response = client.post("/admin/terminals", data={"code": "counter-9", "name": "9番窓口 端末",
                                                     "kind": "counter_pc", "counter_id": ""})
    body = response.get_data(as_text=True)
    token = body.split('<code class="token-value">')[1].split("</code>")[0]
    terminal = db_session.scalar(select(Terminal).where(Terminal.code == "counter-9"))
    assert token not in terminal.token_hash and len(terminal.token_hash) == 64
    assert token not in client.get("/admin/terminals").get_data(as_text=True)
    from app.devices.services import terminal_for_token
    assert terminal_for_token(token).id == terminal.id
    assert terminal_for_token("wrong") is None


def test_demo_load_and_purge(app, db_session) -> None:
    runner = app.test_cli_runner()
    result: Result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "山彦市" in result.output and "flask demo purge" in result.output
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "投入済み" in again.output
    from app.auth.models import User
    users = {u.username: u.role for u in db_session.scalars(select(User))}
    assert users == {"operator": "operator", "supervisor": "supervisor", "city": "city_staff",
                     "admin": "admin", "furusato": "operator", "furusato-lead": "supervisor",
                     "city-furusato": "city_staff"}
    result = runner.invoke(args=["demo", "purge"])
    assert "operator" in result.output
    db_session.expire_all()
    assert not any(u.active for u in db_session.scalars(select(User)))


def test_settings_form_takes_a_full_width_code_and_postal_code(client, login_as) -> None:
    # issue 15 §5: 「０２９－００００」 and 「〒029-0000」 were refused.
    login_as("admin")
    data = {"name": "架空市", "code": "０３２０９３", "postal_code": "〒０２９－００００",
            "address": "岩手県架空市1-1", "mayor_name": "架空 太郎", "contractor_name": "株式会社テスト"}
    assert client.post("/admin/municipality", data=data).status_code == 303
    data["postal_code"] = "〒029-0001"
    assert client.post("/admin/municipality", data=data).status_code == 303
    from app.core.services import get_municipality
    city = get_municipality()
    assert (city.code, city.postal_code) == ("032093", "029-0001")
