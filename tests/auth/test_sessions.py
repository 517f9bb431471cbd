"""Ending sessions on the server (issue 14 §4 "Sessions"): logout, a password reset or change,
a change of role and deactivation end every session of the user, copies of its cookie
included; a person changes their own password and keeps the session they changed it in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry, User
from tests.conftest import PASSWORD


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _copy(client, app):
    """Another browser holding a copy of this one's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _second_session(app, username: str):
    other = app.test_client()
    assert _login(other, username).status_code == 302
    return other


def test_a_copied_cookie_stops_working_at_logout(app, client, login_as) -> None:
    login_as("operator")
    copied = _copy(client, app)
    assert _signed_in(copied)
    client.post("/logout")
    assert not _signed_in(client)
    assert not _signed_in(copied)


def test_an_admins_password_reset_ends_the_users_sessions(app, client, make_user, login_as) -> None:
    user = make_user("operator")
    theirs = _second_session(app, user.username)
    login_as("admin")
    assert client.post(f"/admin/users/{user.id}/password",
                       data={"reset-password": "another-long-2"}).status_code == 303
    assert not _signed_in(theirs)
    assert _signed_in(client)  # the admin's own session goes on


def test_an_admin_resetting_their_own_password_stays_signed_in(app, client, login_as) -> None:
    admin = login_as("admin")
    elsewhere = _second_session(app, admin.username)
    client.post(f"/admin/users/{admin.id}/password", data={"reset-password": "another-long-2"})
    assert _signed_in(client)
    assert not _signed_in(elsewhere)


@pytest.mark.parametrize("change", [{"role": "city_staff", "active": "y"}, {"role": "operator"}],
                         ids=["role", "deactivation"])
def test_a_change_of_role_or_deactivation_ends_the_users_sessions(app, client, make_user, login_as,
                                                                   db_session, change) -> None:
    user = make_user("operator")
    theirs = _second_session(app, user.username)
    login_as("admin")
    assert client.post(f"/admin/users/{user.id}", data={"display_name": "operator 太郎", **change}).status_code == 303
    assert not _signed_in(theirs)


def test_a_reactivated_account_does_not_revive_its_old_sessions(app, client, make_user, login_as) -> None:
    user = make_user("operator")
    theirs = _second_session(app, user.username)
    login_as("admin")
    client.post(f"/admin/users/{user.id}", data={"display_name": "operator 太郎", "role": "operator"})
    client.post(f"/admin/users/{user.id}", data={"display_name": "operator 太郎", "role": "operator",
                                                 "active": "y"})
    assert not _signed_in(theirs)
    assert _signed_in(_second_session(app, user.username))


def test_a_new_display_name_leaves_the_sessions_alone(app, client, make_user, login_as) -> None:
    user = make_user("operator")
    theirs = _second_session(app, user.username)
    login_as("admin")
    client.post(f"/admin/users/{user.id}", data={"display_name": "鈴木 一", "role": "operator", "active": "y"})
    assert _signed_in(theirs)


def _change(client, current: str = PASSWORD, new: str = "a-new-password-1", again: str | None = None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                   "new_password_again": new if again is None else again})


def test_a_person_changes_their_password_and_keeps_this_session_only(app, client, login_as,
                                                                    db_session) -> None:
    user = login_as("operator")
    elsewhere = _second_session(app, user.username)
    copied = _copy(client, app)
    assert "パスワードの変更" in client.get("/account/password").get_data(as_text=True)
    response = _change(client)
    assert response.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(elsewhere) and not _signed_in(copied)
    client.post("/logout")
    assert _login(client, user.username).status_code == 422
    assert _login(client, user.username, "a-new-password-1").status_code == 302
    details = db_session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id), AuditEntry.action == "update"))
    assert list(details) == ["パスワード変更（本人）"]


def test_a_wrong_current_password_changes_nothing_and_says_so(app, client, login_as, db_session) -> None:
    user = login_as("operator")
    elsewhere = _second_session(app, user.username)
    before = db_session.get(User, user.id).password_hash
    response = _change(client, current="not-my-password")
    assert response.status_code == 422
    assert "現在のパスワード：現在のパスワードが正しくありません。" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, user.id).password_hash == before
    assert _signed_in(elsewhere)


def test_the_new_password_follows_the_rules_and_every_problem_is_said(client, login_as) -> None:
    login_as("operator")
    body = _change(client, new="short", again="shorter").get_data(as_text=True)
    assert "新しいパスワード：パスワードは10文字以上にしてください。" in body
    assert "新しいパスワード（確認）：確認のため入力したパスワードが一致しません。" in body


def test_guessing_the_current_password_is_throttled_like_a_login(client, login_as) -> None:
    login_as("operator")
    for _ in range(5):
        _change(client, current="a-guess-at-it")
    response = _change(client)
    assert response.status_code == 422
    assert "しばらくログインできません" in response.get_data(as_text=True)
