from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.auth import audit
from app.auth.models import AuditEntry, LoginAttempt
from app.core.dates import now
from tests.conftest import PASSWORD


def _login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_demo_style_login_and_logout(client, make_user) -> None:
    user = make_user("operator")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert "operator 太郎" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_names_no_field_and_keeps_the_login_name(client, make_user) -> None:
    user = make_user("operator")
    response = _login(client, user.username, "wrong-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ログイン名またはパスワードが正しくありません" in body
    assert f'value="{user.username}"' in body


def test_five_failures_in_a_minute_lock_the_account(client, make_user, db_session) -> None:
    user = make_user("operator")
    for _ in range(5):
        _login(client, user.username, "wrong-password")
    response = _login(client, user.username, PASSWORD, address="10.0.0.99")
    assert response.status_code == 422
    assert "しばらくログインできません" in response.get_data(as_text=True)
    # a minute later the account can log in again
    db_session.execute(text("UPDATE login_counters SET window_start = :at"),
                       {"at": now() - timedelta(seconds=61)})
    db_session.commit()
    assert _login(client, user.username, PASSWORD, address="10.0.0.99").status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(client, make_user) -> None:
    user = make_user("operator")
    for i in range(20):
        _login(client, f"nobody{i}", "wrong-password", address="10.0.0.7")
    assert _login(client, user.username, PASSWORD, address="10.0.0.7").status_code == 422
    assert _login(client, user.username, PASSWORD, address="10.0.0.8").status_code == 302


def test_failed_attempts_are_stored_in_the_database(client, make_user, db_session) -> None:
    make_user("operator")
    _login(client, "operator-user", "nope")
    attempts = db_session.scalars(select(LoginAttempt)).all()
    assert [(a.username, a.succeeded) for a in attempts] == [("operator-user", False)]


def test_idle_session_times_out(client, login_as) -> None:
    login_as("supervisor")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = (now() - timedelta(minutes=31)).isoformat()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "一定時間操作がなかったため" in page


@pytest.mark.parametrize("app_config", [{"IDLE_TIMEOUT_MINUTES": 5}])
def test_idle_timeout_is_configurable(client, login_as, app_config) -> None:
    login_as("supervisor")
    with client.session_transaction() as session:
        session["last_seen"] = (now() - timedelta(minutes=6)).isoformat()
    assert client.get("/").status_code == 302


def test_disabled_user_cannot_log_in(client, make_user, db_session) -> None:
    user = make_user("operator")
    user.active = False
    db_session.commit()
    assert _login(client, user.username, PASSWORD).status_code == 422


def test_admin_creates_rerolls_disables_and_resets(client, login_as, db_session) -> None:
    login_as("admin")
    response = client.post("/admin/users", data={"username": "suzuki", "display_name": "鈴木 一",
                                                 "role": "operator", "password": "long-enough-1"})
    assert response.status_code == 303
    from app.auth.models import User
    user = db_session.scalar(select(User).where(User.username == "suzuki"))
    client.post(f"/admin/users/{user.id}", data={"display_name": "鈴木 一", "role": "city_staff", "scope": "furusato"})
    db_session.refresh(user)
    assert (user.role, user.scope, user.active) == ("city_staff", "furusato", False)
    client.post(f"/admin/users/{user.id}/password", data={"reset-password": "another-long-2"})
    client.post("/logout")
    assert _login(client, "suzuki", "another-long-2").status_code == 422  # disabled
    details = [e.detail for e in db_session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user",
                                 AuditEntry.object_id == str(user.id)))]
    assert "役割=業務従事者、担当業務=窓口業務" in details[0] and "パスワード再設定" in details
    assert "担当業務=窓口業務→ふるさと納税" in details[1]


def test_each_user_works_in_one_programme_and_only_an_admin_in_every_one(client, login_as, db_session) -> None:
    login_as("admin")
    response = client.post("/admin/users", data={"username": "kifu", "display_name": "寄附 一", "role": "supervisor",
                                                 "scope": "furusato", "number_handler": "y",
                                                 "password": "long-enough-1"})
    assert response.status_code == 303
    from app.auth.models import Programme, User
    user = db_session.scalar(select(User).where(User.username == "kifu"))
    assert (user.programmes, user.number_handler) == (frozenset({Programme.furusato}), True)
    response = client.post("/admin/users", data={"username": "zenbu", "display_name": "全部 一", "role": "operator",
                                                 "scope": "all", "password": "long-enough-1"})
    assert response.status_code == 422
    assert "担当業務：全業務を担当できるのは管理者だけです。" in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.username == "zenbu")) is None


def test_short_password_is_refused_with_the_field_named(client, login_as) -> None:
    login_as("admin")
    response = client.post("/admin/users", data={"username": "tanaka", "display_name": "田中",
                                                 "role": "operator", "password": "short"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "初期パスワード：パスワードは10文字以上" in body
    assert 'value="tanaka"' in body and 'value="田中"' in body


def test_the_user_form_shows_every_problem_at_once(client, login_as, make_user) -> None:
    login_as("admin")
    make_user("operator", "taken")
    response = client.post("/admin/users", data={"username": "taken", "display_name": "田中",
                                                 "role": "operator", "password": "short"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ログイン名：ログイン名「taken」は既に使われています。" in body
    assert "初期パスワード：パスワードは10文字以上" in body


def test_an_admin_keeps_their_own_admin_role_and_is_told_with_every_other_problem(client, login_as) -> None:
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}", data={"display_name": "　", "role": "operator",
                                                             "active": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "自分自身の管理者権限は外せません" in body and "氏名を入力してください" in body


def test_audit_rows_for_changes_and_exports(client, login_as, db_session) -> None:
    admin = login_as("admin")
    client.post("/admin/counters", data={"number": "9", "name": "臨時", "department": "citizens"})
    response = client.get("/audit.csv?object_type=counter")
    assert response.status_code == 200
    csv_text = response.get_data(as_text=True)
    assert csv_text.startswith("\ufeff日時,利用者,操作")
    assert "9番窓口 臨時" in csv_text
    actions = [(e.action, e.object_type, e.username) for e in db_session.scalars(
        select(AuditEntry).order_by(AuditEntry.id))]
    assert ("update", "counter", admin.username) in actions
    assert ("export", "audit_log", admin.username) in actions


def test_audit_page_filters(client, login_as) -> None:
    login_as("supervisor")
    body = client.get("/audit?action=login").get_data(as_text=True)
    assert "supervisor-user" in body and "ログイン" in body
    assert "該当する記録はありません" in client.get("/audit?username=nobody").get_data(as_text=True)


def test_audit_rows_cannot_be_changed_or_deleted(app, db_session) -> None:
    entry = audit.record("read", "resident", 1, "閲覧", by=None, username="someone")
    db_session.commit()
    entry.detail = "改ざん"
    with pytest.raises(audit.AppendOnlyError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(db_session.get(AuditEntry, entry.id))
    with pytest.raises(audit.AppendOnlyError):
        db_session.flush()
    db_session.rollback()
    # and the database itself refuses it, whatever the application does
    from sqlalchemy.exc import DBAPIError
    with pytest.raises(DBAPIError):
        db_session.execute(text("UPDATE audit_entries SET detail = 'x'"))
    db_session.rollback()
    with pytest.raises(DBAPIError):
        db_session.execute(text("DELETE FROM audit_entries"))
    db_session.rollback()
